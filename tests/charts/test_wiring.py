"""Settings, endpoints, stores, monitoring and the helm test hook are wired together."""

from __future__ import annotations

import json

from tests.charts.conftest import CHART, by_kind, pod_specs


def _config(docs):
    return by_kind(docs, "ConfigMap")["shoptalk-config"]["data"]


def test_settings_point_at_in_cluster_services(render):
    cfg = _config(render("full-gpu-values.yaml"))
    assert cfg["SHOPTALK_EMBEDDER_URL"] == "http://shoptalk-embedder-predictor.shoptalk.svc"
    assert cfg["SHOPTALK_ASR_URL"] == "http://shoptalk-asr-predictor.shoptalk.svc"
    assert cfg["SHOPTALK_ELASTICSEARCH_URL"] == "http://shoptalk-elasticsearch.shoptalk.svc:9200"
    assert cfg["SHOPTALK_MILVUS_URI"] == "http://shoptalk-milvus.shoptalk.svc:19530"
    assert cfg["SHOPTALK_MLFLOW_TRACKING_URI"] == "http://shoptalk-mlflow.shoptalk.svc:5000"
    assert cfg["SHOPTALK_OTEL_EXPORTER"] == "otlp"
    assert cfg["SHOPTALK_OTEL_ENDPOINT"] == "http://otel-collector.observability.svc:4318"
    assert cfg["SHOPTALK_LOG_FORMAT"] == "json"
    assert cfg["SHOPTALK_RRF_K"] == "60"  # config.extra rrfK


def test_in_cluster_store_services_match_the_urls(render):
    docs = render("full-gpu-values.yaml")
    services = by_kind(docs, "Service")
    assert services["shoptalk-elasticsearch"]["spec"]["ports"][0]["port"] == 9200
    assert services["shoptalk-milvus"]["spec"]["ports"][0]["port"] == 19530
    images = {
        s["metadata"]["name"]: s["spec"]["template"]["spec"]["containers"][0]["image"]
        for s in by_kind(docs, "StatefulSet").values()
    }
    assert images["shoptalk-elasticsearch"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.")
    assert images["shoptalk-milvus"].startswith("milvusdb/milvus:v2.")
    assert not any("bitnami" in i for i in images.values())


def test_external_stores_profile_renders_no_store_workloads(render):
    docs = render("external-stores-values.yaml")
    assert not by_kind(docs, "StatefulSet")
    cfg = _config(docs)
    assert cfg["SHOPTALK_ELASTICSEARCH_URL"] == "https://search.internal.example.com:9243"
    assert cfg["SHOPTALK_MILVUS_URI"] == "https://milvus.internal.example.com:19530"
    assert cfg["SHOPTALK_CAPTIONER_URL"] == "http://captioner.ml-platform.svc"
    assert "shoptalk-captioner" not in by_kind(docs, "InferenceService")
    mlflow = by_kind(docs, "Deployment")["shoptalk-mlflow"]["spec"]["template"]["spec"]["containers"][0]
    store = next(e for e in mlflow["env"] if e["name"] == "MLFLOW_BACKEND_STORE_URI")
    assert store["valueFrom"]["secretKeyRef"] == {"name": "mlflow-db", "key": "backend-store-uri"}


def test_disabled_inference_service_leaves_its_url_unset(render):
    cfg = _config(render(sets=["inference.asr.enabled=false"]))
    assert "SHOPTALK_ASR_URL" not in cfg  # the gateway then transcribes in-process
    assert "SHOPTALK_EMBEDDER_URL" in cfg


def test_helm_test_hook_checks_gateway_readyz(render):
    pods = by_kind(render(), "Pod")
    hook = pods["shoptalk-test-readyz"]
    assert hook["metadata"]["annotations"]["helm.sh/hook"] == "test"
    script = hook["spec"]["containers"][0]["command"][-1]
    assert "http://shoptalk-gateway:80/readyz" in script


def test_gateway_runs_the_cli_with_health_probes(render):
    docs = render("full-gpu-values.yaml")
    gw = by_kind(docs, "Deployment")["shoptalk-gateway"]
    c = gw["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["serve", "gateway", "--host", "0.0.0.0", "--port", "8000"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "replicas" not in gw["spec"]  # the HPA owns the replica count
    hpa = by_kind(docs, "HorizontalPodAutoscaler")["shoptalk-gateway"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "shoptalk-gateway"
    assert by_kind(docs, "PodDisruptionBudget")["shoptalk-gateway"]["spec"]["minAvailable"] == 1
    ingress = by_kind(docs, "Ingress")["shoptalk-gateway"]
    assert ingress["spec"]["tls"] == [{"hosts": ["shop.example.com"], "secretName": "shoptalk-tls"}]


def test_prefect_worker_and_drift_job(render):
    docs = render("full-gpu-values.yaml")
    specs = dict(pod_specs(docs))
    worker = specs["Deployment/shoptalk-prefect-worker"]["containers"][0]
    assert worker["command"] == ["prefect", "worker", "start"]
    assert worker["args"][:4] == ["--pool", "shoptalk-k8s", "--type", "kubernetes"]
    template = json.loads(by_kind(docs, "ConfigMap")["shoptalk-flows"]["data"]["base-job-template.json"])
    props = template["variables"]["properties"]
    assert props["namespace"]["default"] == "shoptalk"
    assert props["config_map"]["default"] == "shoptalk-config"
    assert props["image"]["default"] == "ghcr.io/shoptalk/shoptalk-flows:0.1.0"
    drift = by_kind(docs, "CronJob")["shoptalk-drift"]
    assert drift["spec"]["schedule"] == "0 3 * * *"
    dc = drift["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert dc["command"] == ["shoptalk", "drift"]
    hook = by_kind(docs, "Job")["shoptalk-flow-deployments"]["metadata"]["annotations"]["helm.sh/hook"]
    assert hook == "post-install,post-upgrade"


def test_monitoring_objects(render):
    docs = render("full-gpu-values.yaml")
    sm = by_kind(docs, "ServiceMonitor")["shoptalk-gateway"]
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert sm["spec"]["endpoints"][0]["path"] == "/metrics"
    dash_cm = by_kind(docs, "ConfigMap")["shoptalk-dashboard"]
    assert dash_cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(dash_cm["data"]["shoptalk.json"])
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for metric in (
        "shoptalk_http_requests_total",
        "shoptalk_http_request_duration_seconds_bucket",
        "shoptalk_stage_duration_seconds_bucket",
        "shoptalk_llm_tokens_total",
        "shoptalk_llm_requests_total",
        "shoptalk_degraded_answers_total",
        "shoptalk_index_documents",
        "shoptalk_drift_score",
    ):
        assert metric in exprs, metric


def test_global_scheduling_with_component_override(render):
    sets = ["global.nodeSelector.pool=general", "mlflow.nodeSelector.pool=stateful"]
    specs = dict(pod_specs(render(sets=sets)))
    assert specs["Deployment/shoptalk-gateway"]["nodeSelector"] == {"pool": "general"}
    assert specs["Deployment/shoptalk-mlflow"]["nodeSelector"] == {"pool": "stateful"}
    assert specs["CronJob/shoptalk-drift"]["nodeSelector"] == {"pool": "general"}


def test_chart_ships_readme_values_table_and_notes():
    readme = (CHART / "README.md").read_text()
    assert "| Key | Type | Default | Description |" in readme
    assert (CHART / "templates" / "NOTES.txt").is_file()


def test_inference_pods_are_scraped_on_their_http_port(render):
    docs = render("full-gpu-values.yaml")
    monitor = by_kind(docs, "PodMonitor")["shoptalk-inference"]
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "http1"
    ports = [
        p["name"]
        for isvc in by_kind(docs, "InferenceService").values()
        for p in isvc["spec"]["predictor"]["containers"][0]["ports"]
    ]
    assert ports == ["http1"] * 4
    assert not by_kind(render(), "PodMonitor")  # off by default
