"""free_port: never twice in one process, outside the kernel's ephemeral range, actually bindable;
a launcher whose auto-chosen port is taken retries on another."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from ml import ports as port_source
from services.common.launcher import ModelServerProcess, free_port


def test_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    low = port_source._ephemeral_low()
    assert all(1024 <= port < low for port in ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))  # nobody holds it


def test_a_held_port_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        held.listen()
        choices = iter([taken, taken])
        real = port_source.random.SystemRandom

        class Scripted(real):  # type: ignore[misc,valid-type]
            def randrange(self, *args: int) -> int:
                return next(choices, None) or super().randrange(*args)

        monkeypatch.setattr(port_source.random, "SystemRandom", Scripted)
        assert free_port() != taken


class _BusyThenFine(ModelServerProcess):
    """First child dies with EADDRINUSE, the next one serves /ready."""

    attempts = 0

    @property
    def ready_url(self) -> str:
        return f"{self.url}/ready"

    @property
    def command(self) -> list[str]:
        type(self).attempts += 1
        if type(self).attempts == 1:
            dies = "import sys; print('OSError: [Errno 98] Address already in use'); sys.exit(1)"
            return [sys.executable, "-c", dies]
        server = (
            "import http.server as h\n"
            "class R(h.BaseHTTPRequestHandler):\n"
            "    def do_GET(self):\n"
            "        self.send_response(200); self.end_headers()\n"
            "    def log_message(self, *a): pass\n"
            f"h.HTTPServer(('127.0.0.1', {self.port}), R).serve_forever()\n"
        )
        return [sys.executable, "-c", server]


def test_launcher_retries_on_a_lost_port(tmp_path: Path) -> None:
    proc = _BusyThenFine("fake", log_path=tmp_path / "log")
    first = proc.port
    with proc.start(timeout_s=30):
        assert proc.port != first and _BusyThenFine.attempts == 2


def test_an_explicit_port_is_not_replaced(tmp_path: Path) -> None:
    _BusyThenFine.attempts = 0
    proc = _BusyThenFine("fake", port=free_port(), log_path=tmp_path / "log")
    with pytest.raises(RuntimeError, match="already in use"):
        proc.start(timeout_s=30)


def test_app_in_thread_serves_over_http_and_stops() -> None:
    import httpx

    from services.common.launcher import app_in_thread

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hi"})

    with app_in_thread(app, name="tiny") as url:
        assert httpx.get(url, timeout=5).text == "hi"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
