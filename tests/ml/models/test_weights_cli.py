"""``shoptalk weights list|fetch`` against a models folder (real reranker files, one tampered copy)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ml.models.manifest import get_spec
from services.cli import app
from tests.fakes.weights import MODELS_DIR, weights_dir


def test_list_reports_ok_missing_and_corrupt(tmp_path: Path) -> None:
    weights_dir("reranker")
    runner = CliRunner()
    ok = runner.invoke(app, ["weights", "list", "--models-dir", str(MODELS_DIR)])
    assert ok.exit_code == 0, ok.output
    assert "reranker" in ok.output and "ok" in ok.output

    spec = get_spec("reranker")
    copy = tmp_path / spec.model
    copy.mkdir()
    for rel in spec.files:
        (copy / rel).symlink_to(MODELS_DIR / spec.model / rel)
    (copy / "vocab.txt").unlink()
    (copy / "vocab.txt").write_text("tampered")
    bad = runner.invoke(app, ["weights", "list", "--models-dir", str(tmp_path)])
    assert bad.exit_code == 1
    assert "corrupt" in bad.output and "missing" in bad.output  # bge-small/mpnet are absent there


def test_fetch_is_a_no_op_when_verified_and_rejects_unknown_names() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["weights", "fetch", "reranker", "--models-dir", str(MODELS_DIR)])
    assert done.exit_code == 0, done.output
    assert str(MODELS_DIR / get_spec("reranker").model) in done.output.replace("\n", "")
    unknown = runner.invoke(app, ["weights", "fetch", "colbert"])
    assert unknown.exit_code != 0
