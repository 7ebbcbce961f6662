"""Generate structured sample products and write them as real-ABO-layout listing records.

Every product is first a :class:`SampleProduct` (type, subtype, features, colour, material, brand,
phone model, ...). The golden judgments are computed from these structured attributes; the ABO
record is only a rendering of them.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ml.sample import phone
from ml.sample.specs import TYPE_SPECS
from ml.sample.vocab import (
    BULLET_I18N,
    COLOR_I18N,
    COLORS,
    FOREIGN_LANGUAGES,
    MARKETPLACES,
    Feature,
    Subtype,
    TypeSpec,
    british,
)

PHONE_CASE = "CELLULAR_PHONE_CASE"
SCREEN_PROTECTOR = "SCREEN_PROTECTOR"
PHONE_CASE_SHARE = 0.46
SCREEN_PROTECTOR_SHARE = 0.012
MISSING_BRAND_RATE = 0.08
FOREIGN_ONLY_RATE = 0.05
MULTILINGUAL_RATE = 0.035
OTHER_ENGLISH_RATE = 0.12
DUPLICATE_RATE = 0.055
MISSING_IMAGE_RATE = 0.012

SHADES = (
    "Linen Drum Shade",
    "White Fabric Shade",
    "Pleated Shade",
    "Glass Globe Shade",
    "Rattan Shade",
    "Empire Shade",
)
FINISHES = ("Walnut", "Black Metal", "Natural Oak", "Gold-Tone", "Espresso", "Chrome")
PACKS = ("Pack of 1", "Pack of 2", "Pack of 4", "Pack of 6", "Pack of 12")


@dataclass(frozen=True)
class Force:
    """Attributes a generated product must have (used for golden-query anchors)."""

    subtype: str | None = None
    features: tuple[str, ...] = ()
    color: str | None = None
    material: str | None = None
    brand: str | None = None
    phone_model: str | None = None
    audience: str | None = None
    model_name: str | None = None
    style: str | None = None
    size: str | None = None
    noun: str | None = None


@dataclass
class SampleProduct:
    """One product with its structured attributes and its rendered English text."""

    item_id: str
    product_type: str
    subtype: str
    noun: str
    brand: str | None
    title: str
    color: str | None
    color_text: str | None
    material: str | None
    style: str | None
    pattern: str | None
    fabric_type: str | None
    features: tuple[str, ...]
    tags: tuple[str, ...]
    audience: str | None
    phone_model: str | None
    model_name: str | None
    model_number: str
    size: str | None
    bullets: list[str]
    keywords: list[str]
    description: str | None
    node_path: str
    weight_lb: float
    dims_in: tuple[float, float, float]
    language: str = "en_US"
    foreign_title: str | None = None
    foreign_language: str | None = None
    foreign_bullets: list[str] = field(default_factory=list)
    keep_english_bullets: bool = True
    main_image_id: str | None = None
    other_image_ids: list[str] = field(default_factory=list)
    anchor: bool = False

    @property
    def domain(self) -> str:
        return MARKETPLACES[self.language][0]

    def has(self, feature: str) -> bool:
        return feature in self.features


# --- small helpers ------------------------------------------------------------------------------
_FIELD = re.compile(r"\{(\w+)\}")


def fill(template: str, fields: dict[str, str]) -> str:
    """Fill ``{name}`` fields; empty fields vanish along with the punctuation they leave behind."""
    text = _FIELD.sub(lambda m: fields.get(m.group(1), ""), template)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\bwith\s*(?=[,|\-]|$)", "", text)
    text = re.sub(r"\bfor\s*(?=[,|\-]|$)", "", text)
    text = re.sub(r"\bwith (with|for)\b", r"\1", text)
    text = re.sub(r"\bby\s*(?=[,|\-]|$)", "", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,)])", r"\1", text)
    for _ in range(3):
        text = re.sub(r"([,|\-/])\s*([,|\-/])(?!\d)", r"\1", text)
        text = re.sub(r"^\s*[,|\-/]\s*|\s*[,|\-/]\s*$", "", text)
    text = re.sub(r"\s*,\s*(?=-|\|)", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,-|/")


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(list(items), weights=list(weights), k=1)[0]


def _pick_template(rng: random.Random, templates: Sequence[str], fields: dict[str, str]) -> str:
    def missing(t: str) -> int:
        return sum(1 for name in _FIELD.findall(t) if not fields.get(name))

    best = min(missing(t) for t in templates)
    return rng.choice([t for t in templates if missing(t) == best])


def item_id(rng: random.Random, taken: set[str]) -> str:
    """ASIN-like id: ``B0`` + 8 upper-case alphanumerics (real ABO item ids look like this)."""
    alphabet = string.ascii_uppercase + string.digits
    while True:
        candidate = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def image_id(rng: random.Random) -> str:
    """Amazon-style image id such as ``81iZlv3bU5L`` (11 characters ending in ``L``)."""
    alphabet = string.ascii_letters + string.digits
    return rng.choice("45678") + "1" + "".join(rng.choice(alphabet) for _ in range(8)) + "L"


def image_path(image: str) -> str:
    """Path below ``images/small`` the way ABO's ``images.csv`` spells it (``8c/8ccb5859.jpg``)."""
    digest = hashlib.sha1(image.encode()).hexdigest()[:8]
    return f"{digest[:2]}/{digest}.jpg"


def node_id(path: str) -> int:
    return 1_000_000_000 + int(hashlib.sha1(path.encode()).hexdigest()[:8], 16) % 3_000_000_000


def _draw_features(
    rng: random.Random, sub: Subtype, defs: Sequence[Feature], material: str | None, forced: Sequence[str]
) -> list[str]:
    by_key = {f.key: f for f in defs}
    chosen = [key for key, p in sub.features if rng.random() < p]
    out = list(dict.fromkeys([*forced, *[k for k in chosen if k not in forced]]))
    return [
        k for k in out if k in forced or not any(m in (material or "") for m in by_key[k].forbid_materials)
    ]


def _phrase(rng: random.Random, defs: Sequence[Feature], key: str) -> str:
    return rng.choice(next(f for f in defs if f.key == key).title)


def _title_features(
    rng: random.Random, defs: Sequence[Feature], keys: Sequence[str], avoid: Sequence[str]
) -> tuple[str, str]:
    """Title phrases for the first two features: ``feat`` is an adjective (``Waterproof``), ``feat2``
    carries its own connector (``with Rain Cover`` or ``, Lightweight``)."""
    adjectives: list[str] = []
    postfix: list[str] = []
    blocked = [a.lower() for a in avoid if a]
    for key in keys:
        text = _phrase(rng, defs, key)
        if any(text.lower() in b or b in text.lower() for b in blocked):
            continue
        (postfix if text.startswith(("with ", "for ")) else adjectives).append(text)
    feat = adjectives[0] if adjectives else ""
    if postfix:
        feat2 = postfix[0]
    elif len(adjectives) > 1:
        feat2 = ", " + adjectives[1]
    else:
        feat2 = ""
    return feat, feat2


def _dims(rng: random.Random, spec_dims: tuple[tuple[float, float], ...]) -> tuple[float, float, float]:
    a, b, c = (round(rng.uniform(lo, hi), 1) for lo, hi in spec_dims)
    return a, b, c


def _color(rng: random.Random, palette: Sequence[str], forced: str | None) -> tuple[str | None, str | None]:
    if not palette and not forced:
        return None, None
    std = forced or rng.choice(list(palette))
    return std, rng.choice(COLORS[std][0])


# --- generic product types -----------------------------------------------------------------------
def make_generic(rng: random.Random, spec: TypeSpec, iid: str, force: Force = Force()) -> SampleProduct:
    sub = (
        spec.subtype(force.subtype)
        if force.subtype
        else _weighted(rng, spec.subtypes, [s.weight for s in spec.subtypes])
    )
    materials = sub.materials or spec.materials
    material = force.material or (rng.choice(materials) if materials else None)
    features = _draw_features(rng, sub, spec.features, material, force.features)
    forced_first = [k for k in features if k in force.features]
    rest = [k for k in features if k not in force.features]
    rng.shuffle(rest)
    ordered = forced_first + rest
    color, color_text = _color(rng, (sub.colors or spec.colors) if spec.has_color else (), force.color)
    brand = force.brand or (
        None if rng.random() < MISSING_BRAND_RATE and not force.features else rng.choice(spec.brands)
    )
    if force.brand is None and force.features and rng.random() < MISSING_BRAND_RATE:
        brand = None
    audience = force.audience or (
        _weighted(rng, spec.audiences, [0.18 if a == "Kids'" else 0.41 for a in spec.audiences])
        if spec.audiences
        else None
    )
    if force.model_name:
        model_name: str | None = force.model_name
    elif spec.model_code:
        model_name = f"{spec.model_code}{rng.randint(1, 9)}{rng.choice('05')}0"
    else:
        model_name = rng.choice(spec.model_names) if spec.model_names and rng.random() < 0.7 else None
    noun = force.noun or rng.choice(sub.nouns)
    if audience == "Kids'" and "Kids" in noun:
        audience = None
    styles = sub.styles or spec.styles
    style = force.style or (rng.choice(styles) if styles else None)
    pattern = rng.choice(spec.patterns) if spec.patterns else None
    sizes = sub.sizes or spec.sizes
    size = force.size or (rng.choice(sizes) if sizes else None)
    feat, feat2 = _title_features(rng, spec.features, ordered, [noun, color_text or ""])
    use = sub.tags[0].title() if sub.tags and sub.tags[0].lower() not in noun.lower() else ""
    other_color = rng.choice(COLORS[rng.choice(list(spec.colors))][0]) if spec.colors else ""
    fields = {
        "brand": brand or "",
        "aud": audience or "",
        "noun": noun,
        "color": color_text or "",
        "color2": other_color if other_color != color_text else "",
        "material": material
        if material and not any(material.lower() in t.lower() for t in (noun, feat, feat2))
        else "",
        "feat": feat,
        "feat2": feat2,
        "style": style or "",
        "size": size or "",
        "model": model_name or "",
        "pattern": pattern or "",
        "room": use,
        "use": use,
        "shade": rng.choice(SHADES),
        "finish": rng.choice(FINISHES),
        "seat": str(rng.randint(17, 20)),
        "pack": rng.choice(PACKS),
    }
    title = fill(_pick_template(rng, spec.titles, fields), fields)
    feature_bullets = [rng.choice(next(f for f in spec.features if f.key == k).bullets) for k in ordered]
    generic = rng.sample(list(spec.bullets), k=min(len(spec.bullets), rng.randint(2, 4)))
    bullets = [fill(b, fields) for b in feature_bullets[:4] + generic]
    rng.shuffle(bullets)
    keywords = _keywords(
        rng, spec.keywords, noun, [f for f in spec.features if f.key in ordered], material, color_text
    )
    description = fill(rng.choice(spec.descriptions), fields) if rng.random() < 0.45 else None
    return SampleProduct(
        item_id=iid,
        product_type=spec.name,
        subtype=sub.key,
        noun=noun,
        brand=brand,
        title=title,
        color=color,
        color_text=color_text,
        material=material,
        style=style,
        pattern=pattern,
        fabric_type=rng.choice(spec.fabric_types) if spec.fabric_types and rng.random() < 0.5 else None,
        features=tuple(sorted(features)),
        tags=sub.tags,
        audience=audience,
        phone_model=None,
        model_name=model_name,
        model_number=_model_number(rng, brand),
        size=size,
        bullets=bullets,
        keywords=keywords,
        description=description,
        node_path="/Categories" + sub.node,
        weight_lb=round(rng.uniform(*spec.weight_lb), 2),
        dims_in=_dims(rng, spec.dims_in),
    )


def _keywords(
    rng: random.Random,
    base: Sequence[str],
    noun: str,
    feats: Sequence[Feature],
    material: str | None,
    color_text: str | None,
) -> list[str]:
    words = [noun.lower(), *rng.sample(list(base), k=min(2, len(base)))]
    for feat in feats[:3]:
        words.extend(feat.keywords[:1] or (feat.title[0].lower(),))
    if material and rng.random() < 0.5:
        words.append(material.lower())
    if color_text and rng.random() < 0.3:
        words.append(f"{color_text.lower()} {noun.lower()}")
    return list(dict.fromkeys(words))


def _model_number(rng: random.Random, brand: str | None) -> str:
    prefix = (
        "".join(w[0] for w in (brand or "XX").replace("-", " ").split() if w[0].isalpha())[:3].upper() or "AB"
    )
    return f"{prefix}{rng.randint(10, 99)}-{rng.choice(string.ascii_uppercase)}{rng.randint(1000, 99999)}"


# --- phone cases and screen protectors -----------------------------------------------------------
def _phone_model(rng: random.Random, forced: str | None) -> str:
    if forced:
        return forced
    models = list(phone.PHONE_MODELS)
    return str(_weighted(rng, models, [phone.PHONE_MODELS[m][1] for m in models]))


def make_case(rng: random.Random, iid: str, force: Force = Force()) -> SampleProduct:
    sub = (
        next(s for s in phone.CASE_SUBTYPES if s.key == force.subtype)
        if force.subtype
        else _weighted(rng, phone.CASE_SUBTYPES, [s.weight for s in phone.CASE_SUBTYPES])
    )
    model = _phone_model(rng, force.phone_model)
    size = phone.PHONE_MODELS[model][0]
    material = force.material or rng.choice(sub.materials)
    features = _draw_features(rng, sub, phone.CASE_FEATURES, material, force.features)
    if model not in phone.MAGSAFE_MODELS:
        features = [f for f in features if f != "magsafe"]
    forced_first = [k for k in features if k in force.features]
    rest = [k for k in features if k not in force.features]
    rng.shuffle(rest)
    ordered = forced_first + rest
    if force.color:
        color: str = force.color
    elif sub.key == "clear":
        color = "Clear"
    elif sub.key == "designer":
        color = "Multi"
    else:
        color = rng.choice(phone.CASE_COLORS)
    all_nouns = " ".join(sub.nouns).lower()
    wordings = [w for w in COLORS[color][0] if w.lower() not in all_nouns] or list(COLORS[color][0])
    color_text = rng.choice(wordings)
    if sub.key == "designer" and force.brand is None:
        brand: str | None = phone.SOLIMO if rng.random() < 0.85 else rng.choice(phone.CASE_BRANDS)
    else:
        brand = force.brand or rng.choice(phone.CASE_BRANDS[1:])
    if force.brand is None and not force.features and rng.random() < MISSING_BRAND_RATE:
        brand = None
    noun = force.noun or rng.choice(sub.nouns)
    feat, feat2 = _title_features(rng, phone.CASE_FEATURES, ordered, [noun, color_text or ""])
    design = force.style or rng.choice(phone.DESIGNS)
    fields = {
        "brand": brand or "",
        "model": model,
        "size": size,
        "noun": noun,
        "color": color_text or "",
        "material": material if material.lower() not in noun.lower() else "",
        "design": design,
        "feat": feat,
        "feat2": feat2,
    }
    if sub.key == "designer":
        title = fill(rng.choice(phone.DESIGNER_TITLES), fields)
        generic = list(phone.DESIGNER_BULLETS)
    else:
        title = fill(_pick_template(rng, phone.CASE_TITLES, fields), fields)
        generic = rng.sample(list(phone.CASE_BULLETS), k=rng.randint(2, 4))
    feature_bullets = [
        rng.choice(next(f for f in phone.CASE_FEATURES if f.key == k).bullets) for k in ordered
    ]
    bullets = [fill(b, fields) for b in feature_bullets[:4] + generic]
    rng.shuffle(bullets)
    keywords = _keywords(
        rng,
        ("phone case", "mobile cover", "back cover", "case"),
        noun,
        [f for f in phone.CASE_FEATURES if f.key in ordered],
        material,
        color_text,
    )
    keywords.append(f"{model.lower()} case")
    description = (
        f"Protect your {model} with this {material} {noun.lower()} from {brand or 'us'}."
        if rng.random() < 0.3
        else None
    )
    number = (
        f"UV{rng.randint(10000, 99999)}-SL{rng.randint(10000, 99999)}"
        if brand == phone.SOLIMO
        else _model_number(rng, brand)
    )
    return SampleProduct(
        item_id=iid,
        product_type=PHONE_CASE,
        subtype=sub.key,
        noun=noun,
        brand=brand,
        title=title,
        color=color,
        color_text=color_text,
        material=material,
        style=design if sub.key == "designer" else None,
        pattern=None,
        fabric_type=None,
        features=tuple(sorted(features)),
        tags=(),
        audience=None,
        phone_model=model,
        model_name=model,
        model_number=number,
        size=size,
        bullets=bullets,
        keywords=keywords,
        description=description,
        node_path=sub.node if sub.node.startswith("/Categories") else "/Categories" + sub.node,
        weight_lb=round(rng.uniform(0.05, 0.35), 2),
        dims_in=_dims(rng, ((5.5, 7.0), (2.8, 3.4), (0.4, 0.8))),
    )


def make_screen_protector(rng: random.Random, iid: str, force: Force = Force()) -> SampleProduct:
    sub = (
        next(s for s in phone.SCREEN_SUBTYPES if s.key == force.subtype)
        if force.subtype
        else _weighted(rng, phone.SCREEN_SUBTYPES, [s.weight for s in phone.SCREEN_SUBTYPES])
    )
    model = _phone_model(rng, force.phone_model)
    size = phone.PHONE_MODELS[model][0]
    material = rng.choice(sub.materials)
    features = _draw_features(rng, sub, phone.SCREEN_FEATURES, material, force.features)
    noun = rng.choice(sub.nouns)
    feat, feat2 = _title_features(rng, phone.SCREEN_FEATURES, features, [noun])
    brand = force.brand or (None if rng.random() < MISSING_BRAND_RATE else rng.choice(phone.SCREEN_BRANDS))
    fields = {"brand": brand or "", "model": model, "size": size, "noun": noun, "feat": feat, "feat2": feat2}
    title = fill(_pick_template(rng, phone.SCREEN_TITLES, fields), fields)
    bullets = [
        fill(b, fields)
        for b in [
            *(rng.choice(next(f for f in phone.SCREEN_FEATURES if f.key == k).bullets) for k in features),
            *rng.sample(list(phone.SCREEN_BULLETS), k=3),
        ]
    ]
    return SampleProduct(
        item_id=iid,
        product_type=SCREEN_PROTECTOR,
        subtype=sub.key,
        noun=noun,
        brand=brand,
        title=title,
        color="Clear",
        color_text="Clear",
        material=material,
        style=None,
        pattern=None,
        fabric_type=None,
        features=tuple(sorted(features)),
        tags=(),
        audience=None,
        phone_model=model,
        model_name=model,
        model_number=_model_number(rng, brand),
        size=size,
        bullets=bullets,
        keywords=["screen protector", "tempered glass", f"{model.lower()} screen protector"],
        description=None,
        node_path="/Categories" + sub.node,
        weight_lb=round(rng.uniform(0.05, 0.2), 2),
        dims_in=_dims(rng, ((6.0, 7.5), (3.0, 4.0), (0.2, 0.5))),
    )


SPEC_BY_TYPE: dict[str, TypeSpec] = {s.name: s for s in TYPE_SPECS}
ALL_TYPES: tuple[str, ...] = (PHONE_CASE, SCREEN_PROTECTOR, *SPEC_BY_TYPE)


def make_product(rng: random.Random, product_type: str, iid: str, force: Force = Force()) -> SampleProduct:
    if product_type == PHONE_CASE:
        return make_case(rng, iid, force)
    if product_type == SCREEN_PROTECTOR:
        return make_screen_protector(rng, iid, force)
    return make_generic(rng, SPEC_BY_TYPE[product_type], iid, force)


def type_counts(total: int) -> dict[str, int]:
    """How many products of each type: phone cases take what the other shares leave."""
    counts = {SCREEN_PROTECTOR: round(total * SCREEN_PROTECTOR_SHARE)}
    rest = 1.0 - PHONE_CASE_SHARE - SCREEN_PROTECTOR_SHARE
    share_sum = sum(s.share for s in TYPE_SPECS)
    for spec in TYPE_SPECS:
        counts[spec.name] = round(total * rest * spec.share / share_sum)
    counts[PHONE_CASE] = total - sum(counts.values())
    return counts


# --- languages ---------------------------------------------------------------------------------
def _foreign_title(rng: random.Random, product: SampleProduct, lang: str) -> str:
    color = COLOR_I18N[lang].get(product.color or "", "")
    if product.product_type in (PHONE_CASE, SCREEN_PROTECTOR):
        nouns = phone.CASE_I18N_NOUN if product.product_type == PHONE_CASE else phone.SCREEN_I18N_NOUN
        noun = nouns[lang].format(model=product.phone_model)
        defs: Sequence[Feature] = phone.CASE_FEATURES
    else:
        spec = SPEC_BY_TYPE[product.product_type]
        noun = spec.i18n_noun[lang]
        defs = spec.features
        if product.model_name and rng.random() < 0.5:
            noun = f"{product.model_name} {noun}" if lang != "ja_JP" else f"{noun} {product.model_name}"
    words = [f.i18n[lang] for f in defs if f.key in product.features and lang in f.i18n][:2]
    brand = product.brand or ""
    if lang == "ja_JP":
        return fill(
            "{brand} {feat} {noun} {color}",
            {"brand": brand, "feat": " ".join(words), "noun": noun, "color": color},
        )
    return fill(
        "{brand} {noun}, {feat}, {color}",
        {"brand": brand, "noun": noun, "feat": ", ".join(words), "color": color},
    )


def assign_language(rng: random.Random, product: SampleProduct) -> None:
    """Pick the listing's marketplace language; some listings get no English title at all."""
    if product.anchor:
        return
    r = rng.random()
    if r < FOREIGN_ONLY_RATE:
        lang = rng.choice(FOREIGN_LANGUAGES)
        product.language = lang
        product.foreign_language = lang
        product.foreign_title = _foreign_title(rng, product, lang)
        product.foreign_bullets = rng.sample(list(BULLET_I18N[lang]), k=2)
        product.keep_english_bullets = rng.random() < 0.5
    elif r < FOREIGN_ONLY_RATE + MULTILINGUAL_RATE:
        lang = rng.choice(FOREIGN_LANGUAGES)
        product.foreign_language = lang
        product.foreign_title = _foreign_title(rng, product, lang)
        product.foreign_bullets = rng.sample(list(BULLET_I18N[lang]), k=1)
        product.language = "en_US"
    elif product.subtype == "designer" or (product.phone_model in phone.INDIA_MODELS and rng.random() < 0.7):
        product.language = "en_IN"
    elif r < FOREIGN_ONLY_RATE + MULTILINGUAL_RATE + OTHER_ENGLISH_RATE:
        product.language = rng.choice(("en_GB", "en_GB", "en_IN", "en_AU", "en_CA"))


# --- ABO records -------------------------------------------------------------------------------
def _tagged(values: Sequence[str], tag: str) -> list[dict[str, str]]:
    return [{"language_tag": tag, "value": v} for v in values]


def _measure(value: float, unit: str) -> dict[str, Any]:
    return {"normalized_value": {"unit": unit, "value": value}, "unit": unit, "value": value}


def to_record(product: SampleProduct, language: str | None = None) -> dict[str, Any]:
    """Render a product as one ABO listing (``language`` overrides the marketplace, for duplicates)."""
    lang = language or product.language
    foreign_only = (
        product.foreign_title is not None and lang == product.language and lang in FOREIGN_LANGUAGES
    )
    english_tag = lang if lang.startswith("en_") else "en_US"
    text = british if english_tag in ("en_GB", "en_IN", "en_AU") else (lambda s: s)
    domain, country = MARKETPLACES[lang]
    record: dict[str, Any] = {}
    if product.brand:
        record["brand"] = _tagged([product.brand], english_tag if not foreign_only else lang)
    bullets: list[dict[str, str]] = []
    if not foreign_only or product.keep_english_bullets:
        bullets += _tagged([text(b) for b in product.bullets], english_tag)
    if product.foreign_bullets:
        foreign_tag = product.language if foreign_only else (product.foreign_language or "de_DE")
        bullets += _tagged(product.foreign_bullets, foreign_tag)
    if bullets:
        record["bullet_point"] = bullets
    if product.color and product.color_text:
        color_value = product.color_text if not foreign_only else COLOR_I18N[lang][product.color]
        record["color"] = [
            {
                "language_tag": lang if foreign_only else english_tag,
                "standardized_values": [product.color],
                "value": text(color_value),
            }
        ]
    record["item_id"] = product.item_id
    if foreign_only:
        assert product.foreign_title is not None
        record["item_name"] = _tagged([product.foreign_title], lang)
    else:
        names = _tagged([text(product.title)], english_tag)
        if product.foreign_title is not None:
            names += _tagged([product.foreign_title], (product.foreign_language or "de_DE"))
        record["item_name"] = names
    if product.model_name:
        record["model_name"] = _tagged([product.model_name], english_tag)
    record["model_number"] = [{"value": product.model_number}]
    record["product_type"] = [{"value": product.product_type}]
    if product.style:
        record["style"] = _tagged([product.style], english_tag)
    if product.main_image_id:
        record["main_image_id"] = product.main_image_id
    if product.other_image_ids:
        record["other_image_id"] = list(product.other_image_ids)
    record["item_keywords"] = _tagged([text(k) for k in product.keywords], english_tag)
    record["country"] = country
    record["marketplace"] = "Amazon"
    record["domain_name"] = domain
    record["node"] = [{"node_id": node_id(product.node_path), "node_name": product.node_path}]
    if product.material:
        record["material"] = _tagged([text(product.material)], english_tag)
    if product.pattern:
        record["pattern"] = _tagged([product.pattern], english_tag)
    if product.fabric_type:
        record["fabric_type"] = _tagged([product.fabric_type], english_tag)
    if lang in ("en_IN", "de_DE", "fr_FR", "es_ES", "it_IT", "en_GB") and product.weight_lb > 0.3:
        kg = round(product.weight_lb * 0.4536, 2)
        record["item_weight"] = [
            {
                "normalized_value": {"unit": "pounds", "value": product.weight_lb},
                "unit": "kilograms",
                "value": kg,
            }
        ]
    else:
        record["item_weight"] = [_measure(product.weight_lb, "pounds")]
    length, width, height = product.dims_in
    record["item_dimensions"] = {
        "height": _measure(height, "inches"),
        "length": _measure(length, "inches"),
        "width": _measure(width, "inches"),
    }
    if product.description:
        record["product_description"] = _tagged([text(product.description)], english_tag)
    return record


def duplicate_language(rng: random.Random, product: SampleProduct) -> str:
    """The marketplace a duplicate listing of ``product`` appears on (a different domain)."""
    options = [lang for lang in ("en_GB", "en_US", "en_AU", "en_CA", "en_IN") if lang != product.language]
    return rng.choice(options)
