"""The KubeRay profile: model servers become KServe front ends for Ray Serve replicas on an existing
RayCluster per service (referenced, not created), with the `-ray` images and no GPU on the predictor."""

from __future__ import annotations

import subprocess

from tests.charts.conftest import CHART, by_kind

PROFILE = "kuberay-values.yaml"


def _container(isvc):
    return isvc["spec"]["predictor"]["containers"][0]


def test_kuberay_profile_points_each_server_at_its_raycluster(render):
    docs = render(PROFILE)
    isvcs = by_kind(docs, "InferenceService")
    assert set(isvcs) == {"shoptalk-asr", "shoptalk-embedder", "shoptalk-reranker"}
    assert not [d for d in docs if d["kind"] == "RayCluster"], "the chart references RayClusters only"
    for name, isvc in isvcs.items():
        service = name.removeprefix("shoptalk-")
        container = _container(isvc)
        args = container["args"]
        assert args[:2] == ["serve", service]
        flags = dict(zip(args[2::2], args[3::2], strict=True))
        assert flags["--ray-replicas"] == "2" and flags["--ray-replica-cpus"] == "1"
        assert flags["--ray-replica-gpus"] == "0"
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["RAY_ADDRESS"] == f"ray://shoptalk-ray-{service}-head-svc.ray.svc:10001"
        assert env["RAY_USAGE_STATS_ENABLED"] == "0"
        assert container["image"].rsplit(":", 1)[0].endswith(f"/shoptalk-{service}-ray")
        assert "nvidia.com/gpu" not in container["resources"]["limits"]


def test_gpus_move_from_the_predictor_to_the_ray_replicas(render):
    docs = render(sets=["inference.ray.enabled=true", "inference.ray.cluster.name=rc"])
    embedder = by_kind(docs, "InferenceService")["shoptalk-embedder"]
    container = _container(embedder)
    assert "nvidia.com/gpu" not in container["resources"]["limits"]
    assert container["args"][container["args"].index("--ray-replica-gpus") + 1] == "1"
    assert {e["name"]: e["value"] for e in container["env"]}["RAY_ADDRESS"] == (
        "ray://rc-embedder-head-svc.shoptalk.svc:10001"
    )


def test_ray_off_by_default_renders_the_plain_servers(render):
    embedder = by_kind(render(), "InferenceService")["shoptalk-embedder"]
    container = _container(embedder)
    assert container["args"] == ["serve", "embedder", "--host", "0.0.0.0", "--port", "8080"]
    assert "RAY_ADDRESS" not in {e["name"] for e in container.get("env", [])}
    assert container["image"].rsplit(":", 1)[0].endswith("/shoptalk-embedder")


def test_ray_without_a_cluster_name_or_with_a_typo_fails(helm):
    def template(*sets: str) -> subprocess.CompletedProcess[str]:
        args = [a for s in sets for a in ("--set", s)]
        return subprocess.run(
            [str(helm), "template", "t", str(CHART), *args], capture_output=True, text=True, check=False
        )

    missing = template("inference.ray.enabled=true")
    assert missing.returncode != 0 and "needs inference.ray.cluster.name" in missing.stderr
    typo = template("inference.ray.cluster.nam=rc")
    assert typo.returncode != 0 and "Additional property nam is not allowed" in typo.stderr
    bad_name = template("inference.ray.enabled=true", "inference.ray.cluster.name=Not_A_Name")
    assert bad_name.returncode != 0
