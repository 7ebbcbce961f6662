"""``shoptalk up`` frees what it takes (issue 14, item 8): a model server that never becomes ready is
stopped and reaped, no log handle stays open in the parent, and a busy port is not reused. It starts
them with the one launcher (``services.common.launcher``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.cli import up
from services.common.launcher import ModelServerProcess, free_port, port_is_free


def _open_fds_to(path: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
        except OSError:
            continue
    return count


class _Scripted(ModelServerProcess):
    """A 'model server' that runs ``script`` instead of ``shoptalk serve``."""

    def __init__(self, script: str, **kwargs: object) -> None:
        super().__init__("embedder", **kwargs)  # type: ignore[arg-type]
        self.script = script

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-c", self.script]


def test_a_server_that_never_gets_ready_is_stopped_and_its_log_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path))
    log_path = up._log_path("embedder")
    sleeper = _Scripted(
        "import time; print('loading', flush=True); time.sleep(60)", port=free_port(), log_path=log_path
    )  # nothing listens on its port: never ready
    assert up._start_service(sleeper, timeout_s=0.5) is None
    assert sleeper.process is not None
    assert sleeper.process.returncode is not None  # terminated and reaped, not a zombie holding the port
    assert log_path == tmp_path / "logs" / "embedder.log"
    assert "loading" in log_path.read_text() and _open_fds_to(log_path) == 0


def test_stop_kills_what_ignores_terminate(tmp_path: Path) -> None:
    stubborn = _Scripted(
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('up', flush=True); time.sleep(60)",
        port=free_port(),
        log_path=tmp_path / "x.log",
    )
    with stubborn.log_path.open("ab") as log:
        stubborn.process = subprocess.Popen(stubborn.command, stdout=log, stderr=subprocess.STDOUT)
    time.sleep(0.5)  # let it install the handler
    started = time.monotonic()
    stubborn.stop(timeout_s=0.5)
    assert stubborn.process.returncode is not None and time.monotonic() - started < 10


def test_busy_port_is_not_reused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        busy = holder.getsockname()[1]
        chosen = free_port(preferred=busy)
        assert chosen != busy and port_is_free(chosen) is False  # handed out: not free for another caller
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", chosen))  # but nothing holds it


def test_a_free_preferred_port_is_kept_once() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        preferred = probe.getsockname()[1]
    assert free_port(preferred=preferred) == preferred
    assert free_port(preferred=preferred) != preferred  # handed out once: the next caller gets another
