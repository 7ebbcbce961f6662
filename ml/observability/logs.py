"""JSON for *every* log line in JSON mode: stdlib loggers (uvicorn access/error, openai, httpx …)
go through the same structlog processors as our own events, trace ids included.

``ml.logging.configure_logging`` renders structlog events as JSON but leaves stdlib records
(uvicorn's ``INFO: 127.0.0.1 - "GET /v1/search?q=... 200"``) as plain text, and uvicorn installs
its own handlers when it starts. Use:

* :func:`uvicorn_log_config` as ``uvicorn.run(..., log_config=uvicorn_log_config(fmt, level))``;
* :func:`install_stdlib_json_logging` after ``configure_logging`` for processes without uvicorn.

Access-log lines lose their query string (:class:`DropQueryString`): it carries shopper text.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from ml.logging import _add_trace_ids


class DropQueryString(logging.Filter):
    """Strip ``?query`` from uvicorn access records (args: client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    """A stdlib formatter that renders records like our structlog events (JSON, trace ids)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,  # type: ignore[list-item]
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def uvicorn_log_config(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn: JSON lines in JSON mode, query strings dropped."""
    formatter: dict[str, Any] = (
        {"()": json_formatter} if fmt == "json" else {"format": "%(levelname)s %(name)s: %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"drop_query": {"()": DropQueryString}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": handler,
            "access": {**handler, "filters": ["drop_query"]},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["access"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["default"], "level": level.upper()},
    }


def install_stdlib_json_logging(level: str = "INFO", stream: Any = None) -> None:
    """Replace the root handler with one that writes JSON lines (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_shoptalk_json", False) or isinstance(handler, logging.StreamHandler):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(DropQueryString())
    handler._shoptalk_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
