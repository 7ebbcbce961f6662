"""The captioner in a real ModelServer subprocess (tiny BLIP): tritonclient, our client, 400s."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import tritonclient.http as triton

from ml.clients.captioner import CaptionerClient
from ml.clients.errors import ServiceRequestError
from services.common.launcher import ModelServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def captioner_server(
    tiny_blip: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModelServerProcess]:
    env = {
        "SHOPTALK_DATA_DIR": str(tmp_path_factory.mktemp("cap-data")),
        "SHOPTALK_CAPTIONER_MODEL_PATH": str(tiny_blip),
        "SHOPTALK_CAPTION_MAX_NEW_TOKENS": "6",
    }
    with ModelServerProcess("captioner", env=env) as server:
        yield server


def test_metadata(captioner_server: ModelServerProcess) -> None:
    meta = httpx.get(f"{captioner_server.url}/v2/models/captioner").json()
    assert meta["inputs"] == [{"name": "image", "datatype": "BYTES", "shape": [-1]}]
    assert meta["outputs"] == [{"name": "caption", "datatype": "BYTES", "shape": [-1]}]


@pytest.mark.parametrize("binary", [True, False])
def test_tritonclient_batch(captioner_server: ModelServerProcess, images: list[bytes], binary: bool) -> None:
    client = triton.InferenceServerClient(captioner_server.url.removeprefix("http://"))
    tensor = triton.InferInput("image", [len(images)], "BYTES")
    tensor.set_data_from_numpy(
        np.array([base64.b64encode(i) for i in images], dtype=object), binary_data=binary
    )
    result = client.infer(
        "captioner", [tensor], outputs=[triton.InferRequestedOutput("caption", binary_data=binary)]
    )
    captions = result.as_numpy("caption")
    assert captions.shape == (3,) and all(len(c) > 0 for c in captions)


def test_client_implements_captioner_and_reports_400s(
    captioner_server: ModelServerProcess, images: list[bytes]
) -> None:
    with CaptionerClient(captioner_server.url) as client:
        captions = client.caption(images)
        assert len(captions) == 3 and all(captions)
        with pytest.raises(ServiceRequestError, match="could not decode image") as info:
            client.caption([b"not an image"])
        assert info.value.status == 400
        assert client.ready()
