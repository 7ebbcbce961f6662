"""The reranking stage: a cross-encoder rescoring the top fused hits, inside a time budget.

``CrossEncoderReranker`` runs ms-marco-MiniLM-L-12-v2 (INT8 ONNX, weights fetched and verified
by :mod:`ml.models`) in-process with onnxruntime; ``RemoteReranker``
(:mod:`ml.retrieval.rerank_remote`) calls the KServe ``reranker`` service. Both implement
:class:`~ml.retrieval.protocols.Reranker`: the first ``top_n`` hits come back reordered by the
cross-encoder with ``rerank_score`` set, the rest follow in fused order, each half's rank kept.

A request has a budget (``rerank_budget_ms``): batches are checked against the deadline and a
running ONNX call is cancelled when the deadline passes (``RunOptions.terminate``), raising
:class:`~ml.retrieval.protocols.RerankerTimeout`. :func:`rerank_or_fallback` is what a
searcher calls after fusion: it never raises, and returns the fused order plus the
``degraded`` flag (``reranker-timeout`` / ``reranker-unavailable``) when the stage could not serve.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.catalog.product import Product
from ml.logging import get_logger
from ml.retrieval.fusion import DEFAULT_RRF_K
from ml.retrieval.protocols import Reranker, RerankerTimeout, RerankerUnavailable
from ml.retrieval.types import Hit

if TYPE_CHECKING:
    from ml.config import Settings

log = get_logger(__name__)
WEIGHTS_KEY = "reranker"
MAX_DOCUMENT_CHARS = 1200
MAX_QUERY_CHARS = 512
_MAX_BULLET_CHARS = 240


# --- document text -----------------------------------------------------------------------------
def rerank_document(product: Product, max_chars: int = MAX_DOCUMENT_CHARS) -> str:
    """Title, then key attributes, then bullets — the order the token budget cuts from the end.

    About 1,200 characters is ~250 word pieces, more than the query + document pair the model reads,
    so the tokenizer does the final, exact cut (128 tokens by default) and the title and attributes
    always survive.
    """
    attributes: list[str] = []
    if product.brand:
        attributes.append(f"Brand: {product.brand}")
    if product.product_type and product.product_type != "UNKNOWN":
        attributes.append(f"Type: {product.display_type}")
    colour = product.color_text or ", ".join(product.colors)
    for label, value in (
        ("Colour", colour),
        ("Material", product.material),
        ("Style", product.style),
        ("Pattern", product.pattern),
        ("Model", " ".join(filter(None, [product.model_name, product.model_number]))),
    ):
        if value:
            attributes.append(f"{label}: {value}")
    pieces = [product.title.strip(), ". ".join(attributes)]
    if product.caption:
        pieces.append(f"Image: {product.caption}")
    text = ". ".join(p for p in pieces if p)
    for bullet in product.bullets:
        if len(text) >= max_chars:
            break
        bullet = " ".join(bullet.split())[:_MAX_BULLET_CHARS]
        if bullet:
            text = f"{text}. {bullet}"
    return text[:max_chars]


# --- reordering (shared by every implementation) -------------------------------------------------
def apply_scores(hits: Sequence[Hit], scores: Sequence[float]) -> list[Hit]:
    """The first ``len(scores)`` hits ordered by score (ties keep fused order), then the rest."""
    head, tail = list(hits[: len(scores)]), list(hits[len(scores) :])
    order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), head[i].rank))
    out = [
        head[i].model_copy(update={"rank": position, "rerank_score": round(float(scores[i]), 4)})
        for position, i in enumerate(order, start=1)
    ]
    out.extend(hit.model_copy(update={"rank": len(out) + j}) for j, hit in enumerate(tail, start=1))
    return out


def blend_with_fused(
    fused: Sequence[Hit], reranked: Sequence[Hit], fused_weight: float, k: int = DEFAULT_RRF_K
) -> list[Hit]:
    """The reranked head ordered by reciprocal-rank fusion of two positions: the cross-encoder's
    (weight 1) and the fused order's (weight ``fused_weight``; 0 keeps the cross-encoder's order).

    The cross-encoder alone throws away what fusion knew (an exact title or brand match it scores
    lower than a wordier listing); a little of the fused order back can keep those. The weight is
    learned on generated queries (:mod:`ml.evaluation.rerank_tuning`), not on the golden set; on
    the sample generator's catalog the best blend did not carry over to held-out queries
    (docs/benchmarks/rerank_tuning.json), so the default weight is 0.
    """
    head = [hit for hit in reranked if hit.rerank_score is not None]
    if fused_weight <= 0 or len(head) < 2:
        return list(reranked)
    fused_position = {hit.item_id: position for position, hit in enumerate(fused, start=1)}
    score = {
        hit.item_id: 1.0 / (k + position) + fused_weight / (k + fused_position.get(hit.item_id, len(fused)))
        for position, hit in enumerate(head, start=1)
    }
    order = sorted(range(len(head)), key=lambda i: (-score[head[i].item_id], i))
    out = [head[i].model_copy(update={"rank": position}) for position, i in enumerate(order, start=1)]
    rest = [hit for hit in reranked if hit.rerank_score is None]
    out.extend(hit.model_copy(update={"rank": len(out) + j}) for j, hit in enumerate(rest, start=1))
    return out


@dataclass(frozen=True)
class RerankOutcome:
    hits: list[Hit]
    degraded: str | None  # None, "reranker-timeout" or "reranker-unavailable"
    elapsed_ms: float


def rerank_or_fallback(
    reranker: Reranker | None,
    query: str,
    hits: Sequence[Hit],
    top_n: int,
    *,
    fused_weight: float = 0.0,
    blend_k: int = DEFAULT_RRF_K,
) -> RerankOutcome:
    """Rerank (blended with the fused order by ``fused_weight``, :func:`blend_with_fused`), or
    serve the fused order with the reason in ``degraded``; never raises."""
    start = time.perf_counter()
    if reranker is None:
        return RerankOutcome(list(hits), "reranker-unavailable", 0.0)
    if len(hits) < 2 or top_n < 2:
        return RerankOutcome(list(hits), None, 0.0)
    try:
        reranked = blend_with_fused(hits, reranker.rerank(query, hits, top_n), fused_weight, blend_k)
        degraded = None
    except RerankerUnavailable as exc:
        reranked, degraded = list(hits), exc.degraded
        log.warning("rerank.fallback", reason=degraded, error=str(exc)[:200])
    except Exception as exc:  # a reranker bug must not fail the search
        reranked, degraded = list(hits), RerankerUnavailable.degraded
        log.exception("rerank.failed", error=type(exc).__name__)
    return RerankOutcome(reranked, degraded, round((time.perf_counter() - start) * 1000, 3))


# --- in-process cross-encoder -----------------------------------------------------------------------
_OPTIMIZATION_LEVELS: dict[str, Any] = {
    "disable": lambda ort: ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": lambda ort: ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": lambda ort: ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": lambda ort: ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


class CrossEncoderReranker:
    """ms-marco-MiniLM-L-12-v2 INT8 ONNX; thread-safe, loads (and verifies) on first use."""

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threads: int = 1,
        batch_size: int = 5,
        max_tokens: int = 128,
        budget_ms: float | None = 800.0,
        models_dir: Path | None = None,
        optimization: str = "all",
        allow_spinning: bool = False,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else None
        self.models_dir = models_dir
        self.threads = threads
        self.batch_size = max(1, batch_size)
        self.max_tokens = max_tokens
        self.budget_ms = budget_ms
        # onnxruntime session options (ml/retrieval/rerank_bench.py measures them): graph
        # optimisation level (disable | basic | extended | all) and whether idle intra-op threads
        # spin (fast on an idle machine, wasted cores on a shared one).
        self.optimization = optimization
        self.allow_spinning = allow_spinning
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> CrossEncoderReranker:
        return cls(
            threads=settings.reranker_threads,
            batch_size=settings.rerank_batch_size,
            max_tokens=settings.rerank_max_tokens,
            budget_ms=settings.rerank_budget_ms,
            models_dir=settings.resolved_models_dir,
        )

    @property
    def model_version(self) -> str:
        if self.model_dir is not None:
            return self.model_dir.name
        from ml.models.manifest import get_spec

        return get_spec(WEIGHTS_KEY).model

    def _resolve_dir(self) -> Path:
        """The verified weights folder; a folder given by path is verified when it is the manifest's."""
        from ml.models.fetch import resolve
        from ml.models.manifest import verify_known_folder

        if self.model_dir is None:
            return resolve(WEIGHTS_KEY, self.models_dir)
        verify_known_folder(self.model_dir)
        return self.model_dir

    def load(self) -> CrossEncoderReranker:
        with self._lock:
            if self._session is not None:
                return self
            import onnxruntime as ort
            from tokenizers import Tokenizer

            folder = self._resolve_dir()
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=self.max_tokens, strategy="longest_first")
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in each batch
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = _OPTIMIZATION_LEVELS[self.optimization](ort)
            options.add_session_config_entry(
                "session.intra_op.allow_spinning", "1" if self.allow_spinning else "0"
            )
            providers = ["CPUExecutionProvider"]
            if "CUDAExecutionProvider" in ort.get_available_providers():  # onnxruntime-gpu images
                providers.insert(0, "CUDAExecutionProvider")
            session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=providers)
            self._input_names = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session
            log.info("reranker.loaded", model=self.model_version, threads=self.threads, path=str(folder))
        return self

    def _run_batch(self, pairs: list[tuple[str, str]], deadline: float | None, budget: float) -> np.ndarray:
        import onnxruntime as ort

        encodings = self._tokenizer.encode_batch(pairs)
        feeds = {
            "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
        }
        feeds = {name: value for name, value in feeds.items() if name in self._input_names}
        options = ort.RunOptions()
        timer: threading.Timer | None = None
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise RerankerTimeout(f"rerank budget of {budget:.0f} ms spent before a batch")

            def cancel() -> None:
                options.terminate = True

            timer = threading.Timer(remaining, cancel)
            timer.daemon = True
            timer.start()
        try:
            (logits,) = self._session.run(["logits"], feeds, options)
        except Exception as exc:
            if options.terminate:
                raise RerankerTimeout(f"rerank budget of {budget:.0f} ms exceeded") from exc
            raise RerankerUnavailable(f"cross-encoder failed: {type(exc).__name__}: {exc}") from exc
        finally:
            if timer is not None:
                timer.cancel()
        return np.asarray(logits, dtype=np.float32).reshape(len(pairs), -1)[:, 0]

    def score(self, query: str, documents: Sequence[str], budget_ms: float | None = None) -> np.ndarray:
        """Relevance logits of ``documents`` for ``query`` (higher is better), within the budget."""
        if not documents:
            return np.zeros(0, dtype=np.float32)
        try:
            self.load()
        except Exception as exc:
            raise RerankerUnavailable(f"reranker cannot load: {exc}") from exc
        budget = self.budget_ms if budget_ms is None else budget_ms
        deadline = time.perf_counter() + budget / 1000 if budget else None
        query = query[:MAX_QUERY_CHARS]
        # Similar lengths share a batch, so short listings are not padded to the longest one.
        order = sorted(range(len(documents)), key=lambda i: len(documents[i]))
        scores = np.zeros(len(documents), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            batch = [(query, documents[i]) for i in chunk]
            scores[chunk] = self._run_batch(batch, deadline, budget or 0.0)
        return scores

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        head = list(hits[: max(0, top_n)])
        if len(head) < 2:
            return list(hits)
        scores = self.score(query, [rerank_document(hit.product) for hit in head])
        return apply_scores(hits, scores.tolist())


def build_reranker(settings: Settings) -> Reranker:
    """The KServe ``reranker`` service when its URL is set, else the cross-encoder in-process."""
    if settings.reranker_url:
        from ml.retrieval.rerank_remote import RemoteReranker

        return RemoteReranker.from_settings(settings)
    return CrossEncoderReranker.from_settings(settings)
