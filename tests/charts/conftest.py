"""Fixtures for chart tests: a real helm v3 binary and cached `helm template` renders."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "shoptalk"
PROFILES = sorted(p.name for p in (CHART / "ci").glob("*.yaml"))
HELM = REPO / ".tools" / "bin" / "helm"


@pytest.fixture(scope="session")
def helm() -> Path:
    """helm from .tools/bin, installed by the same script the platform checks use."""
    if not HELM.exists():
        proc = subprocess.run(["bash", str(REPO / ".ci" / "install-helm.sh")], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.fail(f".ci/install-helm.sh failed:\n{proc.stderr}")
    return HELM


@cache
def _render(helm: Path, files: tuple[str, ...], sets: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    cmd = [str(helm), "template", "shoptalk", str(CHART), "--namespace", "shoptalk"]
    for f in files:
        cmd += ["-f", str(CHART / "ci" / f)]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"helm template failed: {proc.stderr}")
    return tuple(d for d in yaml.safe_load_all(proc.stdout) if d)


@pytest.fixture(scope="session")
def render(helm: Path) -> Callable[..., list[dict[str, Any]]]:
    """render("full-gpu-values.yaml", sets=["a.b=c"]) -> list of rendered objects."""

    def _do(*files: str, sets: list[str] | None = None) -> list[dict[str, Any]]:
        return list(_render(helm, tuple(files), tuple(sets or [])))

    return _do


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, pod spec) for every workload, InferenceService predictors included."""
    for d in docs:
        kind, name = d["kind"], d["metadata"]["name"]
        spec = d.get("spec", {})
        if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield f"{kind}/{name}", spec["template"]["spec"]
        elif kind == "CronJob":
            yield f"{kind}/{name}", spec["jobTemplate"]["spec"]["template"]["spec"]
        elif kind == "Pod":
            yield f"{kind}/{name}", spec
        elif kind == "InferenceService":
            yield f"{kind}/{name}", spec["predictor"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}
