"""Loopback ports for servers this process is about to start, never handed out twice.

Used by the launcher (``services.common.launcher``), benchmarks and test fixtures alike; it lives
in ``ml`` so library code (``ml.benchmarks``) can use the same one.
"""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()
_FALLBACK_EPHEMERAL_LOW = 32768


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _FALLBACK_EPHEMERAL_LOW


def _bindable(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing holds ``port`` now (and this process has not handed it out)."""
    with _HANDED_OUT_LOCK:
        return port not in _HANDED_OUT and _bindable(port, host)


def free_port(host: str = "127.0.0.1", preferred: int | None = None) -> int:
    """A loopback port nobody holds, for a server a caller is about to start: ``preferred`` when
    it is free (a stale server keeps its own), else one chosen as below.

    The usual bind(0)-close-reuse is racy: the kernel hands the same ephemeral port to the next
    bind(0) or outgoing connection. Ports here come from *below* the ephemeral range (which bind(0)
    and outgoing connections never use), are checked bindable, and are never handed out twice in
    this process. A child can still lose a port to an unrelated process; ``ModelServerProcess``
    then retries on a new one.
    """
    if preferred is not None:
        with _HANDED_OUT_LOCK:
            if preferred not in _HANDED_OUT and _bindable(preferred, host):
                _HANDED_OUT.add(preferred)
                return preferred
    low = max(1024, min(_ephemeral_low(), 65536) - 12000)
    high = max(low + 1000, min(_ephemeral_low(), 65536))
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(low, high)
        with _HANDED_OUT_LOCK:
            if port in _HANDED_OUT or not _bindable(port, host):
                continue
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError(f"no free port in {low}-{high} after 200 tries")
