"""The offline validators used by .ci/platform-checks.sh catch what they claim to catch."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.charts.conftest import CHART, REPO, by_kind


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / ".ci" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


validate_manifests = _load("validate_manifests")
check_skaffold = _load("check_skaffold")
chart_values_table = _load("chart_values_table")


@pytest.fixture(scope="module")
def isvc(render):
    return by_kind(render("full-gpu-values.yaml"), "InferenceService")["shoptalk-asr"]


def test_every_rendered_object_validates(render):
    for doc in render("full-gpu-values.yaml"):
        assert validate_manifests.validate_doc(doc, "1.32.0") == [], doc["kind"]


def test_inference_service_field_typo_is_caught(isvc):
    bad = copy.deepcopy(isvc)
    bad["spec"]["predictor"]["nodeSelektor"] = bad["spec"]["predictor"].pop("nodeSelector")
    errors = validate_manifests.validate_doc(bad, "1.32.0")
    assert any("nodeSelektor: unknown field for V1beta1PredictorSpec" in e for e in errors)


def test_inference_service_container_typo_and_type_errors_are_caught(isvc):
    bad = copy.deepcopy(isvc)
    container = bad["spec"]["predictor"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    bad["spec"]["predictor"]["minReplicas"] = "one"
    errors = " ".join(validate_manifests.validate_doc(bad, "1.32.0"))
    assert "readinesProbe: unknown field for V1Container" in errors
    assert "minReplicas: expected int" in errors


def test_inference_service_kserve_rules(isvc):
    bad = copy.deepcopy(isvc)
    bad["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] = "Raw"
    bad["spec"]["predictor"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = 2
    errors = " ".join(validate_manifests.validate_doc(bad, "1.32.0"))
    assert "deploymentMode is 'Raw'" in errors
    assert "request and limit differ" in errors


def test_unknown_kinds_are_errors_but_listed_crds_are_not():
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert "not a listed CRD" in validate_manifests.validate_doc(unknown, "1.32.0")[0]
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "m"},
        "spec": {"selector": {}, "endpoints": []},
    }
    assert validate_manifests.validate_doc(monitor, "1.32.0") == [
        "ServiceMonitor m: every endpoint needs a port"
    ]


def test_builtin_kinds_are_validated_strictly(render):
    deployment = copy.deepcopy(by_kind(render(), "Deployment")["shoptalk-gateway"])
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes"
    deployment["spec"]["replicaz"] = 2
    errors = validate_manifests.validate_doc(deployment, "1.32.0")
    assert errors and "replicaz" in errors[0]


def test_values_table_in_readme_is_current():
    assert chart_values_table.main(["--check", str(CHART)]) == 0
    keys = {row[0] for row in chart_values_table.rows((CHART / "values.yaml").read_text())}
    assert {"gateway.replicaCount", "inference.gpu.resourceName", "secrets.existingSecret"} <= keys


def test_dockerignore_semantics(tmp_path):
    (tmp_path / ".dockerignore").write_text("tests\n*.md\n!README.md\n")
    assert check_skaffold.dockerignored("tests", tmp_path)
    assert check_skaffold.dockerignored("NOTES.md", tmp_path)
    assert not check_skaffold.dockerignored("README.md", tmp_path)
    assert not check_skaffold.dockerignored("ml", tmp_path)


def test_skaffold_checker_reports_missing_files(tmp_path, helm):
    cfg = {
        "build": {
            "artifacts": [{"image": "shoptalk-gateway", "context": ".", "docker": {"dockerfile": "nope"}}]
        },
        "deploy": {
            "helm": {"releases": [{"name": "x", "chartPath": "missing-chart", "valuesFiles": ["v.yaml"]}]}
        },
    }
    errors = " ".join(check_skaffold.check_config(cfg, tmp_path, str(helm), "base"))
    assert "Dockerfile" in errors and "does not exist" in errors
    assert "has no Chart.yaml" in errors


def test_skaffold_checker_requires_non_root_user_and_copy_sources(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11.13-slim-bookworm\nCOPY missing.txt /app/\nUSER root\n")
    errors = " ".join(check_skaffold.check_dockerfile(dockerfile, tmp_path, "img"))
    assert "no non-root USER" in errors
    assert "COPY source missing.txt is missing" in errors


def test_repo_skaffold_references_resolve(helm):
    assert check_skaffold.main(["--helm", str(helm), str(REPO / "skaffold.yaml")]) == 0


def test_module_paths_are_the_ones_the_checks_script_runs():
    script = (REPO / ".ci" / "platform-checks.sh").read_text()
    for module in ("validate_manifests.py", "check_skaffold.py", "chart_values_table.py"):
        assert f".ci/{module}" in script, module
    assert Path(validate_manifests.__file__).parent == REPO / ".ci"
