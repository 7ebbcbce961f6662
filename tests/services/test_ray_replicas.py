"""``shoptalk serve embedder --ray-replicas 2``: a real KServe ModelServer in front of two Ray Serve
replicas on a private local Ray (2 CPUs, 0.5 per replica), over real HTTP.

It must start, report ready, serve v2 and v1 inference with the same vectors as the in-process
model, keep KServe's error mapping (bad payload = 400 with the reason, through Ray), run the
replicas as two Ray worker processes, bind nothing but the KServe port on all interfaces (Ray
Serve's own :8000 proxy stays off), and leave no Ray process behind on SIGTERM.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import numpy as np
import psutil
import pytest

from services.common.launcher import ModelServerProcess
from services.common.ray_replicas import ray_installed

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not ray_installed(), reason="the 'ray' extra (ray[serve]) is not installed"),
]
REPLICAS = 2
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


class RayEmbedderProcess(ModelServerProcess):
    @property
    def command(self) -> list[str]:
        return [*super().command, "--ray-replicas", str(REPLICAS), "--ray-replica-cpus", "0.5"]


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _replica_processes(pid: int) -> list[psutil.Process]:
    found = []
    for proc in _descendants(pid):
        try:
            # the title is "ray::ServeReplica:APP:DEPLOYMENT[.method it is running]"
            if proc.cmdline()[:1] and proc.cmdline()[0].startswith("ray::ServeReplica:embedder:embedder"):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _v2(texts: list[str]) -> dict[str, object]:
    return {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(texts)], "data": texts}]}


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_ray_replicas_serve_v2_and_v1_and_shut_down_clean(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ml.embedding.sentence import SentenceEmbedder

    env = {"SHOPTALK_DATA_DIR": str(tmp_path), "RAY_USAGE_STATS_ENABLED": "0", "RAY_ADDRESS": ""}
    server = RayEmbedderProcess("embedder", env=env)
    started = time.monotonic()
    server.start(timeout_s=600)
    start_s = time.monotonic() - started
    assert server.process is not None
    pid = server.process.pid
    try:
        deadline = time.monotonic() + 60
        while len(replicas := _replica_processes(pid)) < REPLICAS and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(replicas) == REPLICAS, [p.cmdline()[:1] for p in _descendants(pid)]

        texts = ["red running shoe", "walnut coffee table", "Kaffeebecher aus Keramik"]
        with httpx.Client(base_url=server.url, timeout=60) as client:
            meta = client.get("/v2/models/embedder").json()
            assert meta["outputs"][0]["shape"] == [-1, 384]

            v2 = client.post("/v2/models/embedder/infer", json=_v2(texts))
            assert v2.status_code == 200, v2.text
            body = v2.json()
            out = body["outputs"][0]
            vectors = np.asarray(out["data"], dtype=np.float32).reshape(out["shape"])
            assert vectors.shape == (3, 384)
            assert body["parameters"]["dim"] == 384
            expected = SentenceEmbedder(threads=1).embed(texts)
            assert _cosines(vectors, expected).min() > 0.999

            v1 = client.post("/v1/models/embedder:predict", json={"instances": texts[:1]})
            assert v1.status_code == 200, v1.text
            # one text alone vs in a batch of three: bf16 (AMX CPUs) differs by padding, not meaning
            assert _cosines(np.asarray([v1.json()["predictions"][0]]), expected[:1]).min() > 0.999

            bad = client.post(
                "/v2/models/embedder/infer",
                json={"inputs": [{"name": "nope", "datatype": "BYTES", "shape": [1], "data": ["x"]}]},
            )
            assert bad.status_code == 400, bad.text
            assert "text" in bad.text

        # Ray Serve's own proxy (:8000) is not started; the private Ray stays on loopback.
        ports = {
            c.laddr.port
            for p in [psutil.Process(pid), *_descendants(pid)]
            for c in _connections(p)
            if c.status == psutil.CONN_LISTEN
        }
        assert server.port in ports and 8000 not in ports
        wide = {
            (c.laddr.ip, c.laddr.port)
            for p in [psutil.Process(pid), *_descendants(pid)]
            for c in _connections(p)
            if c.status == psutil.CONN_LISTEN and c.laddr.ip not in LOOPBACK
        }
        assert not wide, f"private Ray listens beyond loopback: {wide}"
    finally:
        ray_children = _descendants(pid)
        server.stop()
    _gone, alive = psutil.wait_procs(ray_children, timeout=30)
    assert not alive, f"Ray processes left after SIGTERM: {[p.pid for p in alive]}"
    print(f"ray embedder x{REPLICAS}: ready in {start_s:.1f}s")


def _connections(proc: psutil.Process) -> list[Any]:
    try:
        return list(proc.connections(kind="inet"))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
