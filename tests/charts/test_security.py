"""Hardening on rendered output: secrets only by reference, bounded containers, probes, non-root."""

from __future__ import annotations

import re

import pytest

from tests.charts.conftest import PROFILES, by_kind, containers, pod_specs

SECRETISH = re.compile(r"(API_KEY|TOKEN|PASSWORD|SECRET)", re.IGNORECASE)
# One-shot pods (Jobs, CronJobs, the helm test pod) need limits but have nothing for probes to do.
LONG_RUNNING = ("Deployment/", "StatefulSet/", "DaemonSet/", "InferenceService/")


@pytest.mark.parametrize("profile", PROFILES)
def test_no_secret_value_is_rendered(render, profile):
    docs = render(profile)
    assert not by_kind(docs, "Secret"), "the chart must never create Secrets with values"
    for cm in by_kind(docs, "ConfigMap").values():
        leaked = [k for k in cm.get("data", {}) if SECRETISH.search(k)]
        assert not leaked, f"ConfigMap {cm['metadata']['name']} carries secret-looking keys {leaked}"
    for label, spec in pod_specs(docs):
        for c in containers(spec):
            for env in c.get("env", []):
                if SECRETISH.search(env["name"]):
                    assert "value" not in env, f"{label}: {env['name']} has a literal value"
                    assert "secretKeyRef" in env.get("valueFrom", {}), f"{label}: {env['name']}"


def test_api_keys_come_from_the_existing_secret(render):
    docs = render("full-gpu-values.yaml")
    gateway = dict(pod_specs(docs))["Deployment/shoptalk-gateway"]["containers"][0]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in gateway["env"] if "valueFrom" in e}
    expected = {"name": "shoptalk-api-keys", "key": "openai-api-key", "optional": True}
    assert refs["SHOPTALK_OPENAI_API_KEY"] == expected
    assert refs["SHOPTALK_ELEVENLABS_API_KEY"]["name"] == "shoptalk-api-keys"


def test_without_existing_secret_no_key_env_is_rendered(render):
    for label, spec in pod_specs(render()):
        for c in containers(spec):
            names = {e["name"] for e in c.get("env", [])}
            assert "SHOPTALK_OPENAI_API_KEY" not in names, label


@pytest.mark.parametrize("profile", PROFILES)
def test_every_container_is_bounded_and_probed(render, profile):
    for label, spec in pod_specs(render(profile)):
        for c in containers(spec):
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(res.get(part, {})), f"{label}/{c['name']}: {part}"
        if label.startswith(LONG_RUNNING):
            for c in spec["containers"]:
                assert "livenessProbe" in c and "readinessProbe" in c, f"{label}/{c['name']}"


@pytest.mark.parametrize("profile", PROFILES)
def test_security_context_is_hardened(render, profile):
    for label, spec in pod_specs(render(profile)):
        pod_sc = spec.get("securityContext", {})
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", label
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), label
        for c in containers(spec):
            sc = c.get("securityContext", {})
            where = f"{label}/{c['name']}"
            assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, where
            assert sc.get("runAsUser", pod_sc.get("runAsUser", 0)) != 0, where
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert sc.get("readOnlyRootFilesystem") is True, where
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not sc.get("privileged"), where


def test_only_the_prefect_worker_mounts_an_api_token(render):
    mounted = [
        label
        for label, spec in pod_specs(render("full-gpu-values.yaml"))
        if spec.get("automountServiceAccountToken") is not False
    ]
    assert mounted == ["Deployment/shoptalk-prefect-worker"]


def test_worker_role_is_namespaced_and_minimal(render):
    docs = render()
    assert not by_kind(docs, "ClusterRole") and not by_kind(docs, "ClusterRoleBinding")
    rules = by_kind(docs, "Role")["shoptalk-prefect-worker"]["rules"]
    verbs = {v for r in rules for v in r["verbs"]}
    assert "*" not in verbs and "escalate" not in verbs and "bind" not in verbs
    resources = {r for rule in rules for r in rule["resources"]}
    assert resources == {"jobs", "pods", "pods/log", "pods/status", "events"}


def test_network_policies_default_deny_and_scope_stores(render):
    docs = render("minimal-cpu-values.yaml")
    policies = by_kind(docs, "NetworkPolicy")
    deny = policies["shoptalk-default-deny"]
    assert deny["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in deny["spec"]
    es = policies["shoptalk-elasticsearch"]["spec"]["ingress"][0]
    assert es["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "shoptalk"}}}]
