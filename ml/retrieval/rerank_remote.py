"""``RemoteReranker``: the :class:`~ml.retrieval.protocols.Reranker` seam backed by the KServe
``reranker`` service (v2: BYTES ``query`` + BYTES ``documents`` → FP32 ``scores``).

Document texts are built here (:func:`~ml.retrieval.rerank.rerank_document`), so the service
stays thin. The HTTP timeout is the rerank budget and there are no retries inside it (a retry
would blow the budget); a circuit breaker stops calling a dead service. A timeout raises
:class:`RerankerTimeout`, any other outage :class:`RerankerUnavailable`; the searcher then
serves the fused order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ml.clients.errors import ServiceRequestError, ServiceUnavailable
from ml.clients.reranker import RerankerClient, parse_scores, rerank_inputs
from ml.clients.retry import RetryPolicy
from ml.clients.v2 import breaker_from_settings
from ml.retrieval.protocols import RerankerTimeout, RerankerUnavailable
from ml.retrieval.rerank import apply_scores, rerank_document
from ml.retrieval.types import Hit

if TYPE_CHECKING:
    from ml.config import Settings


class RemoteReranker:
    def __init__(self, client: RerankerClient, budget_ms: float = 800.0) -> None:
        self.client = client
        self.budget_ms = budget_ms
        self._version = "reranker-service"

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteReranker:
        assert settings.reranker_url, "reranker_url is not set"
        budget_s = settings.rerank_budget_ms / 1000
        client = RerankerClient(
            settings.reranker_url,
            timeout_s=budget_s,
            retry=RetryPolicy(retries=0),
            breaker=breaker_from_settings(settings),
        )
        return cls(client, settings.rerank_budget_ms)

    @property
    def model_version(self) -> str:
        return self._version

    def score(self, query: str, documents: Sequence[str]) -> list[float]:
        start = time.perf_counter()
        try:
            response = self.client.infer(rerank_inputs(query, documents))
        except ServiceUnavailable as exc:
            if (time.perf_counter() - start) * 1000 >= 0.95 * self.budget_ms or "Timeout" in str(exc):
                raise RerankerTimeout(
                    f"reranker service over its {self.budget_ms:.0f} ms budget: {exc}"
                ) from exc
            raise RerankerUnavailable(str(exc)) from exc
        except ServiceRequestError as exc:  # our own payload was refused: a bug, but search goes on
            raise RerankerUnavailable(str(exc)) from exc
        try:
            scores = parse_scores(response, len(documents))
        except ServiceUnavailable as exc:
            raise RerankerUnavailable(str(exc)) from exc
        version = (response.get("parameters") or {}).get("model_version")
        if version:
            self._version = str(version)
        return [float(s) for s in scores]

    def rerank(self, query: str, hits: Sequence[Hit], top_n: int) -> list[Hit]:
        head = list(hits[: max(0, top_n)])
        if len(head) < 2:
            return list(hits)
        scores = self.score(query, [rerank_document(hit.product) for hit in head])
        return apply_scores(hits, scores)

    def ready(self) -> bool:
        return self.client.ready()

    def close(self) -> None:
        self.client.close()
