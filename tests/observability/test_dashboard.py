"""The Grafana dashboard only queries metrics that exist, covers every gateway metric, and
stays a superset of the dashboard the Helm chart ships."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import ml.observability.metrics  # noqa: F401  (registers the security metrics)
import services.gateway.metrics  # noqa: F401  (registers the gateway metrics)
from ml.drift import exporter as drift_exporter

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "docs" / "grafana" / "shoptalk-dashboard.json"
CHART_DASHBOARD = ROOT / "charts" / "shoptalk" / "dashboards" / "shoptalk.json"
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def exprs(path: Path) -> list[str]:
    board = json.loads(path.read_text())
    return [t["expr"] for p in board["panels"] for t in p.get("targets", [])]


def family(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def known_families() -> set[str]:
    names = {m.name for m in REGISTRY.collect()}
    source = Path(drift_exporter.__file__).read_text()
    names |= set(re.findall(r'"(shoptalk_drift_[a-z_]+)"', source))
    return names


def test_every_queried_metric_exists() -> None:
    known = known_families()
    queried = {family(n) for e in exprs(DASHBOARD) for n in re.findall(r"\bshoptalk_[a-z_]+", e)}
    assert queried, "dashboard queries nothing"
    assert queried <= known, sorted(queried - known)


def test_every_gateway_and_security_metric_is_on_the_dashboard() -> None:
    text = " ".join(exprs(DASHBOARD))
    defined = {
        m.name
        for m in REGISTRY.collect()
        if m.name.startswith("shoptalk_") and not m.name.startswith("shoptalk_drift")
    }
    missing = {name for name in defined if name not in text}
    assert not missing, sorted(missing)


def test_superset_of_the_chart_dashboard() -> None:
    assert set(exprs(CHART_DASHBOARD)) <= set(exprs(DASHBOARD))


def test_labels_are_bounded() -> None:
    """No metric is labelled by something unbounded (paths, ids, users, queries)."""
    unbounded = {"path", "url", "item_id", "session_id", "user", "client", "query", "trace_id"}
    for metric in REGISTRY.collect():
        if not metric.name.startswith("shoptalk_"):
            continue
        for sample in metric.samples:
            assert not (set(sample.labels) & unbounded), (metric.name, sample.labels)
