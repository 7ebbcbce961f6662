"""Fixtures: a tiny random BLIP saved like a real one, and product-like test images."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from services.bench.tiny_blip import build_tiny_blip


@pytest.fixture(scope="session")
def tiny_blip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_blip(tmp_path_factory.mktemp("models") / "tiny-blip")


def image_bytes(color: str, fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture(scope="session")
def images() -> list[bytes]:
    return [image_bytes("red"), image_bytes("navy", "PNG"), image_bytes("white", "WEBP")]
