"""Small product pictures drawn with Pillow: a coloured silhouette of the product type on white.

They are honest, clearly synthetic illustrations, not photographs: the silhouette of the product
type in the product's colour, the brand's name underneath and a small "illustration" mark, so a
shopper never mistakes one for a product photo. They also give image captioning something real
to decode. Every product of the sample that has a ``main_image_id`` gets one (``CANVAS`` px square).
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from ml.sample.vocab import COLORS

SIZE = 128  # the silhouette's drawing box
CANVAS = 160  # the written picture: silhouette box + brand band
QUALITY = 70
MARK = "illustration"
Draw = ImageDraw.ImageDraw
Colour = tuple[int, int, int]
OUTLINE: Colour = (60, 60, 60)


def _shade(c: Colour, f: float) -> Colour:
    r, g, b = (max(0, min(255, int(v * f))) for v in c)
    return r, g, b


def _phone_case(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((38, 10, 90, 118), radius=12, fill=c, outline=OUTLINE, width=2)
    d.rounded_rectangle((44, 16, 66, 40), radius=6, fill=_shade(c, 0.7), outline=OUTLINE)
    for x, y in ((50, 22), (60, 22), (50, 33)):
        d.ellipse((x - 4, y - 4, x + 4, y + 4), fill=(30, 30, 30))


def _screen(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((36, 8, 92, 120), radius=10, fill=(225, 238, 245), outline=OUTLINE, width=2)
    d.line((44, 30, 70, 104), fill=(255, 255, 255), width=4)


def _shoe(d: Draw, c: Colour, rng: random.Random, high: bool = False) -> None:
    top = 28 if high else 58
    d.polygon([(20, top), (50, top), (56, 76), (104, 86), (110, 100), (20, 100)], fill=c, outline=OUTLINE)
    d.rectangle((18, 100, 112, 108), fill=_shade(c, 0.5), outline=OUTLINE)
    for i in range(3):
        d.line((36 + i * 8, top + 10 + i * 6, 50 + i * 8, top + 14 + i * 6), fill=(240, 240, 240), width=2)


def _boot(d: Draw, c: Colour, rng: random.Random) -> None:
    _shoe(d, c, rng, high=True)


def _chair(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((36, 14, 92, 64), radius=8, fill=c, outline=OUTLINE, width=2)
    d.rounded_rectangle((30, 62, 98, 80), radius=6, fill=_shade(c, 0.85), outline=OUTLINE, width=2)
    for x in (36, 88):
        d.rectangle((x, 80, x + 5, 116), fill=(90, 60, 40))


def _sofa(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((14, 40, 114, 78), radius=10, fill=c, outline=OUTLINE, width=2)
    d.rounded_rectangle((8, 58, 28, 98), radius=6, fill=_shade(c, 0.85), outline=OUTLINE)
    d.rounded_rectangle((100, 58, 120, 98), radius=6, fill=_shade(c, 0.85), outline=OUTLINE)
    d.rectangle((28, 72, 100, 94), fill=_shade(c, 0.95), outline=OUTLINE)
    d.line((64, 72, 64, 94), fill=OUTLINE)
    for x in (18, 106):
        d.rectangle((x, 98, x + 4, 108), fill=(80, 55, 35))


def _table(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((12, 44, 116, 56), fill=c, outline=OUTLINE, width=2)
    for x in (20, 102):
        d.rectangle((x, 56, x + 6, 110), fill=_shade(c, 0.7), outline=OUTLINE)


def _bed(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((10, 30, 26, 104), fill=_shade(c, 0.8), outline=OUTLINE, width=2)
    d.rectangle((26, 66, 118, 92), fill=c, outline=OUTLINE, width=2)
    d.rectangle((26, 58, 118, 66), fill=(245, 245, 245), outline=OUTLINE)
    d.rounded_rectangle((30, 48, 52, 60), radius=4, fill=(250, 250, 250), outline=OUTLINE)


def _lamp(d: Draw, c: Colour, rng: random.Random) -> None:
    d.polygon([(40, 20), (88, 20), (100, 56), (28, 56)], fill=c, outline=OUTLINE)
    d.rectangle((61, 56, 67, 104), fill=(120, 120, 120))
    d.ellipse((40, 100, 88, 114), fill=_shade(c, 0.6), outline=OUTLINE)


def _rug(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((14, 24, 114, 104), fill=c, outline=OUTLINE, width=2)
    d.rectangle((24, 34, 104, 94), outline=_shade(c, 0.6), width=3)
    d.polygon([(64, 42), (90, 64), (64, 86), (38, 64)], fill=_shade(c, 1.3), outline=_shade(c, 0.5))
    for x in range(16, 114, 6):
        d.line((x, 104, x, 110), fill=_shade(c, 0.7))


def _pillow(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((22, 30, 106, 98), radius=18, fill=c, outline=OUTLINE, width=2)
    d.line((30, 64, 98, 64), fill=_shade(c, 0.8), width=2)


def _blanket(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((16, 34, 112, 94), fill=c, outline=OUTLINE, width=2)
    for y in range(42, 94, 12):
        d.line((16, y, 112, y), fill=_shade(c, 0.8), width=3)
    d.polygon([(16, 94), (112, 94), (104, 104), (24, 104)], fill=_shade(c, 0.7))


def _backpack(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((34, 22, 94, 114), radius=18, fill=c, outline=OUTLINE, width=2)
    d.rounded_rectangle((42, 70, 86, 106), radius=8, fill=_shade(c, 0.8), outline=OUTLINE)
    d.arc((50, 8, 78, 34), 180, 360, fill=OUTLINE, width=4)


def _handbag(d: Draw, c: Colour, rng: random.Random) -> None:
    d.arc((40, 20, 88, 70), 180, 360, fill=_shade(c, 0.6), width=5)
    d.polygon([(24, 46), (104, 46), (112, 108), (16, 108)], fill=c, outline=OUTLINE)
    d.rectangle((58, 52, 70, 60), fill=(210, 180, 70))


def _luggage(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((56, 6, 72, 24), outline=(90, 90, 90), width=3)
    d.rounded_rectangle((34, 22, 94, 110), radius=8, fill=c, outline=OUTLINE, width=2)
    for x in (50, 64, 78):
        d.line((x, 28, x, 104), fill=_shade(c, 0.8), width=2)
    for x in (40, 82):
        d.ellipse((x, 110, x + 8, 118), fill=(30, 30, 30))


def _watch(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((52, 4, 76, 124), fill=_shade(c, 0.7), outline=OUTLINE)
    d.ellipse((34, 34, 94, 94), fill=(245, 245, 245), outline=c, width=7)
    d.line((64, 64, 64, 44), fill=(20, 20, 20), width=3)
    d.line((64, 64, 78, 70), fill=(20, 20, 20), width=2)


def _headphones(d: Draw, c: Colour, rng: random.Random) -> None:
    d.arc((24, 14, 104, 94), 180, 360, fill=c, width=9)
    d.arc((24, 14, 104, 94), 180, 360, fill=OUTLINE, width=1)
    for x in (16, 90):
        d.rounded_rectangle((x, 52, x + 22, 96), radius=9, fill=c, outline=OUTLINE, width=2)


def _speaker(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((28, 14, 100, 114), radius=14, fill=c, outline=OUTLINE, width=2)
    d.ellipse((42, 50, 86, 94), fill=_shade(c, 0.5), outline=OUTLINE)
    d.ellipse((54, 22, 74, 42), fill=_shade(c, 0.5), outline=OUTLINE)


def _grocery(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rectangle((36, 26, 92, 114), fill=c, outline=OUTLINE, width=2)
    d.rectangle((42, 10, 86, 26), fill=_shade(c, 0.7), outline=OUTLINE)
    d.rectangle((40, 52, 88, 86), fill=(250, 248, 240), outline=OUTLINE)
    d.line((46, 62, 82, 62), fill=OUTLINE, width=2)
    d.line((46, 72, 74, 72), fill=OUTLINE, width=2)


def _kitchen(d: Draw, c: Colour, rng: random.Random) -> None:
    d.ellipse((14, 44, 90, 104), fill=c, outline=OUTLINE, width=2)
    d.ellipse((24, 52, 80, 94), fill=_shade(c, 0.6))
    d.rectangle((88, 68, 122, 78), fill=(40, 40, 40))


def _jacket(d: Draw, c: Colour, rng: random.Random) -> None:
    d.polygon(
        [
            (44, 14),
            (84, 14),
            (114, 40),
            (104, 60),
            (94, 52),
            (94, 116),
            (34, 116),
            (34, 52),
            (24, 60),
            (14, 40),
        ],
        fill=c,
        outline=OUTLINE,
    )
    d.line((64, 20, 64, 116), fill=_shade(c, 0.5), width=2)
    d.polygon([(44, 14), (64, 30), (84, 14)], fill=_shade(c, 0.8), outline=OUTLINE)


def _sandal(d: Draw, c: Colour, rng: random.Random) -> None:
    d.rounded_rectangle((16, 84, 112, 100), radius=7, fill=_shade(c, 0.6), outline=OUTLINE)
    d.arc((36, 50, 92, 110), 180, 360, fill=c, width=8)


DRAWERS: dict[str, Callable[[Draw, Colour, random.Random], None]] = {
    "CELLULAR_PHONE_CASE": _phone_case,
    "SCREEN_PROTECTOR": _screen,
    "SHOES": _shoe,
    "BOOT": _boot,
    "SANDAL": _sandal,
    "CHAIR": _chair,
    "SOFA": _sofa,
    "TABLE": _table,
    "DESK": _table,
    "BED_FRAME": _bed,
    "LAMP": _lamp,
    "RUG": _rug,
    "PILLOW": _pillow,
    "BLANKET": _blanket,
    "BACKPACK": _backpack,
    "HANDBAG": _handbag,
    "LUGGAGE": _luggage,
    "WATCH": _watch,
    "HEADPHONES": _headphones,
    "SPEAKERS": _speaker,
    "GROCERY": _grocery,
    "KITCHEN": _kitchen,
    "JACKET": _jacket,
}


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def draw_product(product_type: str, color: str | None, seed: str, brand: str | None = None) -> bytes:
    """A ``CANVAS``-px JPEG illustration of ``product_type`` in ``color`` with ``brand`` written under it."""
    rng = random.Random(seed)
    rgb = COLORS[color][1] if color in COLORS else (176, 132, 64)
    art = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    draw = ImageDraw.Draw(art)
    DRAWERS.get(product_type, _grocery)(draw, rgb, rng)
    if color == "Multi":
        for i, stripe in enumerate(((214, 60, 60), (60, 140, 214), (240, 200, 60))):
            draw.rectangle((4 + i * 8, 120, 10 + i * 8, 126), fill=stripe)
    image = Image.new("RGB", (CANVAS, CANVAS), (255, 255, 255))
    image.paste(art, ((CANVAS - SIZE) // 2, 2))
    canvas = ImageDraw.Draw(image)
    canvas.rectangle((0, CANVAS - 28, CANVAS, CANVAS), fill=(244, 245, 247))
    label = _fit(brand or "unbranded")
    canvas.text((CANVAS // 2, CANVAS - 15), label, fill=(40, 44, 52), font=_font(13), anchor="mm")
    canvas.text((4, 3), MARK, fill=(120, 124, 132), font=_font(9), anchor="la")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
