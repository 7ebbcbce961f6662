#!/usr/bin/env python3
"""Validate rendered Kubernetes manifests offline.

* Built-in kinds: ``kubernetes-validate`` in strict mode (unknown fields fail) against one
  Kubernetes version. A kind without a bundled schema is an error unless it is a listed CRD.
* InferenceService (serving.kserve.io/v1beta1): every field is checked against the ``kserve``
  package's OpenAPI models (``V1beta1InferenceService`` and the Kubernetes models it embeds),
  the predictor's pod-level fields are validated as a strict ``Pod`` spec, and a few KServe
  rules are enforced (deployment-mode annotation, ``kserve-container`` name, GPU request = limit).
* ServiceMonitor / PodMonitor (monitoring.coreos.com/v1): a small structural check.

Usage: validate_manifests.py [--k8s-version 1.32.0] FILE.yaml [FILE.yaml ...]
Exits 1 when any object fails; prints one line per problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

# CRDs that have no schema in kubernetes-validate and are checked here instead (or trusted).
KNOWN_CRDS: dict[tuple[str, str], str] = {
    ("serving.kserve.io/v1beta1", "InferenceService"): "kserve-models",
    ("serving.kserve.io/v1alpha1", "ServingRuntime"): "kserve-models",
    ("serving.kserve.io/v1alpha1", "ClusterServingRuntime"): "kserve-models",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "structural",
    ("monitoring.coreos.com/v1", "PodMonitor"): "structural",
}

# PredictorSpec fields that are KServe's own (ComponentExtensionSpec + model specs), not PodSpec.
KSERVE_COMPONENT_FIELDS = {
    "minReplicas",
    "maxReplicas",
    "scaleTarget",
    "scaleMetric",
    "scaleMetricType",
    "autoScaling",
    "containerConcurrency",
    "timeout",
    "canaryTrafficPercent",
    "logger",
    "batcher",
    "labels",
    "annotations",
    "deploymentStrategy",
    "model",
    "workerSpec",
    "storageUris",
    "storageContainerName",
    "storage",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "huggingface",
    "pmml",
    "lightgbm",
    "paddle",
}
VALID_DEPLOYMENT_MODES = {"Standard", "RawDeployment", "Knative", "Serverless"}

# kserve's models write "list[X]" / "dict(str, X)"; the kubernetes client "List[X]" / "Dict[str, X]".
_LIST = re.compile(r"^[lL]ist\[(.+)\]$")
_DICT = re.compile(r"^(?:dict\(str, (.+)\)|Dict\[str, (.+)\])$")


def iter_docs(paths: list[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield str(path), doc


def _model_class(name: str) -> Any:
    import kserve
    import kubernetes.client

    for module in (kserve, kubernetes.client):
        cls = getattr(module, name, None)
        if cls is not None and hasattr(cls, "openapi_types"):
            return cls
    return None


def check_against_model(value: Any, type_name: str, path: str) -> list[str]:
    """Check a JSON-ish value against an OpenAPI-generated model type string."""
    errors: list[str] = []
    if m := _LIST.match(type_name):
        if not isinstance(value, list):
            return [f"{path}: expected a list ({type_name}), got {type(value).__name__}"]
        for i, item in enumerate(value):
            errors += check_against_model(item, m.group(1), f"{path}[{i}]")
        return errors
    if m := _DICT.match(type_name):
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping ({type_name}), got {type(value).__name__}"]
        for key, item in value.items():
            errors += check_against_model(item, m.group(1) or m.group(2), f"{path}.{key}")
        return errors
    primitive = {
        "str": (str, int, float),  # quantities and int-or-string values arrive as numbers from YAML
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "datetime": (str,),
        "date": (str,),
        "object": (object,),
    }
    if type_name in primitive:
        if type_name in ("int", "float") and isinstance(value, bool):
            return [f"{path}: expected {type_name}, got bool"]
        if not isinstance(value, primitive[type_name]):
            return [f"{path}: expected {type_name}, got {type(value).__name__}"]
        return []
    cls = _model_class(type_name)
    if cls is None:
        return [f"{path}: no OpenAPI model named {type_name}"]
    if not isinstance(value, dict):
        return [f"{path}: expected an object ({type_name}), got {type(value).__name__}"]
    by_json_key = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    for key, item in value.items():
        attr = by_json_key.get(key)
        if attr is None:
            errors.append(f"{path}.{key}: unknown field for {type_name}")
            continue
        errors += check_against_model(item, cls.openapi_types[attr], f"{path}.{key}")
    return errors


def check_inference_service(doc: dict[str, Any], k8s_version: str) -> list[str]:
    import kubernetes_validate

    name = doc.get("metadata", {}).get("name", "?")
    errors = check_against_model(doc, "V1beta1InferenceService", f"InferenceService/{name}")
    mode = doc.get("metadata", {}).get("annotations", {}).get("serving.kserve.io/deploymentMode")
    if mode not in VALID_DEPLOYMENT_MODES:
        modes = sorted(VALID_DEPLOYMENT_MODES)
        errors.append(f"{name}: serving.kserve.io/deploymentMode is {mode!r}, not one of {modes}")
    predictor = doc.get("spec", {}).get("predictor")
    if not isinstance(predictor, dict):
        return [*errors, f"{name}: spec.predictor is required"]
    containers = predictor.get("containers", [])
    if not containers and "model" not in predictor:
        errors.append(f"{name}: predictor needs containers or model")
    for container in containers:
        if len(containers) == 1 and container.get("name") != "kserve-container":
            errors.append(f"{name}: a custom predictor's container must be named kserve-container")
        res = container.get("resources", {})
        for key, amount in res.get("limits", {}).items():
            if "gpu" in key and res.get("requests", {}).get(key, amount) != amount:
                errors.append(f"{name}: {key} request and limit differ (extended resources must match)")
    pod_spec = {k: v for k, v in predictor.items() if k not in KSERVE_COMPONENT_FIELDS}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": pod_spec}
    try:
        kubernetes_validate.validate(pod, k8s_version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(str(p) for p in exc.path)
        errors.append(f"{name}: predictor pod fields: {where}: {exc.message}")
    return errors


def check_monitor(doc: dict[str, Any]) -> list[str]:
    """ServiceMonitor (spec.endpoints) and PodMonitor (spec.podMetricsEndpoints)."""
    kind, name = doc["kind"], doc.get("metadata", {}).get("name", "?")
    spec = doc.get("spec", {})
    errors = []
    if not isinstance(spec.get("selector"), dict):
        errors.append(f"{kind} {name}: spec.selector is required")
    endpoints = spec.get("endpoints" if kind == "ServiceMonitor" else "podMetricsEndpoints")
    ports_ok = all(isinstance(e, dict) and ("port" in e or "targetPort" in e) for e in endpoints or [])
    if not endpoints or not ports_ok:
        errors.append(f"{kind} {name}: every endpoint needs a port")
    return errors


def validate_doc(doc: dict[str, Any], k8s_version: str) -> list[str]:
    import kubernetes_validate

    kind, api = doc.get("kind"), doc.get("apiVersion")
    label = f"{kind}/{doc.get('metadata', {}).get('name', '?')}"
    if (api, kind) == ("serving.kserve.io/v1beta1", "InferenceService"):
        return check_inference_service(doc, k8s_version)
    if api == "monitoring.coreos.com/v1" and kind in ("ServiceMonitor", "PodMonitor"):
        return check_monitor(doc)
    if (api, kind) in KNOWN_CRDS:
        return check_against_model(doc, f"V1alpha1{kind}", label)
    try:
        kubernetes_validate.validate(doc, k8s_version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{label}: no schema for {api} {kind} in Kubernetes {k8s_version} and not a listed CRD"]
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(str(p) for p in exc.path)
        return [f"{label}: {where}: {exc.message}"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k8s-version", default="1.32.0")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    count, failures = 0, 0
    for source, doc in iter_docs(args.files):
        count += 1
        for problem in validate_doc(doc, args.k8s_version):
            failures += 1
            print(f"FAIL {source}: {problem}")
    print(f"validated {count} objects against Kubernetes {args.k8s_version}: {failures} problem(s)")
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
