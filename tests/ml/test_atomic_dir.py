"""staged_dir: a folder appears whole (replacing the old one) or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.atomic_dir import staged_dir


def test_success_replaces_the_target_whole(tmp_path: Path) -> None:
    target = tmp_path / "models" / "m"
    target.mkdir(parents=True)
    (target / "old.bin").write_text("old")
    with staged_dir(target, "m") as staging:
        assert staging.parent == target.parent and staging != target
        (staging / "new.bin").write_text("new")
        assert (target / "old.bin").exists()  # untouched until the block succeeds
    assert [p.name for p in target.iterdir()] == ["new.bin"]
    assert [p.name for p in target.parent.iterdir()] == ["m"]  # no staging left behind


def test_failure_leaves_the_target_and_no_staging(tmp_path: Path) -> None:
    target = tmp_path / "m"
    with pytest.raises(RuntimeError), staged_dir(target) as staging:
        (staging / "half.bin").write_text("half")
        raise RuntimeError("conversion failed")
    assert not target.exists() and list(tmp_path.iterdir()) == []
