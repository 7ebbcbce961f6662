"""The Evidently HTML report renders (kept tiny: its t-SNE plot is the slow part)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ml.drift.report import render_report


@pytest.mark.slow
def test_html_report_is_written(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(40, 4)).astype(np.float32)
    current = (rng.normal(size=(30, 4)) + 2.0).astype(np.float32)
    path = render_report(reference, current, tmp_path / "drift" / "report.html")
    html = path.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html[:500].lower()
    assert "Drift in embeddings 'query'" in html
