"""Stdlib log records (uvicorn access/error, libraries) as JSON lines with trace ids."""

from __future__ import annotations

import io
import json
import logging
import logging.config

from opentelemetry import trace

from ml.observability.logs import (
    DropQueryString,
    install_stdlib_json_logging,
    json_formatter,
    uvicorn_log_config,
)


def _capture(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(DropQueryString())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_access_record_is_json_with_trace_id_and_no_query(spans) -> None:  # type: ignore[no-untyped-def]
    logger, stream = _capture("uvicorn.access.test")
    with trace.get_tracer("t").start_as_current_span("request") as span:
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/v1/search?q=my+secret+wish", "1.1", 200
        )
    record = json.loads(stream.getvalue())
    assert record["level"] == "info" and record["logger"] == "uvicorn.access.test"
    assert record["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "/v1/search" in record["event"] and "secret" not in record["event"]
    assert record["timestamp"].endswith("Z")


def test_error_with_exception_is_one_json_line() -> None:
    logger, stream = _capture("uvicorn.error.test")
    try:
        raise ValueError("bad thing")
    except ValueError:
        logger.exception("request failed")
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "error" and "ValueError: bad thing" in record["exception"]


def test_uvicorn_log_config_is_valid_and_json() -> None:
    config = uvicorn_log_config("json", "info")
    logging.config.dictConfig(config)
    handler = logging.getLogger("uvicorn.access").handlers[0]
    assert isinstance(handler.formatter, type(json_formatter()))
    assert any(isinstance(f, DropQueryString) for f in handler.filters)
    plain = uvicorn_log_config("console", "info")
    assert "format" in plain["formatters"]["default"]


def test_install_stdlib_json_logging_routes_library_logs() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        install_stdlib_json_logging("INFO", stream=stream)
        install_stdlib_json_logging("INFO", stream=stream)  # idempotent: one handler
        logging.getLogger("some.library").warning("disk %s is %d%% full", "/data", 91)
        (line,) = stream.getvalue().strip().splitlines()
        assert json.loads(line)["event"] == "disk /data is 91% full"
    finally:
        root.handlers, root.level = saved[0], saved[1]
