"""A real S3-compatible server for tests: ``moto[server]`` (``python -m moto.server``) in its own
process on a free loopback port, with throw-away credentials. Tests that need it skip with a clear
reason when moto is not installed (dev extra)::

    from tests.servers.s3 import s3_server  # noqa: F401  (session fixture)

    def test_x(s3_server):
        s3_server.create_bucket("artifacts")
        env = s3_server.client_env  # AWS_* + MLFLOW_S3_ENDPOINT_URL for clients in this process or children
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from services.common.launcher import ModelServerProcess

ACCESS_KEY = "testing"
SECRET_KEY = "testing-secret"  # moto accepts any pair; never a real credential
REGION = "us-east-1"


class S3Server(ModelServerProcess):
    """moto's server, started and polled like the model servers (same start/stop/port-retry loop)."""

    def __init__(self) -> None:
        super().__init__("s3")

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]

    @property
    def ready_url(self) -> str:
        return f"{self.url}/moto-api/"

    @property
    def client_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_S3": self.url,
            "MLFLOW_S3_ENDPOINT_URL": self.url,
        }

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return f"s3://{name}"

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        pytest.skip("moto[server] is not installed (dev extra)")
    server = S3Server().start(timeout_s=60)
    try:
        yield server
    finally:
        server.stop()
