"""Decode uploaded images (JPEG, PNG, WebP, …) to RGB with Pillow; reject bad ones with a reason."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError


class ImageError(ValueError):
    """The image payload is unusable (empty, too large, or undecodable)."""


MAX_PIXELS = 40_000_000


def decode_image(data: bytes, max_bytes: int | None = None, max_pixels: int = MAX_PIXELS) -> Image.Image:
    if not data:
        raise ImageError("image is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageError(f"image is {len(data)} bytes; the limit is {max_bytes}")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise ImageError(f"image is {width}x{height}; the limit is {max_pixels} pixels")
            probe.load()
            return probe.convert("RGB")
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"could not decode image: {exc}") from exc
