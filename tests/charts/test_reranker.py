"""The reranker InferenceService mirrors the embedder's and the gateway is pointed at it."""

from __future__ import annotations

from tests.charts.conftest import by_kind

GPU = "nvidia.com/gpu"


def _config(docs):
    return by_kind(docs, "ConfigMap")["shoptalk-config"]["data"]


def test_reranker_is_a_gpu_pool_inference_service_like_the_embedder(render):
    isvcs = by_kind(render("full-gpu-values.yaml"), "InferenceService")
    reranker, embedder = (isvcs[n]["spec"]["predictor"] for n in ("shoptalk-reranker", "shoptalk-embedder"))
    assert reranker["nodeSelector"] == embedder["nodeSelector"] == {"shoptalk.io/node-pool": "gpu"}
    assert any(t["key"] == GPU for t in reranker["tolerations"])
    container = reranker["containers"][0]
    assert container["args"] == ["serve", "reranker", "--host", "0.0.0.0", "--port", "8080"]
    assert container["image"].endswith("/shoptalk-reranker:" + container["image"].rsplit(":", 1)[1])
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/models/reranker/ready"
    assert container["resources"]["limits"][GPU] == 1
    assert (
        isvcs["shoptalk-reranker"]["metadata"]["annotations"]["serving.kserve.io/deploymentMode"]
        == "Standard"
    )


def test_gateway_gets_the_reranker_url_and_search_profile(render):
    cfg = _config(render("full-gpu-values.yaml"))
    assert cfg["SHOPTALK_RERANKER_URL"] == "http://shoptalk-reranker-predictor.shoptalk.svc"
    assert cfg["SHOPTALK_SEARCH_PROFILE"] == "fast"
    assert cfg["SHOPTALK_RERANK_TOP_N"] == "20"
    quality = _config(render(sets=["config.searchProfile=quality", "config.rerankBudgetMs=150"]))
    assert quality["SHOPTALK_SEARCH_PROFILE"] == "quality" and quality["SHOPTALK_RERANK_BUDGET_MS"] == "150"


def test_a_disabled_reranker_renders_nothing_and_leaves_the_url_unset(render):
    docs = render("minimal-cpu-values.yaml")
    assert "shoptalk-reranker" not in by_kind(docs, "InferenceService")
    assert "SHOPTALK_RERANKER_URL" not in _config(docs)


def test_storage_uri_points_the_models_dir_at_mnt_models(render):
    isvcs = by_kind(render(sets=["inference.reranker.storageUri=s3://models/reranker"]), "InferenceService")
    env = {
        e["name"]: e["value"] for e in isvcs["shoptalk-reranker"]["spec"]["predictor"]["containers"][0]["env"]
    }
    assert env == {"STORAGE_URI": "s3://models/reranker", "SHOPTALK_MODELS_DIR": "/mnt/models"}
