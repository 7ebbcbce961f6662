"""Device models, exactly: iPhone 13 ≠ 13 mini ≠ 13 Pro ≠ 13 Pro Max; Galaxy S21 ≠ S21+ ≠ S21 Ultra.

``find_devices`` returns canonical model names with their character spans in normalised text
(``ml.understanding.vocab.normalize``). The same parser reads shoppers' messages and product
titles/keywords, so compatibility is an exact comparison of canonical names
(:func:`compatible`). Samsung model codes (SM-G991B) map to marketing names through a small table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Samsung model codes (the letter + three digits after "SM-") → Galaxy model.
SAMSUNG_CODES: dict[str, str] = {
    "g991": "galaxy s21", "g996": "galaxy s21+", "g998": "galaxy s21 ultra", "g990": "galaxy s21 fe",
    "g981": "galaxy s20", "g986": "galaxy s20+", "g988": "galaxy s20 ultra", "g780": "galaxy s20 fe",
    "g781": "galaxy s20 fe", "s901": "galaxy s22", "s906": "galaxy s22+", "s908": "galaxy s22 ultra",
    "s911": "galaxy s23", "s916": "galaxy s23+", "s918": "galaxy s23 ultra", "s711": "galaxy s23 fe",
    "s921": "galaxy s24", "s926": "galaxy s24+", "s928": "galaxy s24 ultra", "s721": "galaxy s24 fe",
    "g973": "galaxy s10", "g975": "galaxy s10+", "g970": "galaxy s10e", "g960": "galaxy s9",
    "g965": "galaxy s9+", "n970": "galaxy note 10", "n975": "galaxy note 10+", "n981": "galaxy note 20",
    "n986": "galaxy note 20 ultra", "a125": "galaxy a12", "a127": "galaxy a12", "a325": "galaxy a32",
    "a326": "galaxy a32", "a515": "galaxy a51", "a516": "galaxy a51", "a525": "galaxy a52",
    "a526": "galaxy a52", "a528": "galaxy a52s", "a536": "galaxy a53", "a546": "galaxy a54",
    "a556": "galaxy a55", "a715": "galaxy a71", "a135": "galaxy a13", "a136": "galaxy a13",
    "a235": "galaxy a23", "a336": "galaxy a33", "a346": "galaxy a34", "a145": "galaxy a14",
    "a146": "galaxy a14", "a057": "galaxy a05s", "f711": "galaxy z flip 3", "f721": "galaxy z flip 4",
    "f731": "galaxy z flip 5", "f926": "galaxy z fold 3", "f936": "galaxy z fold 4",
    "f946": "galaxy z fold 5",
    "m315": "galaxy m31", "m325": "galaxy m32", "m515": "galaxy m51",
}  # fmt: skip


@dataclass(frozen=True)
class DeviceMatch:
    start: int
    end: int
    model: str


_SEP = r"[\s-]*"
_IPHONE = re.compile(
    r"\b(?:apple\s+)?i[\s-]?phone"
    + _SEP
    + r"(?P<num>(?:1[0-9]|[4-9])(?![0-9]|\.\d)|(?:se|xs|xr|x)(?![a-z0-9]))"
    r"(?:" + _SEP + r"\(?(?P<gen>20(?:16|20|22)|(?:1st|2nd|3rd|first|second|third)\s+gen(?:eration)?)\)?)?"
    r"(?P<suf>(?:" + _SEP + r"(?:pro\s*max|pro|max|mini|plus|\+))?)"
)
_GALAXY = re.compile(
    r"\b(?:(?:samsung\s+)?galaxy|samsung)\s+"
    r"(?P<series>s|a|m|f|note\s*|z\s*flip\s*|z\s*fold\s*|flip\s*|fold\s*)(?P<num>\d{1,2})(?P<letter>[es](?![a-z0-9]))?"
    r"(?P<suf>(?:\s*(?:ultra|plus|\+|fe|lite|edge|5g)(?![a-z0-9]))*)"
    r"|\b(?P<bseries>s|a|note\s?)(?P<bnum>[1-2]\d)(?P<bletter>e(?![a-z0-9]))?"
    r"(?P<bsuf>(?:\s*(?:ultra|plus|\+|fe|lite|5g)(?![a-z0-9]))*)(?![a-z0-9])"
)
_SAMSUNG_CODE = re.compile(
    r"\bsm[\s-]?(?P<code>[a-z]\d{3})[a-z0-9]{0,4}\b|\b(?P<bare>[gsnafm]\d{3})[a-z]{1,2}\b"
)
_PIXEL = re.compile(
    r"\b(?:google\s+)?pixel\s*(?:(?P<num>\d{1,2})(?![.]\d)(?P<a>a)?(?![0-9])(?P<suf>(?:\s*(?:pro\s*xl|pro\s*fold|pro|xl|fold))?)"
    r"|(?P<fold>fold))"
)
_REDMI = re.compile(
    r"\b(?:xiaomi\s+)?redmi\s+(?P<note>note\s*)?(?P<num>\d{1,2})(?P<letter>[acst])?(?![a-z0-9])"
    r"(?P<suf>(?:\s*(?:pro\s*max|pro\s*\+|pro\s*plus|pro|max|prime|plus|lite|\+))?)(?:\s*5g)?"
)
_ONEPLUS = re.compile(
    r"\b(?:one\s?plus\s+|oneplus\s*)(?:(?P<nord>nord)(?P<ce>\s*ce)?(?:\s*(?P<nnum>n\d{2,3}|\d(?![.\d])))?(?P<nsuf>(?:\s*(?:lite|t))?)"
    r"|(?P<num>\d{1,2})(?P<t>[tr])?(?P<suf>(?:\s*pro)?))(?:\s*5g)?"
    r"|\bnord(?P<bce>\s*ce)?(?:\s*(?P<bnum>n\d{2,3}|\d(?![.\d])))?(?![a-z0-9])"
)
_MOTO = re.compile(
    r"\b(?:motorola\s+)?moto\s+(?P<series>[gexz])\s*(?P<num>\d{1,3})?(?![a-z0-9])"
    r"(?P<suf>(?:\s*(?:power|stylus|play|plus|pure|fast|\+))?)(?:\s*\(?(?P<year>20[12]\d)\)?)?"
)
_OTHER = re.compile(
    r"\b(?P<brand>vivo|oppo|realme|huawei|honor|nokia|poco|infinix|tecno|xperia)\s+"
    r"(?P<model>[a-z]{0,2}\d{1,3}[a-z]?)(?![a-z0-9])(?P<suf>(?:\s*(?:pro\s*\+|pro\s*plus|pro|max|plus|lite|neo|ultra|\+))?)"
)
_IPAD = re.compile(
    r"\bipad(?:\s+(?P<line>pro|air|mini))?(?:\s+(?P<num>1[0-3](?:\.\d)?|[1-9](?:\.\d)?)(?:\s*(?:inch|in|\"))?)?"
    r"(?:\s*\(?(?P<gen>\d{1,2})(?:st|nd|rd|th)\s+gen(?:eration)?\)?)?"
)
_AIRPODS = re.compile(
    r"\bair\s?pods?(?:\s+(?P<kind>pro|max))?(?:\s+(?P<num>[1-4])(?:nd|rd|th)?(?:\s+gen(?:eration)?)?)?\b"
)
_WATCH = re.compile(r"\bapple\s+watch(?:\s+(?:series\s*(?P<num>\d{1,2})|(?P<kind>se|ultra(?:\s*2)?)))?")
_CONTINUE = re.compile(
    r"\s*(?:,|/|&|\bor\b|\band\b)\s*(?P<num>1[0-9]|[4-9])(?P<suf>(?:\s*(?:pro\s*max|pro|mini|plus|\+))?)(?![a-z0-9])"
)
_GALAXY_CONTINUE = re.compile(
    r"\s*(?:,|/|&|\bor\b|\band\b)\s*(?P<series>s|a|note\s?)?(?P<num>[1-2]\d)(?P<suf>(?:\s*(?:ultra|plus|\+|fe))*)(?![a-z0-9])"
)


def _iphone_suffix(raw: str) -> str:
    s = " ".join(raw.replace("-", " ").split())
    if not s:
        return ""
    if s.startswith("pro") and "max" in s:
        return " pro max"
    if s in ("+", "plus"):
        return " plus"
    return " " + s


def _galaxy_suffix(raw: str) -> str:
    parts = re.findall(r"ultra|plus|\+|fe|lite|edge", raw)
    out = ""
    for p in parts:
        if p in ("plus", "+"):
            out += "+"
        else:
            out += " " + p
    return out


def _iphone(m: re.Match[str]) -> str:
    num = m.group("num")
    model = f"iphone {num}"
    gen = m.group("gen")
    if num == "se" and gen:
        year = {
            "1st": "2016",
            "first": "2016",
            "2nd": "2020",
            "second": "2020",
            "3rd": "2022",
            "third": "2022",
        }
        g = gen.split()[0]
        model += " " + year.get(g, g)
    suf = _iphone_suffix(m.group("suf") or "")
    if num == "xs" and suf == " pro max":
        suf = " max"
    return model + suf


def _galaxy(m: re.Match[str]) -> str:
    if m.group("series") is not None:
        series, num, letter, suf = m.group("series"), m.group("num"), m.group("letter"), m.group("suf")
    else:
        series, num, letter, suf = m.group("bseries"), m.group("bnum"), m.group("bletter"), m.group("bsuf")
    series = " ".join(series.split())
    letter = letter or ""
    if series in ("note",):
        base = f"galaxy note {num}"
    elif series.endswith(("flip", "fold")):
        base = f"galaxy z {series.split()[-1].replace('z', '').strip() or series} {num}"
        base = base.replace("z z", "z")
    else:
        base = f"galaxy {series}{num}{letter}"
    return base + _galaxy_suffix(suf or "")


def _pixel(m: re.Match[str]) -> str:
    if m.group("fold"):
        return "pixel fold"
    model = f"pixel {m.group('num')}{m.group('a') or ''}"
    suf = " ".join((m.group("suf") or "").split())
    return model + (f" {suf}" if suf else "")


def _redmi(m: re.Match[str]) -> str:
    model = "redmi " + ("note " if m.group("note") else "") + m.group("num") + (m.group("letter") or "")
    suf = " ".join((m.group("suf") or "").replace("+", " plus").replace("pro plus", "pro+").split())
    return model + (f" {suf}" if suf else "")


def _oneplus(m: re.Match[str]) -> str:
    if m.group("nord") or m.group(0).lstrip().startswith("nord"):
        ce = m.group("ce") or m.group("bce")
        num = m.group("nnum") or m.group("bnum")
        model = "oneplus nord" + (" ce" if ce else "") + (f" {num}" if num else "")
        nsuf = (m.group("nsuf") or "").strip()
        return model + (f" {nsuf}" if nsuf else "")
    model = f"oneplus {m.group('num')}{m.group('t') or ''}"
    return model + (" pro" if (m.group("suf") or "").strip() else "")


def _moto(m: re.Match[str]) -> str:
    model = f"moto {m.group('series')}{m.group('num') or ''}"
    suf = (m.group("suf") or "").strip()
    if suf:
        model += f" {'plus' if suf == '+' else suf}"
    if m.group("year"):
        model += f" {m.group('year')}"
    return model


def _other(m: re.Match[str]) -> str:
    suf = " ".join((m.group("suf") or "").replace("+", " plus").split())
    return f"{m.group('brand')} {m.group('model')}" + (f" {suf}" if suf else "")


def _ipad(m: re.Match[str]) -> str:
    model = "ipad" + (f" {m.group('line')}" if m.group("line") else "")
    if m.group("num"):
        model += f" {m.group('num')}"
    if m.group("gen"):
        model += f" gen {m.group('gen')}"
    return model


def _airpods(m: re.Match[str]) -> str:
    model = "airpods" + (f" {m.group('kind')}" if m.group("kind") else "")
    return model + (f" {m.group('num')}" if m.group("num") else "")


def _watch(m: re.Match[str]) -> str:
    if m.group("num"):
        return f"apple watch series {m.group('num')}"
    if m.group("kind"):
        return "apple watch " + " ".join(m.group("kind").split())
    return "apple watch"


_PARSERS = (
    (_SAMSUNG_CODE, None),
    (_IPHONE, _iphone),
    (_REDMI, _redmi),
    (_PIXEL, _pixel),
    (_ONEPLUS, _oneplus),
    (_MOTO, _moto),
    (_OTHER, _other),
    (_GALAXY, _galaxy),
    (_IPAD, _ipad),
    (_AIRPODS, _airpods),
    (_WATCH, _watch),
)


def find_devices(text: str) -> list[DeviceMatch]:
    """Device models in normalised (lower-case) text, in order, non-overlapping."""
    found: list[DeviceMatch] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern, build in _PARSERS:
        if pattern is _SAMSUNG_CODE and "sm" not in text and not re.search(r"[gsnafm]\d{3}", text):
            continue
        for m in pattern.finditer(text):
            a, b = m.span()
            if a == b or not free(a, b):
                continue
            if build is None:
                code = m.group("code") or m.group("bare")
                model = SAMSUNG_CODES.get(code)
                if model is None:
                    continue
            else:
                model = build(m)
            # trailing spaces matched by optional groups are not part of the model
            while b > a and text[b - 1].isspace():
                b -= 1
            found.append(DeviceMatch(a, b, model))
            taken.append((a, b))
            # "iphone 12 or 13 pro", "galaxy s21 and s22": the family carries over
            cont = (
                _CONTINUE
                if model.startswith("iphone")
                else _GALAXY_CONTINUE
                if model.startswith("galaxy s")
                else None
            )
            pos = b
            while cont is not None:
                c = cont.match(text, pos)
                if c is None or not free(c.start("num"), c.end()):
                    break
                if model.startswith("iphone"):
                    nxt = f"iphone {c.group('num')}" + _iphone_suffix(c.group("suf") or "")
                else:
                    series = (c.group("series") or "s").strip()
                    nxt = f"galaxy {series}{c.group('num')}" + _galaxy_suffix(c.group("suf") or "")
                end = c.end()
                while end > c.start() and text[end - 1].isspace():
                    end -= 1
                found.append(DeviceMatch(c.start("num"), end, nxt))
                taken.append((c.start("num"), end))
                pos = end
    found.sort(key=lambda d: d.start)
    return found


def device_models(text: str) -> list[str]:
    """Canonical models mentioned in a text (normalise first), de-duplicated, in order."""
    return list(dict.fromkeys(d.model for d in find_devices(text)))


def compatible(wanted: str, offered: Iterable[str]) -> bool:
    """Whether a product listing ``offered`` models fits the ``wanted`` one — exactly.

    "iphone 13" does not fit "iphone 13 pro"; a model named without a year ("moto g power")
    fits the same model of any year ("moto g power 2021").
    """
    offered = list(offered)
    if wanted in offered:
        return True
    if re.search(r" 20[12]\d$", wanted):
        return False
    return any(re.sub(r" 20[12]\d$", "", o) == wanted for o in offered)
