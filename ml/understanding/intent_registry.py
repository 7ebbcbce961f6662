"""The intent model in the MLflow registry: its ``ModelRegistry`` and the champion loader.

The gateway calls :func:`load_champion_intent_model` at start-up. It asks the registry
(local SQLite under the data dir by default, an MLflow server by ``SHOPTALK_MLFLOW_TRACKING_URI``)
which version is ``champion``, loads that version from the local cache
(``DATA_DIR/models/intents/<name>/v<version>``) or downloads it there first, and verifies the
weights' sha256. No champion, no MLflow, or a broken artifact → ``None`` and a log line saying
why (when the registry itself is unreachable, the newest cached version is used instead).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ml.config import Settings
from ml.logging import get_logger
from ml.understanding.intent_model import IntentClassifier, IntentModelError

if TYPE_CHECKING:
    from ml.embedding.sentence import SentenceEmbedder
    from ml.training.registry import ModelRegistry

log = get_logger(__name__)

INTENT_ARTIFACT = "intent_model"
INTENT_EXPERIMENT = "shoptalk-intents"
DESCRIPTION = "ShopTalk turn intent classifier (all-MiniLM-L6-v2 embeddings + hashed n-grams)."


def intent_registry(settings: Settings) -> ModelRegistry:
    from ml.training.registry import ModelRegistry

    return ModelRegistry.from_settings(settings, settings.intent_model_name, DESCRIPTION)


def cache_root(settings: Settings) -> Path:
    return settings.data_dir / "models" / "intents" / settings.intent_model_name


def load_version(
    registry: ModelRegistry, version: str, cache: Path, embedder: SentenceEmbedder | None = None
) -> IntentClassifier:
    """One registered version, from the cache or downloaded into it (sha256 checked either way)."""
    folder = cache / f"v{version}"
    if folder.is_dir():
        try:
            return IntentClassifier.load(folder, embedder)
        except (IntentModelError, OSError, ValueError) as exc:
            log.warning("intent_model.cache_invalid", version=version, folder=str(folder), error=str(exc))
            shutil.rmtree(folder, ignore_errors=True)
    import mlflow

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bar in server logs
    mlflow.set_tracking_uri(registry.tracking_uri)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".download-") as tmp:
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=f"models:/{registry.model_name}/{version}", dst_path=tmp
            )
        )
        model = IntentClassifier.load(local, embedder)  # verify before caching
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(_model_dir(local), folder)
    return model


def _model_dir(root: Path) -> Path:
    from ml.understanding.intent_model import find_model_dir

    return find_model_dir(root)


def _newest_cached(cache: Path, embedder: SentenceEmbedder | None) -> tuple[str, IntentClassifier] | None:
    if not cache.is_dir():
        return None
    versions = sorted(
        (p for p in cache.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit()),
        key=lambda p: int(p.name[1:]),
        reverse=True,
    )
    for folder in versions:
        try:
            return folder.name[1:], IntentClassifier.load(folder, embedder)
        except (IntentModelError, OSError, ValueError):
            continue
    return None


def load_champion_intent_model(
    settings: Settings, embedder: SentenceEmbedder | None = None
) -> IntentClassifier | None:
    """The registry's ``champion`` intent model, or ``None`` (logged) when there is none."""
    cache = cache_root(settings)
    try:
        registry = intent_registry(settings)
        version = registry.champion_version()
    except ImportError as exc:
        log.warning("intent_model.unavailable", reason=f"mlflow is not installed: {exc}")
        return _fallback(cache, embedder, "mlflow is not installed")
    except Exception as exc:  # an unreachable server, a broken database
        log.warning("intent_model.registry_error", uri=settings.resolved_mlflow_uri, error=str(exc))
        return _fallback(cache, embedder, f"registry error: {exc}")
    if version is None:
        log.info(
            "intent_model.none",
            reason=f"no champion for {settings.intent_model_name}: run `shoptalk train intents`",
            uri=settings.resolved_mlflow_uri,
        )
        return None
    try:
        model = load_version(registry, version, cache, embedder)
    except Exception as exc:
        log.warning("intent_model.load_failed", version=version, error=str(exc))
        return None
    model.meta["registry_version"] = version
    log.info("intent_model.loaded", version=version, model_version=model.version, name=registry.model_name)
    return model


def _fallback(cache: Path, embedder: SentenceEmbedder | None, why: str) -> IntentClassifier | None:
    cached = _newest_cached(cache, embedder)
    if cached is None:
        log.warning("intent_model.none", reason=f"{why}; nothing cached under {cache}")
        return None
    version, model = cached
    model.meta["registry_version"] = version
    log.warning("intent_model.cached", version=version, reason=why)
    return model
