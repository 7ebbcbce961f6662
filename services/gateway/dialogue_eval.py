"""Scripted dialogues through the real chat pipeline: ``shoptalk eval dialogues``.

:func:`run_dialogues` plays each dialogue in a fresh session, turn by turn through
:meth:`ChatOrchestrator.chat`, and checks every turn with :func:`ml.evaluation.dialogues.check_turn`.
A dialogue passes when all its turns pass. :func:`eval_orchestrator` builds the pipeline the
gateway runs (``create_app``) over fresh embedded indexes of a catalog, with the offline answerer
or any configured LLM client, so the same suite compares answerers side by side.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from statistics import median
from typing import Any

from pydantic import BaseModel, Field

from ml.benchmarks.stats import percentile
from ml.catalog.product import Product
from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.evaluation.dialogues import Dialogue, TurnContext, check_turn, summarize_response
from ml.evaluation.runner import fresh_index
from ml.logging import get_logger
from ml.retrieval.engine import HybridSearcher
from services.gateway.app import create_app
from services.gateway.llm import LLMClient
from services.gateway.local_llm import LOCAL_MAX_TOKENS, LOCAL_MODELS, local_client, start_local_llm
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.schemas import ChatRequest

log = get_logger(__name__)


class TurnFailure(BaseModel):
    dialogue_id: str
    kind: str
    turn: int = Field(description="1-based turn number.")
    user: str
    reasons: list[str]
    response: dict[str, Any] = Field(description="A short summary of what the assistant returned.")


class DialogueResult(BaseModel):
    id: str
    kind: str
    passed: bool
    turns: int
    failed_turns: list[int] = Field(default_factory=list)
    seconds: float


class KindSummary(BaseModel):
    dialogues: int
    passed: int
    pass_rate: float


class DialogueReport(BaseModel):
    dialogues: int
    passed: int
    pass_rate: float
    turns: int
    turns_passed: int
    kinds: dict[str, KindSummary]
    failures: list[TurnFailure]
    results: list[DialogueResult]
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="Per-turn latency p50/p95/max, total."
    )
    answered_by: dict[str, int] = Field(default_factory=dict, description="Turns answered by llm / offline.")
    degraded: dict[str, int] = Field(default_factory=dict, description="Turns per degraded reason.")

    def summary(self) -> dict[str, Any]:
        """The CLI's JSON: totals, per kind, failures."""
        return {
            "dialogues": self.dialogues,
            "passed": self.passed,
            "pass_rate": self.pass_rate,
            "turns": self.turns,
            "turns_passed": self.turns_passed,
            "kinds": {k: v.model_dump() for k, v in self.kinds.items()},
            "failures": [f.model_dump() for f in self.failures],
            "timings_ms": self.timings_ms,
            "answered_by": self.answered_by,
            "degraded": self.degraded,
        }


def _rate(passed: int, total: int) -> float:
    return round(passed / total, 4) if total else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    """``q`` in 0..1, 0.0 for no values (:func:`ml.benchmarks.stats.percentile`)."""
    return percentile(values, q * 100) if values else 0.0


async def _facts_lookup(orchestrator: ChatOrchestrator, ids: set[str]) -> dict[str, Product | None]:
    out: dict[str, Product | None] = {}
    for item_id in ids:
        out[item_id] = await orchestrator.get_product(item_id)
    return out


async def arun_dialogues(
    dialogues: Sequence[Dialogue],
    orchestrator: ChatOrchestrator,
    progress: Callable[[int, int], None] | None = None,
) -> DialogueReport:
    """Play every dialogue (fresh session each) through the orchestrator and check each turn."""
    results: list[DialogueResult] = []
    failures: list[TurnFailure] = []
    latencies: list[float] = []
    answered_by: dict[str, int] = defaultdict(int)
    degraded: dict[str, int] = defaultdict(int)
    turns_total = turns_passed = 0
    started_all = time.perf_counter()
    if progress:
        progress(0, len(dialogues))
    for number, dialogue in enumerate(dialogues, start=1):
        session_id: str | None = None  # issued by the gateway on the first turn, then reused
        previous: list[dict[str, Any]] = []
        failed: list[int] = []
        started = time.perf_counter()
        for turn_no, turn in enumerate(dialogue.turns, start=1):
            t0 = time.perf_counter()
            try:
                response = await orchestrator.chat(ChatRequest(session_id=session_id, message=turn.user))
                session_id = response.session_id
                data = response.model_dump(mode="json")
            except Exception as exc:  # a crash is a failed turn, not a failed run
                log.warning("dialogue_eval.turn_error", dialogue=dialogue.id, turn=turn_no, error=str(exc))
                data = {"answer": "", "products": [], "error": f"{type(exc).__name__}: {exc}"}
            latencies.append((time.perf_counter() - t0) * 1000)
            answered_by[str(data.get("answered_by", "error"))] += 1
            for reason in filter(None, str(data.get("degraded") or "").split(",")):
                degraded[reason] += 1
            context = TurnContext(previous=previous)
            shown = {str(c.get("item_id")) for c in context.shown_before()}
            context.facts = (await _facts_lookup(orchestrator, shown)).get
            reasons = check_turn(turn.expect, data, context)
            if "error" in data:
                reasons.insert(0, f"pipeline error: {data['error']}")
            turns_total += 1
            if reasons:
                failed.append(turn_no)
                failures.append(
                    TurnFailure(
                        dialogue_id=dialogue.id,
                        kind=dialogue.kind,
                        turn=turn_no,
                        user=turn.user,
                        reasons=reasons,
                        response=summarize_response(data),
                    )
                )
            else:
                turns_passed += 1
            previous.append(data)
        try:
            if session_id is not None:
                await orchestrator.reset(session_id)
        except Exception as exc:
            log.info("dialogue_eval.reset_failed", error=str(exc))
        results.append(
            DialogueResult(
                id=dialogue.id,
                kind=dialogue.kind,
                passed=not failed,
                turns=len(dialogue.turns),
                failed_turns=failed,
                seconds=round(time.perf_counter() - started, 3),
            )
        )
        if progress:
            progress(number, len(dialogues))
    kinds: dict[str, KindSummary] = {}
    for kind in sorted({r.kind for r in results}):
        of_kind = [r for r in results if r.kind == kind]
        ok = sum(r.passed for r in of_kind)
        kinds[kind] = KindSummary(dialogues=len(of_kind), passed=ok, pass_rate=_rate(ok, len(of_kind)))
    passed = sum(r.passed for r in results)
    report = DialogueReport(
        dialogues=len(results),
        passed=passed,
        pass_rate=_rate(passed, len(results)),
        turns=turns_total,
        turns_passed=turns_passed,
        kinds=kinds,
        failures=failures,
        results=results,
        timings_ms={
            "turn_p50": round(median(latencies), 2) if latencies else 0.0,
            "turn_p95": round(_percentile(latencies, 0.95), 2),
            "turn_max": round(max(latencies, default=0.0), 2),
            "total": round((time.perf_counter() - started_all) * 1000, 2),
        },
        answered_by=dict(answered_by),
        degraded=dict(degraded),
    )
    log.info(
        "dialogue_eval.done",
        dialogues=report.dialogues,
        passed=report.passed,
        pass_rate=report.pass_rate,
        turn_p50_ms=report.timings_ms["turn_p50"],
    )
    return report


def run_dialogues(
    dialogues: Sequence[Dialogue],
    orchestrator: ChatOrchestrator,
    progress: Callable[[int, int], None] | None = None,
) -> DialogueReport:
    """Synchronous :func:`arun_dialogues` (not from inside a running event loop)."""
    return asyncio.run(arun_dialogues(dialogues, orchestrator, progress))


def llm_from_choice(choice: str, settings: Settings) -> LLMClient | None:
    """``offline``: no LLM (the grounded offline answerer); ``settings``: the configured client."""
    if choice == "offline":
        return None
    if choice == "settings":
        client = LLMClient.from_settings(settings)
        if client is None:
            log.warning("dialogue_eval.no_llm_configured", hint="set SHOPTALK_OPENAI_API_KEY / base URL")
        return client
    raise ValueError(f"unknown LLM choice {choice!r} (offline or settings)")


ANSWERERS = ("offline", "settings", *LOCAL_MODELS)


def first_per_kind(dialogues: Sequence[Dialogue], n: int) -> list[Dialogue]:
    """The first ``n`` dialogues of each kind, in file order: a stratified subset for slow answerers."""
    taken: dict[str, int] = defaultdict(int)
    out = []
    for dialogue in dialogues:
        taken[dialogue.kind] += 1
        if taken[dialogue.kind] <= n:
            out.append(dialogue)
    return out


@contextmanager
def answerer(
    choice: str, settings: Settings, timeout_s: float = 600.0, max_tokens: int = LOCAL_MAX_TOKENS
) -> Iterator[tuple[LLMClient | None, str]]:
    """The LLM client for ``choice`` and its model name: ``offline``, ``settings``, or a local model key
    (``smollm2``, ``qwen1.5b``: its llama.cpp server is started here and stopped on exit).

    A local model that cannot start raises :class:`LocalLLMUnavailable` (one line: why). The eval
    measures wording, not latency (reported in its timings): a loaded CPU gets a long deadline."""
    if choice not in LOCAL_MODELS:
        client = llm_from_choice(choice, settings)
        yield client, client.model if client is not None else "offline"
        return
    server = start_local_llm(choice, timeout_s=300, models_dir=settings.resolved_models_dir)
    try:
        yield local_client(server, timeout_s=timeout_s, max_tokens=max_tokens), server.model.alias
    finally:
        server.stop()


def eval_settings(settings: Settings, data_dir: Path) -> Settings:
    """Settings for an isolated run: state under ``data_dir``, in-memory sessions, no servers.

    The model registry stays where it was (the trained intent model and adapter are read from
    it), but only when it already exists, so an eval never creates one; so does the models folder
    (fetched weights). The catalog vocabulary and handoffs live in the temporary folder.
    """
    update: dict[str, Any] = {
        "data_dir": data_dir,
        "elasticsearch_url": None,
        "milvus_uri": None,
        "redis_url": None,
        "drift_sample_rate": 0.0,
        "rate_limit_rps": 0.0,
        "max_inflight_requests": 0,
    }
    registry = settings.data_dir / "mlflow.db"
    if settings.mlflow_tracking_uri or registry.exists():
        update["mlflow_tracking_uri"] = settings.resolved_mlflow_uri
    if "models_dir" in Settings.model_fields:  # fetched weights and cached models are shared, not refetched
        update["models_dir"] = getattr(settings, "models_dir", None) or settings.data_dir / "models"
    if "handoff_db_url" in Settings.model_fields:  # eval handoffs go to SQLite in the temp dir
        update["handoff_db_url"] = None
    return settings.model_copy(update=update)


@asynccontextmanager
async def pipeline_orchestrator(
    searcher: HybridSearcher, settings: Settings, data_dir: Path, llm: LLMClient | None = None
) -> AsyncIterator[ChatOrchestrator]:
    """The orchestrator exactly as the gateway builds it (``create_app``, started and stopped)."""
    local = eval_settings(settings, data_dir)
    local.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(local, searcher=searcher, llm=llm or False)
    async with app.router.lifespan_context(app):
        yield app.state.orchestrator


async def acompare_answerers(
    searcher: HybridSearcher,
    data_dir: Path,
    dialogues: Sequence[Dialogue],
    settings: Settings,
    choices: Sequence[str],
    on_report: Callable[[str, str, DialogueReport, float], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, DialogueReport]:
    """The same suite over one index, once per answerer in a fresh pipeline (``on_report`` after each).

    The policy decides and computes the facts in every run; only the wording of result lists (and
    its check + offline fallback) differs between answerers, so a lower pass rate is the model's."""
    reports: dict[str, DialogueReport] = {}
    for choice in choices:
        started = time.perf_counter()
        with answerer(choice, settings) as (client, model):
            folder = data_dir / f"gateway-{choice}"
            async with pipeline_orchestrator(searcher, settings, folder, client) as orch:
                reports[choice] = await arun_dialogues(dialogues, orch, progress)
        if on_report is not None:
            on_report(choice, model, reports[choice], time.perf_counter() - started)
    return reports


@asynccontextmanager
async def eval_orchestrator(
    catalog: str | Path,
    settings: Settings,
    llm: LLMClient | None = None,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AsyncIterator[ChatOrchestrator]:
    """The gateway's own pipeline over fresh embedded indexes of ``catalog`` (removed on exit)."""
    with fresh_index(catalog, settings, embedder, progress) as fresh:
        async with pipeline_orchestrator(fresh.searcher, settings, fresh.data_dir / "gateway", llm) as orch:
            yield orch


async def aevaluate_catalog(
    catalog: str | Path,
    dialogues: Sequence[Dialogue],
    settings: Settings,
    llm: LLMClient | None = None,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
    index_progress: Callable[[int, int], None] | None = None,
) -> DialogueReport:
    async with eval_orchestrator(catalog, settings, llm, embedder, index_progress) as orchestrator:
        return await arun_dialogues(dialogues, orchestrator, progress)


def evaluate_catalog(
    catalog: str | Path,
    dialogues: Sequence[Dialogue],
    settings: Settings,
    llm: LLMClient | None = None,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
    index_progress: Callable[[int, int], None] | None = None,
) -> DialogueReport:
    """Index ``catalog`` fresh, build the pipeline, play ``dialogues``; nothing persists."""
    return asyncio.run(
        aevaluate_catalog(catalog, dialogues, settings, llm, embedder, progress, index_progress)
    )
