"""values.schema.json closes every block: typos and secret values fail lint and template."""

from __future__ import annotations

import subprocess

import pytest

from tests.charts.conftest import CHART, PROFILES


def _helm(helm, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(helm), *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_ci_profile_passes_strict_lint(helm, profile):
    proc = _helm(helm, "lint", "--strict", str(CHART), "-f", str(CHART / "ci" / profile))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("typo", "complaint"),
    [
        ("gatway.replicaCount=2", "Additional property gatway is not allowed"),
        ("gateway.replicaCont=3", "Additional property replicaCont is not allowed"),
        ("inference.embedder.nodeSelektor.a=b", "Additional property nodeSelektor is not allowed"),
        ("milvus.imag.tag=x", "Additional property imag is not allowed"),
        ("secrets.openaiApiKey=sk-live-123", "Additional property openaiApiKey is not allowed"),
    ],
)
def test_typo_in_set_fails_lint_and_template(helm, typo, complaint):
    lint = _helm(helm, "lint", "--strict", str(CHART), "--set", typo)
    assert lint.returncode != 0 and complaint in lint.stdout + lint.stderr
    template = _helm(helm, "template", "t", str(CHART), "--set", typo)
    assert template.returncode != 0 and complaint in template.stderr


def test_typo_in_values_file_fails(helm, tmp_path):
    values = tmp_path / "typo.yaml"
    values.write_text("gateway:\n  replicaCount: 2\n  autoscaling:\n    enabeld: false\n")
    proc = _helm(helm, "template", "t", str(CHART), "-f", str(values))
    assert proc.returncode != 0
    assert "Additional property enabeld is not allowed" in proc.stderr


@pytest.mark.parametrize(
    "bad",
    [
        "gateway.resources.limits=null",  # every container must be bounded
        "containerSecurityContext.readOnlyRootFilesystem=false",
        "podSecurityContext.runAsNonRoot=false",
        "config.extra.openaiApiKey=sk-live-123",  # secrets never go through the ConfigMap
        "mlflow.backendStoreUri=postgresql://user:pass@db/mlflow",  # credentials belong in a Secret
        "inference.deploymentMode=Serverles",
    ],
)
def test_unsafe_or_invalid_values_are_rejected(helm, bad):
    proc = _helm(helm, "template", "t", str(CHART), "--set", bad)
    assert proc.returncode != 0, f"schema accepted --set {bad}"
    assert "values don't meet the specifications" in proc.stderr


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["gateway.autoscaling.minReplicas=9"], "minReplicas must not exceed maxReplicas"),
        (["gateway.pdb.minAvailable=2"], "or no node could ever be drained"),
        (["gateway.autoscaling.enabled=false", "gateway.replicaCount=1"], "or no node could ever be drained"),
        (
            ["inference.captioner.minReplicas=3"],
            "inference.captioner.minReplicas must not exceed maxReplicas",
        ),
        (["inference.asr.externalUrl=http://asr.other.svc"], "only used when inference.asr.enabled is false"),
        (
            ["prefect.worker.enabled=false", "prefect.deployments.register=true"],
            "needs prefect.worker.enabled",
        ),
    ],
)
def test_cross_field_rules_fail_with_a_clear_message(helm, sets, message):
    args = [a for s in sets for a in ("--set", s)]
    proc = _helm(helm, "template", "t", str(CHART), *args)
    assert proc.returncode != 0 and message in proc.stderr


def test_percentage_pdb_is_accepted(helm):
    proc = _helm(helm, "template", "t", str(CHART), "--set", "gateway.pdb.minAvailable=50%")
    assert proc.returncode == 0, proc.stderr
