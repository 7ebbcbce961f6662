"""Builds indexes, embedder and searcher from :class:`~ml.config.Settings`.

A backend is chosen by whether its URL is set; the embedded defaults live under the data dir.
"""

from __future__ import annotations

from ml.config import Settings
from ml.embedding.protocol import Embedder
from ml.retrieval.engine import HybridSearcher
from ml.retrieval.fusion_weights import AdaptiveWeights
from ml.retrieval.protocols import KeywordIndex, Reranker, VectorIndex


def build_keyword_index(settings: Settings) -> KeywordIndex:
    if settings.elasticsearch_url:
        from ml.retrieval.elasticsearch_index import ElasticsearchKeywordIndex

        key = settings.elasticsearch_api_key.get_secret_value() if settings.elasticsearch_api_key else None
        return ElasticsearchKeywordIndex(
            settings.elasticsearch_url, settings.elasticsearch_index, api_key=key
        )
    from ml.retrieval.tantivy_index import TantivyKeywordIndex

    return TantivyKeywordIndex(settings.keyword_index_dir)


def build_vector_index(settings: Settings, dim: int) -> VectorIndex:
    from ml.retrieval.milvus_index import MilvusVectorIndex

    if not settings.milvus_uri:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
    return MilvusVectorIndex(settings.resolved_milvus_uri, settings.milvus_collection, dim, token=token)


def build_embedder(settings: Settings) -> Embedder:
    """The KServe ``embedder`` service when its URL is set, else the model in-process."""
    if settings.embedder_url:
        from ml.embedding.remote import RemoteEmbedder

        return RemoteEmbedder(settings.embedder_url, timeout_s=settings.service_timeout_s, settings=settings)
    from ml.embedding.choice import build_local_embedder

    return build_local_embedder(settings)  # SHOPTALK_EMBEDDING_MODEL: minilm | mpnet | bge-small | folder


def build_reranker(settings: Settings) -> Reranker:
    """``RemoteReranker`` when ``SHOPTALK_RERANKER_URL`` is set, else the ONNX cross-encoder in-process
    (loaded on first use, so a ``fast`` searcher never pays for it)."""
    from ml.retrieval.rerank import build_reranker as build

    return build(settings)


def build_searcher(
    settings: Settings, embedder: Embedder | None = None, reranker: Reranker | None = None
) -> HybridSearcher:
    """The searcher for ``settings`` (``SHOPTALK_SEARCH_PROFILE`` picks its default profile). The
    reranker is always attached (it loads lazily), so a per-request ``profile="quality"`` works too."""
    embedder = embedder or build_embedder(settings)
    reranker = reranker or build_reranker(settings)
    return assemble_searcher(
        settings,
        build_keyword_index(settings),
        build_vector_index(settings, embedder.dim),
        embedder,
        reranker,
    )


def assemble_searcher(
    settings: Settings,
    keyword: KeywordIndex | None,
    vector: VectorIndex | None,
    embedder: Embedder | None,
    reranker: Reranker | None,
) -> HybridSearcher:
    """A :class:`HybridSearcher` over given indexes with every fusion and rerank setting applied."""
    return HybridSearcher(
        keyword,
        vector,
        embedder,
        rrf_k=settings.rrf_k,
        keyword_weight=settings.keyword_weight,
        vector_weight=settings.vector_weight,
        candidate_pool=settings.candidate_pool,
        reranker=reranker,
        profile=settings.search_profile,
        rerank_top_n=settings.rerank_top_n,
        rerank_fused_weight=settings.rerank_fused_weight,
        rerank_blend_k=settings.rerank_blend_k,
        fusion_rule=AdaptiveWeights() if settings.adaptive_fusion else None,
    )
