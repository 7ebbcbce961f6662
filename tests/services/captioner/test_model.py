"""The captioner kserve.Model in-process with a tiny random BLIP loaded by the production code."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from kserve.errors import InvalidInput
from kserve.protocol.infer_type import InferInput, InferRequest

from ml.captioning.blip import BlipCaptioner
from ml.captioning.images import ImageError, decode_image
from ml.config import Settings
from services.captioner.model import CaptionerModel, build_model
from tests.services.captioner.conftest import image_bytes


@pytest.fixture(scope="module")
def captioner_model(tiny_blip: Path) -> CaptionerModel:
    model = CaptionerModel(BlipCaptioner(tiny_blip, max_new_tokens=6, max_image_bytes=200_000), max_batch=4)
    model.load()
    return model


def image_request(blobs: list[bytes], **params: str) -> InferRequest:
    data = [base64.b64encode(b).decode() for b in blobs]
    return InferRequest(
        "captioner", [InferInput("image", [len(data)], "BYTES", data=data)], parameters=params or None
    )


async def test_batch_captions_match_direct_generation(
    captioner_model: CaptionerModel, images: list[bytes]
) -> None:
    response, _ = await captioner_model(image_request(images))
    (output,) = response.outputs
    assert output.name == "caption" and output.datatype == "BYTES" and output.shape == [3]
    assert all(isinstance(c, str) and c for c in output.data)
    direct = captioner_model.captioner.caption(images)
    assert output.data == direct  # greedy decoding is deterministic
    assert response.parameters["model_version"] == "blip:tiny-blip"


async def test_prompt_parameter_is_used_and_stripped(
    captioner_model: CaptionerModel, images: list[bytes]
) -> None:
    plain, _ = await captioner_model(image_request(images[:1]))
    prompted, _ = await captioner_model(image_request(images[:1], prompt="a photo of"))
    caption = prompted.outputs[0].data[0]
    assert not caption.lower().startswith("a photo of")
    assert caption != plain.outputs[0].data[0]


def test_max_new_tokens_bounds_caption_length(tiny_blip: Path, images: list[bytes]) -> None:
    short = BlipCaptioner(tiny_blip, max_new_tokens=2).caption(images[:1])[0]
    longer = BlipCaptioner(tiny_blip, max_new_tokens=12).caption(images[:1])[0]
    assert len(short.split()) <= 2 < len(longer.split())


async def test_v1_predict(captioner_model: CaptionerModel, images: list[bytes]) -> None:
    response, _ = await captioner_model({"instances": [{"b64": base64.b64encode(images[0]).decode()}]})
    assert response["predictions"] == captioner_model.captioner.caption(images[:1])


@pytest.mark.parametrize(
    ("make_request", "reason"),
    [
        (lambda: image_request([b"\x89PNG\r\n\x1a\nbroken"]), "could not decode image"),
        (lambda: image_request([b""]), "image is empty"),
        (
            lambda: image_request([image_bytes("red", "PNG", (2000, 2000)) + b"\x00" * 200_000]),
            "limit is 200000",
        ),
        (lambda: image_request([]), "empty batch"),
        (lambda: image_request([image_bytes("red")] * 5), "limit is 4"),
        (lambda: InferRequest("captioner", [InferInput("image", [1], "INT32", data=[1])]), "must be BYTES"),
        (
            lambda: InferRequest("captioner", [InferInput("image", [1], "BYTES", data=["!!"])]),
            "not valid base64",
        ),
    ],
)
async def test_bad_images_are_invalid_input(
    captioner_model: CaptionerModel, make_request, reason: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=reason):
        await captioner_model(make_request())


def test_decode_image_rejects_decompression_bombs() -> None:
    with pytest.raises(ImageError, match="pixels"):
        decode_image(image_bytes("red", "PNG", (400, 400)), max_pixels=10_000)


def test_unconfigured_model_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="SHOPTALK_CAPTIONER_MODEL_PATH"):
        build_model(Settings(data_dir=tmp_path))
    with pytest.raises(FileNotFoundError, match="no BLIP model"):
        BlipCaptioner(tmp_path).load()
