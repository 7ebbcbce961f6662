"""The fine-tuned adapter: a small residual linear map on top of the frozen sentence model.

``y = normalize(x + x Wᵀ + b)`` with ``W`` and ``b`` starting at zero, so an untrained
adapter is exactly the identity and training only has to learn a correction. Saved as a
folder holding ``adapter.json`` (config, version) and ``adapter.pt`` (state dict); loaded
from that folder or from an MLflow model URI (``models:/NAME@champion``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

CONFIG_FILE = "adapter.json"
WEIGHTS_FILE = "adapter.pt"
IDENTITY_VERSION = "identity"


class ResidualAdapter(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.linear = nn.Linear(dim, dim)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(x + self.linear(x), dim=-1)


class Adapter:
    """A loaded adapter (or the identity) applied to numpy embeddings."""

    def __init__(self, module: ResidualAdapter | None, version: str, meta: dict[str, Any] | None = None):
        self.module = module.eval() if module is not None else None
        self.version = version
        self.meta = meta or {}

    @classmethod
    def identity(cls) -> Adapter:
        return cls(None, IDENTITY_VERSION)

    @property
    def is_identity(self) -> bool:
        return self.module is None

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        if self.module is None:
            return vectors
        with torch.inference_mode():
            out = self.module(torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32)))
        return out.numpy().astype(np.float32, copy=False)


def save_adapter(module: ResidualAdapter, folder: str | Path, meta: dict[str, Any] | None = None) -> str:
    """Write the adapter folder; returns its content-derived version string."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in module.state_dict().items()}
    torch.save(state, out / WEIGHTS_FILE)
    digest = hashlib.sha256((out / WEIGHTS_FILE).read_bytes()).hexdigest()[:12]
    version = f"adapter-{digest}"
    config = {"dim": module.dim, "version": version, **(meta or {})}
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True))
    return version


def _find_adapter_dir(root: Path) -> Path:
    if (root / CONFIG_FILE).is_file():
        return root
    for candidate in sorted(root.rglob(CONFIG_FILE)):
        return candidate.parent
    raise FileNotFoundError(f"no {CONFIG_FILE} under {root}")


def load_adapter(uri: str | None, tracking_uri: str | None = None) -> Adapter:
    """Load from a folder, or an MLflow URI (``models:/NAME@alias``, ``runs:/...``)."""
    if not uri:
        return Adapter.identity()
    if uri.startswith(("models:/", "runs:/", "mlflow-artifacts:/")):
        import mlflow  # only needed for registry URIs

        if tracking_uri:
            mlflow.set_tracking_uri(tracking_uri)
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri))
    else:
        local = Path(uri)
    folder = _find_adapter_dir(local)
    config = json.loads((folder / CONFIG_FILE).read_text())
    module = ResidualAdapter(int(config["dim"]))
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    module.load_state_dict(state)
    return Adapter(module, str(config.get("version", "adapter")), config)
