"""GPU requests, nodeSelector and tolerations land on the InferenceServices, and only there."""

from __future__ import annotations

from tests.charts.conftest import by_kind

GPU = "nvidia.com/gpu"
GPU_SELECTOR = {"shoptalk.io/node-pool": "gpu"}


def _predictor(isvc):
    return isvc["spec"]["predictor"]


def _gpu_toleration(spec) -> bool:
    return any(t.get("key") == GPU and t.get("effect") == "NoSchedule" for t in spec.get("tolerations", []))


def test_full_gpu_profile_puts_every_inference_service_on_gpu_nodes(render):
    isvcs = by_kind(render("full-gpu-values.yaml"), "InferenceService")
    assert sorted(isvcs) == ["shoptalk-asr", "shoptalk-captioner", "shoptalk-embedder", "shoptalk-reranker"]
    for name, isvc in isvcs.items():
        pred = _predictor(isvc)
        assert pred["nodeSelector"] == GPU_SELECTOR, name
        assert _gpu_toleration(pred), name
        res = pred["containers"][0]["resources"]
        assert res["limits"][GPU] == 1 and res["requests"][GPU] == 1, name
        assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Standard"
        assert pred["priorityClassName"] == "shoptalk-inference"  # defined in k8s/


def test_per_service_tolerations_override_the_gpu_defaults(render):
    isvcs = by_kind(render("full-gpu-values.yaml"), "InferenceService")
    keys = {t["key"] for t in _predictor(isvcs["shoptalk-captioner"])["tolerations"]}
    assert keys == {GPU, "shoptalk.io/dedicated"}
    assert {t["key"] for t in _predictor(isvcs["shoptalk-asr"])["tolerations"]} == {GPU}


def test_gpu_settings_stay_off_cpu_workloads(render):
    docs = render("full-gpu-values.yaml")
    gateway = by_kind(docs, "Deployment")["shoptalk-gateway"]["spec"]["template"]["spec"]
    assert gateway["nodeSelector"] == {"shoptalk.io/node-pool": "cpu"}  # the global nodeSelector
    assert not _gpu_toleration(gateway)
    assert GPU not in gateway["containers"][0]["resources"]["limits"]


def test_cpu_only_profile_requests_no_gpu(render):
    docs = render("minimal-cpu-values.yaml")
    isvcs = by_kind(docs, "InferenceService")
    assert sorted(isvcs) == ["shoptalk-asr", "shoptalk-embedder"]  # captioner, reranker disabled there
    for name, isvc in isvcs.items():
        pred = _predictor(isvc)
        assert "nodeSelector" not in pred, name
        assert not _gpu_toleration(pred), name
        res = pred["containers"][0]["resources"]
        assert GPU not in res["limits"] and GPU not in res["requests"], name


def test_zero_gpus_moves_one_service_to_cpu(render):
    isvcs = by_kind(render(sets=["inference.embedder.gpus=0"]), "InferenceService")
    embedder = _predictor(isvcs["shoptalk-embedder"])
    assert GPU not in embedder["containers"][0]["resources"]["limits"]
    assert "nodeSelector" not in embedder and not _gpu_toleration(embedder)
    assert _predictor(isvcs["shoptalk-asr"])["nodeSelector"] == GPU_SELECTOR


def test_gpu_resource_name_and_count_are_configurable(render):
    sets = ["inference.gpu.resourceName=amd.com/gpu", "inference.asr.gpus=2"]
    asr = _predictor(by_kind(render(sets=sets), "InferenceService")["shoptalk-asr"])
    assert asr["containers"][0]["resources"]["limits"]["amd.com/gpu"] == 2


def test_storage_uri_feeds_kserve_storage_initializer(render):
    isvcs = by_kind(render("full-gpu-values.yaml"), "InferenceService")
    env = {e["name"]: e.get("value") for e in _predictor(isvcs["shoptalk-captioner"])["containers"][0]["env"]}
    assert env["STORAGE_URI"] == "s3://shoptalk-models/captioner/blip-base"
    assert env["SHOPTALK_CAPTIONER_MODEL_PATH"] == "/mnt/models"
    asr_env = _predictor(isvcs["shoptalk-asr"])["containers"][0].get("env") or []
    assert "STORAGE_URI" not in {e["name"] for e in asr_env}  # baked-in weights


def test_inference_probes_use_the_v2_protocol_per_model(render):
    for name, isvc in by_kind(render(), "InferenceService").items():
        model = name.removeprefix("shoptalk-")
        c = _predictor(isvc)["containers"][0]
        assert c["name"] == "kserve-container"
        assert c["args"][:2] == ["serve", model]
        assert c["readinessProbe"]["httpGet"]["path"] == f"/v2/models/{model}/ready"
        assert c["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
