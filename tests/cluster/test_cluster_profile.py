"""The cluster profile on real servers, all on loopback and started by the fixtures:

- MLflow tracking server with PostgreSQL as backend store and S3 (moto) as artifact store: the
  fine-tuning code logs a run and registers a version, the gate promotes it to ``champion``, and
  the champion loads back through ``models:/…@champion``; rows are in Postgres, files in S3.
- Prefect server on PostgreSQL (asyncpg) runs the ingest flow on a tiny catalog; the flow run
  is COMPLETED in Prefect's Postgres tables.
- Two gateway instances share Redis (``SHOPTALK_REDIS_URL``): a conversation started on one
  continues on the other; the recommendation cache and viewed items are shared too; handoffs
  go to the PostgreSQL handoff queue both instances read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import torch

from ml.config import Settings
from tests.servers.postgres import PostgresServer, postgres_server  # noqa: F401
from tests.servers.redis import RedisServer, redis_server, redis_url  # noqa: F401
from tests.servers.s3 import S3Server, s3_server  # noqa: F401
from tests.servers.tracking import MlflowServer, PrefectServer

pytestmark = pytest.mark.integration
SECRET = "cluster-profile-session-secret-0123456789"


def _db(postgres: PostgresServer) -> tuple[str, str]:
    """A fresh database: (its libpq URL, its name)."""
    name = "t_" + uuid.uuid4().hex[:10]
    return postgres.create_database(name), name


def _sql(url: str, query: str) -> list[tuple[Any, ...]]:
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return list(cur.fetchall())


# ------------------------------------------------------------------------------------ MLflow
@pytest.fixture(scope="module")
def mlflow_server(postgres_server: PostgresServer, s3_server: S3Server) -> Iterator[tuple[MlflowServer, str]]:  # noqa: F811
    backend, _ = _db(postgres_server)
    bucket = "mlflow-" + uuid.uuid4().hex[:8]
    destination = s3_server.create_bucket(bucket)
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; the flows extra ships psycopg2
    store_uri = backend.replace("postgresql://", "postgresql+psycopg2://", 1)
    server = MlflowServer(store_uri, destination, s3_server.client_env).start(timeout_s=180)
    try:
        yield server, backend
    finally:
        server.stop()


@pytest.mark.slow  # MLflow's ~50 schema migrations on a fresh PostgreSQL database dominate
def test_mlflow_on_postgres_and_s3_logs_registers_and_promotes(
    mlflow_server: tuple[MlflowServer, str],
    s3_server: S3Server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ml.embedding.adapter import ResidualAdapter
    from ml.training.finetune import FinetuneConfig, apply_decision, log_and_register
    from ml.training.promotion import decide_promotion
    from ml.training.registry import ModelRegistry
    from ml.training.train import TrainResult

    server, backend = mlflow_server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    registry = ModelRegistry(server.url, "cluster-adapter-" + uuid.uuid4().hex[:6])
    module = ResidualAdapter(8)
    with torch.no_grad():
        for param in module.parameters():
            param.add_(0.05)  # not the identity: the loaded champion must carry these weights
    trained = TrainResult(module=module, train_loss=[0.9, 0.5], val_loss=[0.8, 0.6], epoch_seconds=[0.1, 0.1])
    metrics = {"base": {"hybrid": {"ndcg@10": 0.50}}, "candidate": {"hybrid": {"ndcg@10": 0.61}}}
    decision = decide_promotion(0.61, 0.50, None, margin=0.005, min_score=0.2)
    assert decision.promote

    run_id, version, adapter_version = log_and_register(
        registry, FinetuneConfig(catalog="tiny"), trained, metrics, decision, {"base_model": "test"}, {}
    )
    assert apply_decision(registry, version, decision) == version
    loaded = registry.load_champion()
    assert loaded is not None
    champion_version, adapter = loaded
    assert champion_version == version and adapter.version == adapter_version
    x = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    assert np.allclose(adapter.apply(x), expected, atol=1e-6)

    # The rows are in PostgreSQL, the files in S3 (through the server's artifact proxy).
    assert _sql(backend, f"SELECT name FROM registered_models WHERE name = '{registry.model_name}'")
    aliases = _sql(
        backend, f"SELECT alias, version FROM registered_model_aliases WHERE name = '{registry.model_name}'"
    )
    assert aliases == [("champion", int(version))]
    assert _sql(backend, f"SELECT status FROM runs WHERE run_uuid = '{run_id}'") == [("FINISHED",)]
    bucket = server.artifacts_destination.removeprefix("s3://")
    keys = s3_server.keys(bucket)
    assert any(run_id in k and "/adapter/" in k for k in keys), keys
    assert any(run_id in k and k.endswith("promotion.json") for k in keys), keys


# ------------------------------------------------------------------------------------ Prefect
@pytest.mark.slow  # Prefect's schema migrations on a fresh PostgreSQL database dominate
def test_prefect_server_on_postgres_runs_the_ingest_flow(
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest import IngestComponents, ingest_flow
    from ml.retrieval.factory import build_keyword_index, build_vector_index
    from tests.fakes.catalog import HashingEmbedder
    from tests.flows.catalog_factory import write_catalog

    url, name = _db(postgres_server)
    server = PrefectServer(f"postgresql+asyncpg://shoptalk@127.0.0.1:{postgres_server.port}/{name}")
    server.start(timeout_s=240)
    try:
        catalog = write_catalog(tmp_path / "catalog", n=12)
        settings = Settings(data_dir=tmp_path / "data")
        embedder = HashingEmbedder()
        parts = IngestComponents(
            embedder,
            build_keyword_index(settings),
            build_vector_index(settings, embedder.dim),
            captioner_skip_reason="no captioner configured (test)",
        )
        try:
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                summary = ingest_flow(catalog=str(catalog), batch_size=8, settings=settings, components=parts)
        finally:
            parts.vector.close()  # type: ignore[attr-defined]
        assert summary["vector_count"] == 12 == summary["keyword_count"], summary
        runs = _sql(url, "SELECT name, state_type FROM flow_run")
        assert [state for _, state in runs] == ["COMPLETED"], runs
        flows = _sql(url, "SELECT name FROM flow")
        assert ("shoptalk-ingest",) in flows
    finally:
        server.stop()


# ------------------------------------------------------------------------------------ gateway
async def _chat(client: httpx.AsyncClient, message: str, session_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if session_id:
        body["session_id"] = session_id
    response = await client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def _no_intent_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy's rules suffice here: skip loading (or bootstrapping) the intent model."""
    monkeypatch.setattr(
        "services.gateway.understanding.load_intent_model", lambda *_a, **_k: None, raising=False
    )


@pytest.mark.usefixtures("_no_intent_model")
async def test_two_gateways_share_sessions_and_caches_in_redis(
    redis_server: RedisServer,  # noqa: F811
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    from services.gateway.app import create_app
    from services.gateway.routes.recommend import RecommendationCache
    from tests.fakes.catalog import build_test_searcher

    handoff_url, _ = _db(postgres_server)
    shared = redis_url(redis_server, db=5)

    def app(n: int) -> Any:
        settings = Settings(
            data_dir=tmp_path / f"gw{n}",
            redis_url=shared,
            session_secret=SECRET,
            handoff_db_url=handoff_url,
        )
        return create_app(settings, searcher=build_test_searcher())

    first, second = app(1), app(2)
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://gw1") as one,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://gw2") as two,
    ):
        opened = await _chat(one, "hiking boots")
        sid = opened["session_id"]
        follow = await _chat(two, "in black?", sid)  # the other instance, the same conversation
        assert follow["session_id"] == sid
        assert follow["filters"]["colors"] == ["black"]
        session = await second.state.orchestrator.sessions.get(sid)
        assert [t.message for t in session.turns] == ["hiking boots", "in black?"]
        third = await _chat(one, "under $100", sid)  # and back: the first sees the second's turn
        assert third["session_id"] == sid and third["filters"]["colors"] == ["black"]

        # Handoffs: raised on one instance, queued in PostgreSQL, listed by the other.
        ticket = await first.state.handoffs.open(sid, "asked")
        seen = await second.state.handoffs.get_open_for_session(sid)
        assert seen is not None and seen.handoff_id == ticket.handoff_id and seen.status == "open"
        queued = await second.state.handoffs.list_handoffs("active")
        assert ticket.handoff_id in [h.handoff_id for h in queued]

    # The recommendation cache and viewed items live in the same Redis.
    cache_one, cache_two = RecommendationCache(shared), RecommendationCache(shared)
    await cache_one.put("v1:none:abc", '{"items": []}')
    assert await cache_two.get("v1:none:abc") == '{"items": []}'
    await cache_one.add_view(sid, "B0001")
    await cache_two.add_view(sid, "B0002")
    assert await cache_one.views(sid) == ["B0001", "B0002"]
    import redis

    keys = {k.decode() for k in redis.Redis.from_url(shared).keys("*")}
    assert any(sid in k for k in keys) and "shoptalk:rec:v1:none:abc" in keys
