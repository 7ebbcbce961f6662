"""Start a model service (``shoptalk serve KIND``) in a subprocess on a loopback port and wait
until the model is ready — used by benchmarks and integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ml.ports import free_port, port_is_free

__all__ = ["ModelServerProcess", "app_in_thread", "free_port", "port_is_free", "wait_ready"]


def wait_ready(
    url: str, timeout_s: float, alive: Callable[[], bool] = lambda: True, interval_s: float = 0.25
) -> bool:
    """Poll ``url`` until it answers 200 (True), ``alive()`` turns false or time runs out (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval_s)
    return False


class ModelServerProcess:
    def __init__(
        self,
        kind: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        self.kind = kind
        self.host = host
        self._port_chosen = port is None
        self.port = port or free_port(host)
        self.env = {**os.environ, **(env or {})}
        self._owns_log = log_path is None  # a temp log is removed on a clean stop
        self.log_path = log_path or Path(tempfile.mkstemp(prefix=f"shoptalk-{kind}-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None
        self.cwd: Path | None = None  # working directory of the child (None: this process's)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ready_url(self) -> str:
        """Polled until it answers 200 (a KServe model's ready endpoint; subclasses change it)."""
        return f"{self.url}/v2/models/{self.kind}/ready"

    @property
    def command(self) -> list[str]:
        launcher = "from services.cli import main; main()"
        return [
            sys.executable,
            "-c",
            launcher,
            "serve",
            self.kind,
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]

    def start(self, timeout_s: float = 180.0, port_attempts: int = 3) -> ModelServerProcess:
        """Start and wait until ready; a port lost to another process is replaced (if we chose it)."""
        for attempt in range(1, port_attempts + 1):
            try:
                return self._start_once(timeout_s)
            except RuntimeError as exc:
                lost_port = "address already in use" in str(exc).lower()
                if not (lost_port and getattr(self, "_port_chosen", False) and attempt < port_attempts):
                    raise
                self.port = free_port(self.host)
        raise AssertionError("unreachable")

    def _start_once(self, timeout_s: float) -> ModelServerProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd
            )
        try:
            if wait_ready(
                self.ready_url,
                timeout_s,
                alive=lambda: self.process is not None and self.process.poll() is None,
            ):
                return self
        except BaseException:  # Ctrl-C while waiting: do not leave it running
            self.stop()
            raise
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.kind} server exited ({self.process.returncode}):\n{self.log_tail()}")
        tail = self.log_tail()
        self.stop()
        raise TimeoutError(f"{self.kind} server not ready after {timeout_s:.0f}s:\n{tail}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL — an abrupt outage, as when a pod dies."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._remove_log()

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM, wait (reaped: its port is free afterwards), SIGKILL what does not stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._remove_log()

    def _remove_log(self) -> None:
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> ModelServerProcess:
        return self.start() if self.process is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def app_in_thread(app: Any, name: str = "app", timeout_s: float = 60.0) -> Iterator[str]:
    """Serve an ASGI ``app`` with uvicorn on a free loopback port in a daemon thread; yields its URL.

    For benchmarks and tests that call an in-process app over real HTTP. The server is told to
    exit and the thread joined on the way out.
    """
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"{name} did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
