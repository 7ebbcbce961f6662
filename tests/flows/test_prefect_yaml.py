"""``flows/prefect.yaml``: four deployments whose entrypoints and parameters match the flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

REPO = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((REPO / "flows" / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in SPEC["deployments"]}


def test_four_deployments_on_the_kubernetes_pool() -> None:
    assert set(DEPLOYMENTS) == {"ingest", "finetune", "drift", "forecast"}
    for deployment in DEPLOYMENTS.values():
        assert deployment["work_pool"]["name"] == "shoptalk-k8s"
        assert deployment["work_pool"]["job_variables"]["env"]["SHOPTALK_DATA_DIR"] == "/data"


def test_drift_is_scheduled_and_the_others_run_on_demand() -> None:
    assert DEPLOYMENTS["ingest"]["schedules"] == [] and DEPLOYMENTS["finetune"]["schedules"] == []
    (schedule,) = DEPLOYMENTS["drift"]["schedules"]
    assert schedule["cron"] == "0 * * * *" and schedule["active"] is True
    (weekly,) = DEPLOYMENTS["forecast"]["schedules"]
    assert weekly["cron"] == "0 3 * * 1" and weekly["active"] is True


@pytest.mark.parametrize("name", ["ingest", "finetune", "drift", "forecast"])
def test_entrypoints_load_and_accept_the_parameters(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
    assert flow.name == f"shoptalk-{name}"
    validated = flow.validate_parameters(deployment["parameters"])
    assert {k: validated[k] for k in deployment["parameters"]} == deployment["parameters"]
