"""The chart, k8s/ add-ons, Terraform and Skaffold agree on names, labels and taints."""

from __future__ import annotations

import subprocess
from typing import Any

import hcl2  # bc-python-hcl2, installed with checkov
import pytest
import yaml

from tests.charts.conftest import CHART, REPO, by_kind

TF = REPO / "terraform"


def _one(value: Any) -> Any:
    """bc-python-hcl2 wraps block attributes in one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _tf_blocks(filename: str, block: str, type_: str) -> dict[str, dict[str, Any]]:
    parsed = hcl2.load((TF / filename).open())
    return {name: body for item in parsed.get(block, []) for name, body in item.get(type_, {}).items()}


def _tf_default(variable: str) -> Any:
    parsed = hcl2.load((TF / "variables.tf").open())
    return next(_one(v[variable]["default"]) for v in parsed["variable"] if variable in v)


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values.yaml").read_text())


@pytest.fixture(scope="module")
def addons(helm) -> list[dict[str, Any]]:
    kubectl = helm.parent / "kubectl"
    out = subprocess.run(
        [str(kubectl), "kustomize", str(REPO / "k8s")], capture_output=True, text=True, check=True
    )
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def test_gpu_node_group_matches_the_chart_gpu_scheduling(values):
    gpu = values["inference"]["gpu"]
    node_group = _tf_blocks("nodegroups.tf", "resource", "aws_eks_node_group")["gpu"]
    labels = _one(node_group["labels"])
    assert gpu["nodeSelector"].items() <= labels.items()
    taint = {k: _one(v) for k, v in _one(node_group["taint"]).items()}
    toleration = gpu["tolerations"][0]
    assert taint["key"] == toleration["key"] == gpu["resourceName"]
    assert (taint["effect"], toleration["effect"]) == ("NO_SCHEDULE", "NoSchedule")
    assert toleration["operator"] == "Exists"


def test_device_plugin_runs_on_the_gpu_pool(values, addons):
    plugin = by_kind(addons, "DaemonSet")["nvidia-device-plugin"]["spec"]["template"]["spec"]
    assert plugin["nodeSelector"] == values["inference"]["gpu"]["nodeSelector"]
    assert any(t["key"] == "nvidia.com/gpu" and t["operator"] == "Exists" for t in plugin["tolerations"])


def test_priority_class_and_namespace_names_agree(render, addons):
    isvc = next(iter(by_kind(render("full-gpu-values.yaml"), "InferenceService").values()))
    assert isvc["spec"]["predictor"]["priorityClassName"] in by_kind(addons, "PriorityClass")
    namespace = next(iter(by_kind(addons, "Namespace")))
    skaffold = yaml.safe_load((REPO / "skaffold.yaml").read_text())
    assert skaffold["deploy"]["helm"]["releases"][0]["namespace"] == namespace
    assert _tf_default("app_namespace") == namespace


def test_irsa_trusts_the_chart_service_account(render):
    # A release named "shoptalk" names its ServiceAccount "shoptalk" (fullname collapses).
    sa = next(iter(by_kind(render(), "ServiceAccount")))
    assert _tf_default("app_service_account") == sa


def test_gpu_quota_fits_the_gpu_node_group():
    quota = yaml.safe_load_all((REPO / "k8s" / "namespace.yaml").read_text())
    hard = next(d for d in quota if d["kind"] == "ResourceQuota")["spec"]["hard"]
    assert int(hard["requests.nvidia.com/gpu"]) == _tf_default("gpu_node_count")["max"]
