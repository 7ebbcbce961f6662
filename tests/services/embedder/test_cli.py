"""``shoptalk serve`` commands for the model services."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from services.cli import app


def test_serve_lists_the_three_model_services() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for name in ("embedder", "asr", "captioner"):
        assert name in result.output


def test_serve_defaults_to_loopback_without_grpc() -> None:
    result = CliRunner().invoke(app, ["serve", "asr", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert (
        "127.0.0.1" in result.output and "--grpc-port" in result.output and "--ray-replicas" in result.output
    )


def test_ray_replicas_without_ray_is_a_clear_usage_error() -> None:
    # In a subprocess: the command configures process-wide logging, which must not leak into this one.
    # ``sys.modules["ray"] = None`` makes ``import ray`` fail there as if the extra were not installed.
    command = [
        sys.executable,
        "-c",
        "import sys; sys.modules['ray'] = None; from services.cli import main; main()",
        "serve",
        "embedder",
        "--ray-replicas",
        "2",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )
    assert result.returncode == 2
    assert "needs Ray Serve" in result.stderr and "shoptalk[ray]" in result.stderr
