"""Dialogue evaluation end to end: committed dialogues through the real chat pipeline.

The index is a slice of the committed sample catalog (sofas, lamps, the iPhone 13 and Galaxy S21
cases, a few others), embedded once per session with the real MiniLM into tantivy + Milvus Lite.
No pass rate is asserted here: the runner's bookkeeping is.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from ml.catalog.product import Product
from ml.config import Settings
from ml.evaluation.dialogues import Dialogue, load_dialogues
from ml.evaluation.runner import FreshIndex, fresh_index
from ml.paths import PACKAGE_ROOT, SAMPLE_CATALOG
from ml.retrieval.types import SearchFilters, SearchMode
from services.gateway.dialogue_eval import arun_dialogues, pipeline_orchestrator
from services.gateway.schemas import ChatRequest, ChatResponse, ProductCard

SUITE = PACKAGE_ROOT / "sample" / "dialogues" / "dialogues.jsonl"
PICKED = ["chit-chat-02", "price-neg-01", "device-switch-01", "service-01", "no-match-01", "superlative-01"]


def _keep(row: dict[str, Any], taken: dict[str, int]) -> bool:
    """Ten each of floor lamps, sofas, iPhone 13 and Galaxy S21 cases, plus a few boots and blankets."""
    ptype = row["product_type"][0]["value"]
    title = " ".join(v["value"] for v in row.get("item_name", [])).lower()
    group = None
    if ptype == "LAMP" and "floor" in title:
        group = "lamp"
    elif ptype == "SOFA":
        group = "sofa"
    elif ptype == "CELLULAR_PHONE_CASE" and "iphone 13" in title and "pro" not in title:
        group = "iphone"
    elif ptype == "CELLULAR_PHONE_CASE" and "galaxy s21" in title:
        group = "galaxy"
    elif ptype in {"BLANKET", "BOOT"}:
        group = "other"
    if group is None or taken.get(group, 0) >= (4 if group == "other" else 10):
        return False
    taken[group] = taken.get(group, 0) + 1
    return True


def write_slice(root: Path) -> int:
    lines: list[str] = []
    taken: dict[str, int] = {}
    for source in sorted((SAMPLE_CATALOG / "listings" / "metadata").glob("*.json.gz")):
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            lines.extend(line.strip() for line in handle if line.strip() and _keep(json.loads(line), taken))
    target = root / "listings" / "metadata" / "listings_0.json.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(target, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return len(lines)


@pytest.fixture(scope="session")
def sample_slice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshIndex]:
    root = tmp_path_factory.mktemp("dialogue-slice")
    assert write_slice(root / "abo") >= 40
    settings = Settings(data_dir=root / "data")
    with fresh_index(root / "abo", settings) as fresh:
        yield fresh


@pytest.fixture
def eval_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


async def test_runner_reports_results_per_kind(sample_slice: FreshIndex, eval_settings: Settings) -> None:
    suite = [d for d in load_dialogues(SUITE) if d.id in PICKED]
    assert {d.id for d in suite} == set(PICKED)
    async with pipeline_orchestrator(sample_slice.searcher, eval_settings, eval_settings.data_dir) as orch:
        report = await arun_dialogues(suite, orch)

    assert report.dialogues == len(suite)
    assert report.turns == sum(len(d.turns) for d in suite)
    assert [r.id for r in report.results] == [d.id for d in suite]
    assert set(report.kinds) == {d.kind for d in suite}
    for kind, summary in report.kinds.items():
        of_kind = [r for r in report.results if r.kind == kind]
        assert summary.dialogues == len(of_kind)
        assert summary.passed == sum(r.passed for r in of_kind)
        assert summary.pass_rate == pytest.approx(summary.passed / summary.dialogues, abs=1e-4)
    assert report.passed == sum(r.passed for r in report.results)
    assert report.pass_rate == pytest.approx(report.passed / report.dialogues, abs=1e-4)
    # failures name the dialogue, the turn, the shopper's words, the reasons and what came back
    failed_ids = {f.dialogue_id for f in report.failures}
    assert failed_ids == {r.id for r in report.results if not r.passed}
    for failure in report.failures:
        dialogue = next(d for d in suite if d.id == failure.dialogue_id)
        assert 1 <= failure.turn <= len(dialogue.turns)
        assert failure.user == dialogue.turns[failure.turn - 1].user
        assert failure.reasons and all(isinstance(r, str) and r for r in failure.reasons)
        assert {"intent", "query", "answer", "products"} <= set(failure.response)
    for result in report.results:
        assert result.passed == (not result.failed_turns)
    assert report.turns_passed == report.turns - len(report.failures)
    assert sum(report.answered_by.values()) == report.turns
    assert report.answered_by.get("offline") == report.turns  # no LLM configured
    assert 0 < report.timings_ms["turn_p50"] <= report.timings_ms["turn_max"]
    summary = json.loads(json.dumps(report.summary()))
    assert {"dialogues", "passed", "pass_rate", "kinds", "failures"} <= set(summary)
    assert set(summary["kinds"]["price_negation"]) == {"dialogues", "passed", "pass_rate"}


async def test_a_failing_expectation_is_reported(sample_slice: FreshIndex, eval_settings: Settings) -> None:
    impossible = Dialogue.model_validate(
        {
            "id": "impossible",
            "kind": "probe",
            "turns": [
                {"user": "a grey sofa", "expect": {"no_products": True, "min_products": 1}},
                {"user": "cheaper ones?", "expect": {"intent": "no-such-intent"}},
            ],
        }
    )
    async with pipeline_orchestrator(sample_slice.searcher, eval_settings, eval_settings.data_dir) as orch:
        report = await arun_dialogues([impossible], orch)
    assert report.passed == 0 and report.kinds["probe"].pass_rate == 0.0
    assert report.results[0].failed_turns == [1, 2]
    first, second = report.failures
    assert any("products shown" in r for r in first.reasons)
    assert any("expected no-such-intent" in r for r in second.reasons)


class ScriptedOrchestrator:
    """Stands in for the pipeline to test the runner's mechanics (sessions, references, crashes)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, str]] = []
        self.reset_sessions: list[str] = []
        self.products = {
            "L1": Product(
                item_id="L1", title="Brass Floor Lamp", product_type="LAMP", price=91.5, material="Brass"
            ),
            "L2": Product(
                item_id="L2", title="Tripod Floor Lamp", product_type="LAMP", price=47.5, material="Wood"
            ),
        }

    async def chat(self, req: ChatRequest, trace_id: str | None = None) -> ChatResponse:
        self.calls.append((req.session_id, req.message))
        if req.message == "crash":
            raise RuntimeError("boom")
        cards = []
        answer = "The second one is made of wood."
        if req.message == "floor lamp":
            answer = "Here are two floor lamps."
            for rank, p in enumerate(self.products.values(), start=1):
                cards.append(ProductCard(item_id=p.item_id, title=p.title, product_type=p.product_type,
                                         price=p.price, why="test", rank=rank))  # fmt: skip
        return ChatResponse(
            answer=answer,
            products=cards,
            search_mode=SearchMode.hybrid,
            query=req.message,
            filters=SearchFilters(),
            answered_by="offline",
            intent="search" if cards else "ask_about",
            trace_id="t",
            session_id=req.session_id or f"issued-{len(self.calls)}",  # the gateway issues ids
        )

    async def get_product(self, item_id: str) -> Product | None:
        return self.products.get(item_id)

    async def reset(self, session_id: str) -> None:
        self.reset_sessions.append(session_id)


async def test_runner_mechanics_with_a_scripted_pipeline() -> None:
    ask = {"intent": "ask_about", "answer_contains_fact_of": {"position": 2, "field": "material"}}
    dialogues = [
        Dialogue.model_validate(
            {
                "id": "a",
                "kind": "detail",
                "turns": [{"user": "floor lamp"}, {"user": "what is the second made of?", "expect": ask}],
            }
        ),
        Dialogue.model_validate(
            {"id": "b", "kind": "crash", "turns": [{"user": "crash"}, {"user": "floor lamp"}]}
        ),
    ]
    orch = ScriptedOrchestrator()
    report = await arun_dialogues(dialogues, orch)  # type: ignore[arg-type]
    sessions = [s for s, _ in orch.calls]
    # each dialogue starts without an id and reuses the one the gateway issued; a crashed first
    # turn issued none, so the next turn starts a session
    assert sessions[0] is None and sessions[1] == "issued-1"
    assert sessions[2] is None and sessions[3] is None
    assert orch.reset_sessions == ["issued-1", "issued-4"]
    assert report.results[0].passed  # the material of item 2 (L2: Wood) came from get_product
    assert not report.results[1].passed and report.results[1].failed_turns == [1]
    assert report.failures[0].reasons[0] == "pipeline error: RuntimeError: boom"
    assert report.kinds["detail"].pass_rate == 1.0 and report.kinds["crash"].pass_rate == 0.0
    assert report.pass_rate == 0.5


TINY = [
    {"item_id": "B0SOFA0001", "title": "Grey Linen Loveseat Sofa", "type": "SOFA", "color": "Grey"},
    {"item_id": "B0SOFA0002", "title": "Blue Velvet Three Seater Sofa", "type": "SOFA", "color": "Blue"},
    {"item_id": "B0LAMP0003", "title": "Brass Floor Lamp with Linen Shade", "type": "LAMP", "color": "Gold"},
    {"item_id": "B0BOOT0004", "title": "Waterproof Leather Hiking Boots", "type": "BOOT", "color": "Brown"},
]


def _tiny_catalog(root: Path) -> Path:
    rows = [
        {
            "item_id": t["item_id"],
            "domain_name": "amazon.com",
            "item_name": [{"language_tag": "en_US", "value": t["title"]}],
            "product_type": [{"value": t["type"]}],
            "brand": [{"language_tag": "en_US", "value": "Acme"}],
            "color": [{"language_tag": "en_US", "value": t["color"], "standardized_values": [t["color"]]}],
            "bullet_point": [{"language_tag": "en_US", "value": f"A fine {t['type'].lower()}"}],
        }
        for t in TINY
    ]
    path = root / "listings" / "metadata" / "listings_0.json.gz"
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(r) for r in rows) + "\n")
    return root


def test_cli_eval_dialogues_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.cli import app

    monkeypatch.setenv("SHOPTALK_DATA_DIR", str(tmp_path / "data"))
    from ml.config import get_settings

    get_settings.cache_clear()
    catalog = _tiny_catalog(tmp_path / "abo")
    dialogues = tmp_path / "d.jsonl"
    rows = [
        {
            "id": "hi",
            "kind": "chit_chat",
            "turns": [{"user": "hello!", "expect": {"intent": "chit_chat", "no_products": True}}],
        },
        {
            "id": "sofa",
            "kind": "search",
            "turns": [{"user": "a sofa", "expect": {"product_types": ["SOFA"]}}],
        },
        {"id": "other", "kind": "other", "turns": [{"user": "a lamp"}]},
    ]
    dialogues.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "report.json"
    args = ["eval", "dialogues", "--catalog", str(catalog), "--dialogues", str(dialogues), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--kind", "chit_chat", "--kind", "search"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["dialogues"] == 2 and set(report["kinds"]) == {"chit_chat", "search"}
    assert 0.0 <= report["pass_rate"] <= 1.0
    assert "chit_chat" in result.stdout and "pass rate" in result.stdout
    assert not (tmp_path / "data" / "milvus.db").exists(), "the eval indexes into a temporary folder"
    bad = CliRunner().invoke(app, [*args, "--llm", "gpt"])
    assert bad.exit_code != 0


async def test_runner_takes_any_llm_client(
    sample_slice: FreshIndex, llm_settings: Settings, stub: Any, tmp_path: Path
) -> None:
    """The same suite runs with an LLM behind the OpenAI API (here the local stub server)."""
    from services.gateway.dialogue_eval import llm_from_choice

    client = llm_from_choice("settings", llm_settings)
    assert client is not None and llm_from_choice("offline", llm_settings) is None
    suite = [d for d in load_dialogues(SUITE) if d.id in {"price-neg-01", "superlative-01"}]
    async with pipeline_orchestrator(sample_slice.searcher, llm_settings, tmp_path / "gw", client) as orch:
        assert orch.llm is client
        report = await arun_dialogues(suite, orch)
    assert report.turns == 3 and sum(report.answered_by.values()) == 3
    assert stub.requests, "the pipeline called the configured model"
    assert set(report.kinds) == {"price_negation", "superlative"}


def test_eval_settings_isolate_state_but_share_models(tmp_path: Path) -> None:
    from services.gateway.dialogue_eval import eval_settings as isolated

    user = Settings(
        data_dir=tmp_path / "data",
        models_dir=None,
        redis_url="redis://localhost:1/0",
        handoff_db_url=SecretStr("postgresql://x/y"),
    )
    local = isolated(user, tmp_path / "run")
    assert local.data_dir == tmp_path / "run"
    assert local.redis_url is None and local.handoff_db_url is None and local.milvus_uri is None
    assert local.resolved_models_dir == tmp_path / "data" / "models"  # weights are not fetched again
    assert local.mlflow_tracking_uri is None  # no registry yet: the eval must not create one
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mlflow.db").write_bytes(b"")
    assert isolated(user, tmp_path / "run").resolved_mlflow_uri == user.resolved_mlflow_uri


async def test_answerers_side_by_side_share_one_index(
    sample_slice: FreshIndex, llm_settings: Settings, stub: Any, tmp_path: Path
) -> None:
    """offline and an LLM client over the same index: one report each, the policy's decisions equal."""
    from services.gateway.dialogue_eval import acompare_answerers

    suite = [d for d in load_dialogues(SUITE) if d.id in {"price-neg-01", "superlative-01"}]
    seen: list[tuple[str, str]] = []
    reports = await acompare_answerers(
        sample_slice.searcher,
        tmp_path,
        suite,
        llm_settings,
        ["offline", "settings"],
        on_report=lambda choice, model, report, seconds: seen.append((choice, model)),
    )
    assert seen == [("offline", "offline"), ("settings", llm_settings.llm_model)]
    offline, llm = reports["offline"], reports["settings"]
    assert offline.answered_by == {"offline": offline.turns} and stub.requests
    assert offline.turns == llm.turns == 3
    # the stub's canned text is checked like any model's: what it gets wrong falls back offline
    assert sum(llm.answered_by.values()) == 3


def test_a_local_answerer_that_cannot_start_says_why(
    monkeypatch: pytest.MonkeyPatch, eval_settings: Settings
) -> None:
    from services.gateway import dialogue_eval, local_llm

    monkeypatch.setattr(local_llm.importlib.util, "find_spec", lambda name: None)
    with (
        pytest.raises(local_llm.LocalLLMUnavailable, match="make llm"),
        dialogue_eval.answerer("qwen1.5b", eval_settings),
    ):
        pass
