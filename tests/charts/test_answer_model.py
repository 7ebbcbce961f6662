"""The answer model: a KServe Hugging Face (vLLM) InferenceService on the GPU pool, the gateway's
OpenAI base URL wired to its /openai/v1, off unless values select it, schema-validated."""

from __future__ import annotations

import subprocess

import pytest

from tests.charts.conftest import CHART, by_kind

GPU = "nvidia.com/gpu"
PROFILE = "answer-model-gpu-values.yaml"


def _config(docs) -> dict:
    return next(
        d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-config")
    )


def test_profile_deploys_the_answer_model_on_the_gpu_pool(render):
    docs = render(PROFILE)
    isvc = by_kind(docs, "InferenceService")["shoptalk-answer-model"]
    pred = isvc["spec"]["predictor"]
    (model,) = pred["containers"]
    assert model["image"].startswith("kserve/huggingfaceserver:") and model["image"].endswith("-gpu")
    assert "--backend=vllm" in model["args"] and "--model_name=qwen2.5-1.5b-instruct" in model["args"]
    assert {"name": "STORAGE_URI", "value": "hf://Qwen/Qwen2.5-1.5B-Instruct"} in model["env"]
    assert model["readinessProbe"]["httpGet"]["path"] == "/v1/models/qwen2.5-1.5b-instruct"
    assert model["resources"]["limits"][GPU] == 1 and model["resources"]["requests"][GPU] == 1
    assert pred["nodeSelector"] == {"shoptalk.io/node-pool": "gpu"}
    assert any(t.get("key") == GPU for t in pred["tolerations"])
    assert model["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"name": "HF_HOME", "value": "/tmp/hf"} in model["env"]


def test_gateway_points_its_openai_client_at_the_answer_model(render):
    data = _config(render(PROFILE))
    assert data["SHOPTALK_OPENAI_BASE_URL"] == (
        "http://shoptalk-answer-model-predictor.shoptalk.svc/openai/v1"
    )
    assert data["SHOPTALK_LLM_MODEL"] == "qwen2.5-1.5b-instruct"
    assert data["SHOPTALK_LLM"] == "local"  # keyless self-hosted server: same OpenAI client
    netpol = by_kind(render(PROFILE), "NetworkPolicy")["shoptalk-internal"]
    components = netpol["spec"]["podSelector"]["matchExpressions"][1]["values"]
    assert "answer-model" in components  # reachable from the gateway, closed to the outside


def test_off_by_default(render):
    docs = render("dev-values.yaml")
    assert "shoptalk-answer-model" not in by_kind(docs, "InferenceService")
    data = _config(docs)
    assert data["SHOPTALK_LLM_MODEL"] == "gpt-4o" and "SHOPTALK_LLM" not in data


@pytest.mark.parametrize(
    "bad",
    [
        "inference.answerModel.backend=tgi",
        "inference.answerModel.storageUri=/local/path",
        "inference.answerModel.maxModelLen=10",
        "inference.answerModel.extraArgs[0]=rm -rf",
        "inference.answerModel.enabeld=true",
    ],
)
def test_invalid_answer_model_values_are_rejected(helm, bad):
    proc = subprocess.run(
        [str(helm), "template", "t", str(CHART), "--set", "inference.answerModel.enabled=true", "--set", bad],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0, f"schema accepted --set {bad}"


def test_answer_model_profile_passes_the_manifest_validators(render):
    """Every object of the profile, the InferenceService included, against the same schemas as CI
    (.ci/validate_manifests.py: Kubernetes 1.32 schemas + KServe's own OpenAPI models)."""
    from tests.charts.test_ci_validators import validate_manifests

    docs = render(PROFILE)
    assert "shoptalk-answer-model" in by_kind(docs, "InferenceService")
    for doc in docs:
        assert validate_manifests.validate_doc(doc, "1.32.0") == [], (doc["kind"], doc["metadata"]["name"])
