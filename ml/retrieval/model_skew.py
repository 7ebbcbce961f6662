"""Model-version skew between the query embedder and the indexed vectors.

After a promotion the index may hold vectors from a new adapter while a running process embeds
queries with the old one (or the reverse): cosine scores across two embedding spaces are
meaningless, so the vector half must not be mixed in. :func:`check_versions` samples a few stored
rows (never a scan of a large collection) and compares their ``model_version`` with the embedder's.

``HybridSearcher.version_skew`` holds the last verdict; while it is set, searches refuse the
vector half (``degraded: embedder-version-mismatch``). ``SHOPTALK_EMBEDDER_VERSION_MISMATCH``
chooses ``refuse`` (default) or ``reload`` (rebuild the embedder from settings — e.g. the
registry's new champion — and check again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ml.logging import get_logger

log = get_logger(__name__)

SAMPLE_ROWS = 16
REASON = "embedder-version-mismatch"


@dataclass(frozen=True)
class VersionCheck:
    query_version: str | None
    index_versions: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def mismatch(self) -> bool:
        """True when the index holds vectors and none of the sampled ones is the query model's."""
        if self.query_version is None or not self.index_versions:
            return False
        return self.query_version not in self.index_versions

    @property
    def reason(self) -> str | None:
        if not self.mismatch:
            return None
        stored = ", ".join(sorted(self.index_versions))
        return f"query embedder is {self.query_version!r}, indexed vectors are {stored}"


def sample_versions(index: Any, n: int = SAMPLE_ROWS) -> dict[str, int]:
    """``model_version → rows`` over a small sample of stored vectors.

    Uses the index's ``sample_model_versions(n)`` when it has one, a limited Milvus query when it
    is a Milvus index, else ``model_versions()`` (small in-memory indexes)."""
    sampler = getattr(index, "sample_model_versions", None)
    if callable(sampler):
        versions = list(sampler(n))
    elif callable(getattr(index, "_query", None)):
        rows = index._query('item_id != ""', ["item_id", "model_version"], limit=n)
        versions = [str(r.get("model_version", "")) for r in rows]
    else:
        versions = list(index.model_versions().values())[:n]
    return dict(Counter(v for v in versions if v))


def check_versions(searcher: Any, n: int = SAMPLE_ROWS) -> VersionCheck:
    """Compare; records the verdict on ``searcher.version_skew`` (a reason string or ``None``)."""
    embedder, index = getattr(searcher, "embedder", None), getattr(searcher, "vector", None)
    if embedder is None or index is None:
        return VersionCheck(None)
    try:
        query_version = str(embedder.model_version)
        stored = sample_versions(index, n)
    except Exception as exc:  # an outage is reported by readiness, not as skew
        return VersionCheck(None, error=f"{type(exc).__name__}: {exc}"[:200])
    check = VersionCheck(query_version, stored)
    previous = getattr(searcher, "version_skew", None)
    searcher.version_skew = check.reason
    if check.mismatch and previous != check.reason:
        log.error("search.embedder_version_mismatch", query_version=query_version, indexed=stored)
    elif previous and not check.mismatch:
        log.info("search.embedder_version_match", query_version=query_version)
    return check


def check_or_reload(searcher: Any, settings: Any, n: int = SAMPLE_ROWS) -> VersionCheck:
    """:func:`check_versions`; with ``embedder_version_mismatch=reload`` a mismatch rebuilds the
    embedder from settings (the query cache is keyed by version, so no stale vector survives)."""
    check = check_versions(searcher, n)
    if check.mismatch and getattr(settings, "embedder_version_mismatch", "refuse") == "reload":
        from ml.retrieval.factory import build_embedder

        log.info("search.embedder_reload", reason=check.reason)
        try:
            searcher.embedder = build_embedder(settings)
        except Exception as exc:
            log.error("search.embedder_reload_failed", error=str(exc)[:200])
            return check
        check = check_versions(searcher, n)
    return check
