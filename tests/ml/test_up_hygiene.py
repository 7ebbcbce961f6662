"""``shoptalk up`` frees what it takes (issue 14, item 8): a model server that never becomes ready is
stopped and reaped, no log handle stays open in the parent, and a busy port is not reused."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from services.cli import up


def _open_fds_to(path: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
        except OSError:
            continue
    return count


def test_a_server_that_never_gets_ready_is_stopped_and_its_log_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there: never ready
    sleeper = [sys.executable, "-c", "import time; print('loading', flush=True); time.sleep(60)"]
    spawned = []
    real_launch = up._launch

    def launch(cmd: list[str], log_path: str):  # type: ignore[no-untyped-def]
        proc = real_launch(cmd, log_path)
        spawned.append(proc)
        return proc

    monkeypatch.setattr(up, "_launch", launch)
    assert up._start_service("embedder", port, timeout_s=0.5, cmd=sleeper) is None
    (proc,) = spawned
    assert proc.returncode is not None  # terminated and reaped, not a zombie holding the port
    log_path = tmp_path / "logs" / "embedder.log"
    assert log_path.exists() and _open_fds_to(log_path) == 0


def test_stop_kills_what_ignores_terminate(tmp_path: Path) -> None:
    stubborn = up._launch(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('up', flush=True); time.sleep(60)",
        ],
        str(tmp_path / "logs" / "x.log"),
    )
    import time

    time.sleep(0.5)  # let it install the handler
    up._stop([stubborn], timeout_s=0.5)
    assert stubborn.returncode is not None


def test_busy_port_is_not_reused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        busy = holder.getsockname()[1]
        chosen = up._free_port(busy)
        assert chosen != busy and up._port_free(chosen)
