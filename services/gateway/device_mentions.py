"""Which device models a listing names, exactly: iPhone 13 ≠ 13 mini ≠ 13 Pro; Galaxy S21 ≠ S21+ ≠ S21 Ultra.

Used to answer "does it fit the 13 Pro?" from the listing alone. A device is a
``(line, number, variant)`` triple — ``("iphone", "13", "pro max")``, ``("galaxy", "s21", "+")``,
``("pixel", "7", "a")``. Runs like "iPhone 13/13 Pro" or "iPhone 12 & 12 Pro" name each model;
"not compatible with iPhone 13 mini" names a model the listing rules out. Lines this parser does
not know (Vivo Y20, Oppo A5 2020, …) are matched as whole phrases with the same exactness: the
phrase must not be followed by a variant word ("pro", "max", "ultra", …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VARIANT_WORDS = ("pro max", "pro", "max", "mini", "plus", "ultra", "lite", "fe", "+", "edge", "xl", "prime")
_VARIANT = r"(?:\s*(?:pro\s*max|pro|max|mini|plus|ultra|lite|fe|edge|xl|prime|\+))?"
_IPHONE = re.compile(
    rf"\biphone\s*(?P<num>1[0-9]|[4-9]|xs|xr|x|se)(?![0-9a-z])(?P<var>{_VARIANT})(?![a-z])", re.I
)
_GALAXY = re.compile(
    rf"\b(?:samsung\s+)?(?:galaxy\s+|samsung\s+)(?P<series>s|note\s*|a|m|z\s*flip\s*|z\s*fold\s*|flip\s*|fold\s*)"
    rf"(?P<num>\d{{1,2}})(?![0-9])(?P<var>{_VARIANT})(?![a-z])",
    re.I,
)
_PIXEL = re.compile(
    r"\b(?:google\s+)?pixel\s*(?P<num>\d{1,2})(?P<var>a|\s*pro|\s*xl|\s*a)?(?![0-9a-z])", re.I
)
_NOT_A_MODEL = r"(?![0-9.])(?!\s*(?:inch|in\b|\"|''|mm|cm|pack|pcs|pieces|x\b|-pack|ft|feet))"
_CONTINUE = re.compile(
    rf"\s*(?:/|&|,|\band\b|\bor\b)\s*(?:iphone\s*|galaxy\s*)?(?P<num>(?:s|a|m)?\d{{1,2}}|xs|xr|se)?"
    rf"{_NOT_A_MODEL}(?P<var>{_VARIANT})(?![a-z])",
    re.I,
)
_NEGATION = re.compile(r"(\bnot\b|n't\b|\bexcept\b|\bexcluding\b|\bother than\b)[^.;]{0,30}$", re.I)
# Samsung model codes for the best-known lines (SM-G991B → Galaxy S21).
_SAMSUNG_CODES = {
    "g990": ("s21", "fe"),
    "g991": ("s21", ""),
    "g996": ("s21", "+"),
    "g998": ("s21", "ultra"),
    "s901": ("s22", ""),
    "s906": ("s22", "+"),
    "s908": ("s22", "ultra"),
    "s911": ("s23", ""),
    "s916": ("s23", "+"),
    "s918": ("s23", "ultra"),
    "g980": ("s20", ""),
    "g981": ("s20", ""),
    "g985": ("s20", "+"),
    "g986": ("s20", "+"),
    "g988": ("s20", "ultra"),
}
_SAMSUNG_CODE = re.compile(r"\bsm-?(?P<code>[gs]\d{3})[a-z0-9/]*\b", re.I)


@dataclass(frozen=True)
class Device:
    line: str
    number: str
    variant: str = ""

    @property
    def display(self) -> str:
        if self.line == "iphone":
            number = self.number.upper() if self.number in ("xs", "xr", "x", "se") else self.number
            head = f"iPhone {number}"
        elif self.line == "galaxy":
            head = f"Galaxy {self.number.upper() if len(self.number) <= 4 else self.number.title()}"
        elif self.line == "pixel":
            head = f"Pixel {self.number}"
        else:
            head = self.number
        if not self.variant:
            return head
        if self.variant == "+":
            return head + " Plus" if self.line == "iphone" else head + "+"
        if self.line == "pixel" and self.variant == "a":
            return head + "a"
        variant = {"fe": "FE", "xl": "XL", "mini": "mini"}.get(self.variant, self.variant.title())
        return f"{head} {variant}"

    @property
    def short(self) -> str:
        """The model without its line's brand word, as a shopper says it ("13 mini", "S21 Ultra")."""
        return self.display.split(" ", 1)[1] if " " in self.display else self.display


@dataclass(frozen=True)
class Mentions:
    """Devices a text names, and those it explicitly rules out ("not for the 13 mini")."""

    named: tuple[Device, ...] = ()
    excluded: tuple[Device, ...] = ()


def _variant(raw: str | None, line: str) -> str:
    text = re.sub(r"\s+", " ", (raw or "").strip().lower())
    if text in ("plus",):
        return "+"
    if line == "pixel" and text == "a":
        return "a"
    return text


def _galaxy_number(series: str, num: str) -> str:
    s = re.sub(r"\s+", " ", series.strip().lower())
    return f"{s}{num}" if len(s) == 1 else f"{s} {num}"


def _iter_devices(text: str) -> list[tuple[int, Device]]:
    found: list[tuple[int, Device]] = []
    for match in _IPHONE.finditer(text):
        base = Device("iphone", match.group("num").lower(), _variant(match.group("var"), "iphone"))
        found.append((match.start(), base))
        found.extend(_continuations(text, match.end(), base))
    for match in _GALAXY.finditer(text):
        number = _galaxy_number(match.group("series"), match.group("num"))
        base = Device("galaxy", number, _variant(match.group("var"), "galaxy"))
        found.append((match.start(), base))
        found.extend(_continuations(text, match.end(), base))
    for match in _PIXEL.finditer(text):
        found.append(
            (match.start(), Device("pixel", match.group("num"), _variant(match.group("var"), "pixel")))
        )
    for match in _SAMSUNG_CODE.finditer(text):
        code = _SAMSUNG_CODES.get(match.group("code").lower())
        if code:
            found.append((match.start(), Device("galaxy", code[0], code[1])))
    return found


def _continuations(text: str, pos: int, base: Device) -> list[tuple[int, Device]]:
    """ "iPhone 13/13 Pro/Pro Max" → 13 Pro and 13 Pro Max after the 13."""
    out: list[tuple[int, Device]] = []
    prefix = re.match(r"[a-z]*", base.number).group(0) if base.line == "galaxy" else ""  # type: ignore[union-attr]
    while True:
        match = _CONTINUE.match(text, pos)
        if not match or not (match.group("num") or match.group("var").strip()):
            return out
        num = (match.group("num") or "").lower()
        if base.line == "galaxy" and num and num[0].isdigit():
            num = prefix + num
        if base.line == "iphone" and num and num[0] in "sam" and num != "se":
            return out
        device = Device(base.line, num or base.number, _variant(match.group("var"), base.line))
        out.append((match.start(), device))
        pos = match.end()


def find_devices(text: str) -> Mentions:
    """Devices named in ``text`` (deduplicated, in order), split into named and ruled out."""
    named: list[Device] = []
    excluded: list[Device] = []
    for start, device in sorted(_iter_devices(text), key=lambda pair: pair[0]):
        target = excluded if _NEGATION.search(text[max(0, start - 40) : start]) else named
        if device not in target:
            target.append(device)
    return Mentions(tuple(d for d in named if d not in excluded), tuple(excluded))


def parse_device(text: str) -> Device | None:
    """One canonical model string ("iphone 13 pro", "galaxy s21 ultra", "SM-G991B") → :class:`Device`."""
    mentions = find_devices(text)
    return mentions.named[0] if mentions.named else None


def phrase_mention(phrase: str, text: str) -> tuple[bool | None, str | None]:
    """For lines :func:`find_devices` does not know: is ``phrase`` named exactly in ``text``?

    Returns ``(True, as written)`` when it occurs not followed by a variant word; ``(False, the
    variant as written)`` when it only occurs as a variant ("vivo y20" in "Vivo Y20s" or "Vivo
    Y20 Pro"); ``(None, None)`` when it does not occur.
    """
    words = [re.escape(w) for w in phrase.lower().split()]
    if not words:
        return None, None
    pattern = re.compile(
        r"(?<![a-z0-9])(?P<base>"
        + r"[\s-]*".join(words)
        + r")(?P<tail>[a-z0-9+]*)(?P<rest>[^.;,/|()]{0,12})",
        re.I,
    )
    variant: str | None = None
    for match in pattern.finditer(text):
        base = match.group("base")
        if match.group("tail"):
            variant = variant or base + match.group("tail")  # "y20s": a different model
            continue
        rest = match.group("rest").strip()
        low = rest.lower()
        first = low.split(" ", 1)[0] if low else ""
        if low.startswith("pro max"):
            variant = variant or f"{base} {rest[:7]}"
            continue
        if low.startswith("+") or first in VARIANT_WORDS:
            variant = variant or (f"{base}+" if low.startswith("+") else f"{base} {rest.split(' ', 1)[0]}")
            continue
        return True, base
    return (False, variant) if variant else (None, None)


def phrase_named(phrase: str, text: str) -> bool | None:
    """:func:`phrase_mention` without the wording: ``True``, ``False`` (only a variant) or ``None``."""
    return phrase_mention(phrase, text)[0]


_BARE = re.compile(
    r"(?<![\w.])(?P<model>(?:s|a|m|note\s?)?\d{1,2}|xs|xr|se)(?P<var>\s*(?:pro\s*max|pro|max|mini|plus|ultra|fe|lite|\+))?"
    r"(?![\w.+])(?!\s*(?:inch|in\b|\"|mm|cm|ft|feet|pack|pcs|people|person|%|lb|kg|oz|year|v\b|volt|w\b|watt|mah|gb|tb|hz))",
    re.I,
)
_LINE_WORD = {"iphone": "iphone", "galaxy": "galaxy", "pixel": "pixel"}


def bare_models(text: str, line: str) -> list[Device]:
    """Models named without their line ("the 13 Pro", "an S21 Ultra"), read as models of ``line``."""
    word = _LINE_WORD.get(line)
    if word is None:
        return []
    out: list[Device] = []
    for match in _BARE.finditer(text):
        device = parse_device(f"{word} {match.group(0)}")
        if device is not None and device.line == line and device not in out:
            out.append(device)
    return out
