"""Golden queries for the sample catalog and the explicit rules that grade products against them.

Each query is a :class:`QuerySpec`: exact product types, ``key`` conditions (what the product *is*),
``mods`` (the attributes the shopper asked for), substitute and complement rules. Grades
(ESCI-style) are computed from the generator's structured attributes, never from a search engine:

* **3 Exact** — type in ``types``, every ``key`` and every ``mods`` condition holds;
* **2 Substitute** — type in ``types``, every ``key`` holds and at least ``min_mods`` of ``mods``;
  or the product satisfies one of the ``substitutes`` rules;
* **1 Complement** — the product satisfies one of the ``complements`` rules;
* **0** (not written to qrels) — anything else.

A condition is ``(kind, value)``; ``value`` may list alternatives separated by ``|``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ml.sample.catalog import PHONE_CASE, SCREEN_PROTECTOR, SPEC_BY_TYPE, Force, SampleProduct
from ml.sample.phone import CASE_SUBTYPES, SCREEN_SUBTYPES

Cond = tuple[str, str]
Rule = tuple[str, tuple[Cond, ...]]  # (product type, conditions)

CASE = PHONE_CASE
SCREEN = SCREEN_PROTECTOR


def matches(product: SampleProduct, cond: Cond) -> bool:
    """Does one structured attribute of ``product`` satisfy ``cond``?"""
    kind, value = cond
    options = value.split("|")
    if kind == "feature":
        return any(o in product.features for o in options)
    if kind == "subtype":
        return product.subtype in options
    if kind == "color":
        return product.color in options
    if kind == "material":  # substring: "leather" matches "PU Leather"
        return any(o.lower() in (product.material or "").lower() for o in options)
    if kind == "material_is":
        return product.material in options
    if kind == "brand":
        return product.brand in options
    if kind == "phone":
        return product.phone_model in options
    if kind == "tag":
        return any(o in product.tags for o in options)
    if kind == "audience":
        return product.audience in options
    if kind == "model":
        return product.model_name in options
    if kind == "style":
        return any(o.lower() in (product.style or "").lower() for o in options)
    if kind == "size":
        return product.size in options
    if kind == "noun":
        return any(o.lower() in product.noun.lower() for o in options)
    raise ValueError(f"unknown condition kind {kind!r}")


@dataclass(frozen=True)
class QuerySpec:
    text: str
    kind: str  # keyword | question | attribute | brand | typo | paraphrase | identifier
    types: tuple[str, ...]
    key: tuple[Cond, ...] = ()
    mods: tuple[Cond, ...] = ()
    min_mods: int = 0
    substitutes: tuple[Rule, ...] = ()
    complements: tuple[Rule, ...] = ()

    def grade(self, product: SampleProduct) -> int:
        if product.product_type in self.types and all(matches(product, c) for c in self.key):
            hits = sum(matches(product, c) for c in self.mods)
            if hits == len(self.mods):
                return 3
            if hits >= self.min_mods:
                return 2
        if _any_rule(product, self.substitutes):
            return 2
        if _any_rule(product, self.complements):
            return 1
        return 0

    def anchor(self) -> tuple[str, Force]:
        """A product type and forced attributes that make a grade-3 product for this query."""
        conds = self.key + self.mods
        first = {kind: value.split("|")[0] for kind, value in reversed(conds)}
        product_type = self.types[0]
        if "subtype" in first:
            product_type = next(t for t in self.types if first["subtype"] in _subtypes(t))
        features = tuple(v.split("|")[0] for k, v in conds if k == "feature")
        return product_type, Force(
            subtype=first.get("subtype"),
            features=features,
            color=first.get("color"),
            material=first.get("material_is") or first.get("material"),
            brand=first.get("brand"),
            phone_model=first.get("phone"),
            audience=first.get("audience"),
            model_name=first.get("model"),
            style=first.get("style"),
            size=first.get("size"),
            noun=first.get("noun"),
        )


def _subtypes(product_type: str) -> tuple[str, ...]:
    if product_type == PHONE_CASE:
        return tuple(s.key for s in CASE_SUBTYPES)
    if product_type == SCREEN_PROTECTOR:
        return tuple(s.key for s in SCREEN_SUBTYPES)
    return tuple(s.key for s in SPEC_BY_TYPE[product_type].subtypes)


def _any_rule(product: SampleProduct, rules: Sequence[Rule]) -> bool:
    return any(product.product_type == t and all(matches(product, c) for c in conds) for t, conds in rules)


Q = QuerySpec

QUERIES: tuple[QuerySpec, ...] = (
    # --- phone cases and screen protectors -------------------------------------------------------
    Q(
        "red leather wallet case iphone 12",
        "keyword",
        (CASE,),
        (("phone", "iPhone 12"),),
        (("feature", "wallet"), ("color", "Red"), ("material", "Leather")),
        min_mods=1,
        complements=((SCREEN, (("phone", "iPhone 12"),)),),
    ),
    Q(
        "iphone 13 clear case magsafe",
        "keyword",
        (CASE,),
        (("phone", "iPhone 13"),),
        (("feature", "clear"), ("feature", "magsafe")),
        min_mods=1,
    ),
    Q(
        "galaxy s21 shockproof case",
        "keyword",
        (CASE,),
        (("phone", "Samsung Galaxy S21"),),
        (("feature", "shockproof"),),
        complements=((SCREEN, (("phone", "Samsung Galaxy S21"),)),),
    ),
    Q(
        "pixel 7 case",
        "keyword",
        (CASE,),
        (("phone", "Google Pixel 7"),),
        substitutes=((CASE, (("phone", "Google Pixel 7a"),)),),
        complements=((SCREEN, (("phone", "Google Pixel 7"),)),),
    ),
    Q(
        "solimo designer back cover redmi note 9 pro",
        "brand",
        (CASE,),
        (("phone", "Redmi Note 9 Pro"),),
        (("brand", "Amazon Brand - Solimo"), ("subtype", "designer")),
    ),
    Q(
        "phone case that holds my credit cards for iphone 14 pro",
        "question",
        (CASE,),
        (("phone", "iPhone 14 Pro"),),
        (("feature", "card_holder"),),
    ),
    Q(
        "heavy duty case with belt clip iphone 11",
        "keyword",
        (CASE,),
        (("phone", "iPhone 11"),),
        (("feature", "shockproof"), ("feature", "belt_clip")),
        min_mods=1,
    ),
    Q("cute cat phone cover", "keyword", (CASE,), (("subtype", "designer"), ("style", "Cute Cat"))),
    Q(
        "magnetic case for iphone 15 that sticks to my magsafe charger",
        "question",
        (CASE,),
        (("phone", "iPhone 15"),),
        (("feature", "magsafe"),),
    ),
    Q(
        "samsung a12 flip cover",
        "keyword",
        (CASE,),
        (("phone", "Samsung Galaxy A12"),),
        (("feature", "wallet"),),
    ),
    Q(
        "transparent cover oneplus nord",
        "keyword",
        (CASE,),
        (("phone", "OnePlus Nord"),),
        (("feature", "clear"),),
    ),
    Q(
        "slim silicone case iphone 12 pro max",
        "keyword",
        (CASE,),
        (("phone", "iPhone 12 Pro Max"),),
        (("subtype", "slim"), ("material", "Silicone")),
        min_mods=1,
    ),
    Q(
        "iphone 12 pro max clera case",
        "typo",
        (CASE,),
        (("phone", "iPhone 12 Pro Max"),),
        (("feature", "clear"),),
    ),
    Q(
        "tempered glass screen protector iphone 13",
        "keyword",
        (SCREEN,),
        (("phone", "iPhone 13"),),
        (("subtype", "tempered_glass"),),
        complements=((CASE, (("phone", "iPhone 13"), ("feature", "raised_edges"))),),
    ),
    Q(
        "privacy screen protector galaxy s23",
        "keyword",
        (SCREEN,),
        (("phone", "Samsung Galaxy S23"),),
        (("subtype", "privacy"),),
    ),
    Q(
        "OtterTough rugged case galaxy s22 ultra",
        "brand",
        (CASE,),
        (("phone", "Samsung Galaxy S22 Ultra"),),
        (("brand", "OtterTough"), ("subtype", "rugged")),
        min_mods=1,
    ),
    Q(
        "keep my phone safe when I drop it iphone 13 pro max",
        "paraphrase",
        (CASE,),
        (("phone", "iPhone 13 Pro Max"),),
        (("feature", "shockproof|military_grade"),),
    ),
    # --- shoes, boots, sandals ---------------------------------------------------------------------
    Q(
        "waterproof hiking boots",
        "attribute",
        ("BOOT",),
        (("subtype", "hiking_boot"),),
        (("feature", "waterproof"),),
        substitutes=(
            ("SHOES", (("subtype", "hiking_shoe"), ("feature", "waterproof"))),
            ("BOOT", (("feature", "waterproof"), ("tag", "outdoor"))),
        ),
        complements=(("BACKPACK", (("subtype", "hiking"),)),),
    ),
    Q("womens chelsea boots", "keyword", ("BOOT",), (("subtype", "chelsea"),), (("audience", "Women's"),)),
    Q(
        "steel toe work boots",
        "attribute",
        ("BOOT",),
        (("subtype", "work_boot"),),
        (("feature", "steel_toe"),),
    ),
    Q(
        "boots to keep my feet warm and dry in the snow",
        "paraphrase",
        ("BOOT",),
        (("subtype", "snow_boot"),),
        (("feature", "insulated"), ("feature", "waterproof")),
        substitutes=(("BOOT", (("feature", "insulated"),)),),
    ),
    Q("rain boots for kids", "keyword", ("BOOT",), (("subtype", "rain_boot"),), (("audience", "Kids'"),)),
    Q("mens running shoes", "keyword", ("SHOES",), (("subtype", "running"),), (("audience", "Men's"),)),
    Q("vegan sneakers", "attribute", ("SHOES",), (("subtype", "sneaker|slip_on"),), (("feature", "vegan"),)),
    Q(
        "comfortable walking shoes memory foam",
        "attribute",
        ("SHOES",),
        (("subtype", "walking"),),
        (("feature", "memory_foam"),),
    ),
    Q(
        "leather penny loafers",
        "keyword",
        ("SHOES",),
        (("subtype", "loafer"),),
        (("material_is", "Leather"),),
    ),
    Q(
        "trail runners that won't soak through in puddles",
        "paraphrase",
        ("SHOES",),
        (("subtype", "hiking_shoe"),),
        (("feature", "waterproof"),),
        substitutes=(("BOOT", (("subtype", "hiking_boot"), ("feature", "waterproof"))),),
    ),
    Q(
        "flip flops with arch support",
        "attribute",
        ("SANDAL",),
        (("subtype", "flip_flop"),),
        (("feature", "arch_support"),),
    ),
    Q(
        "sandals i can wear hiking and in the river",
        "question",
        ("SANDAL",),
        (("subtype", "sport_sandal"),),
        (("feature", "water_friendly"),),
    ),
    # --- furniture ---------------------------------------------------------------------------------
    Q(
        "something comfy to sit on in the living room",
        "question",
        ("CHAIR", "SOFA"),
        (("subtype", "accent_chair|recliner|loveseat|sofa"),),
        substitutes=(("SOFA", (("subtype", "sectional|sleeper"),)),),
    ),
    Q(
        "ergonomic office chair with lumbar support",
        "attribute",
        ("CHAIR",),
        (("subtype", "office_chair|gaming_chair"),),
        (("feature", "ergonomic"), ("feature", "lumbar_support")),
        min_mods=1,
    ),
    Q(
        "velvet accent chair",
        "keyword",
        ("CHAIR",),
        (("subtype", "accent_chair"),),
        (("material", "Velvet"),),
    ),
    Q(
        "couch that turns into a bed for overnight guests",
        "paraphrase",
        ("SOFA",),
        (("feature", "convertible"),),
    ),
    Q(
        "sectional with reversible chaise",
        "keyword",
        ("SOFA",),
        (("subtype", "sectional"),),
        (("feature", "reversible_chaise"),),
    ),
    Q(
        "grey loveseat for a small apartment",
        "question",
        ("SOFA",),
        (("subtype", "loveseat"),),
        (("color", "Grey"),),
    ),
    Q(
        "mid century modern coffee table",
        "keyword",
        ("TABLE",),
        (("subtype", "coffee_table"),),
        (("style", "Mid-Century"),),
    ),
    Q(
        "nightstand with charging station",
        "attribute",
        ("TABLE",),
        (("subtype", "nightstand"),),
        (("feature", "usb_charging"),),
        substitutes=(("TABLE", (("subtype", "side_table"), ("feature", "usb_charging"))),),
    ),
    Q(
        "extendable dining table seats 6",
        "attribute",
        ("TABLE",),
        (("subtype", "dining_table"),),
        (("feature", "extendable"), ("feature", "seats_6")),
        min_mods=1,
    ),
    Q("electric standing desk", "keyword", ("DESK",), (("subtype", "standing_desk"),)),
    Q(
        "l shaped corner desk with monitor shelf",
        "keyword",
        ("DESK",),
        (("subtype", "l_desk"),),
        (("feature", "monitor_shelf"),),
    ),
    Q(
        "a desk I can raise so I'm not sitting all day",
        "paraphrase",
        ("DESK",),
        (("feature", "height_adjustable"),),
    ),
    Q(
        "queen platform bed frame no box spring",
        "keyword",
        ("BED_FRAME",),
        (("subtype", "platform|metal_frame"),),
        (("size", "Queen"), ("feature", "no_box_spring")),
        min_mods=1,
    ),
    Q(
        "bed with drawers underneath",
        "question",
        ("BED_FRAME",),
        (("feature", "storage"),),
        substitutes=(("BED_FRAME", (("feature", "under_bed_storage"),)),),
    ),
    Q("dimmable floor lamp", "keyword", ("LAMP",), (("subtype", "floor_lamp"),), (("feature", "dimmable"),)),
    Q(
        "bedside lamp with usb port",
        "attribute",
        ("LAMP",),
        (("subtype", "table_lamp"),),
        (("feature", "usb_port"),),
    ),
    Q(
        "light for my desk that is easy on the eyes",
        "paraphrase",
        ("LAMP",),
        (("subtype", "desk_lamp"),),
        (("feature", "eye_care"),),
    ),
    Q(
        "machine washable rug 5x7",
        "attribute",
        ("RUG",),
        (("feature", "machine_washable"),),
        (("size", "5' x 7'"),),
    ),
    Q(
        "moroccan area rug",
        "keyword",
        ("RUG",),
        (("subtype", "area_rug|shag_rug"),),
        (("style", "Moroccan"),),
    ),
    Q("outdoor rug for patio", "keyword", ("RUG",), (("subtype", "outdoor_rug"),)),
    # --- bedding -----------------------------------------------------------------------------------
    Q(
        "memory foam pillow for neck pain",
        "attribute",
        ("PILLOW",),
        (("subtype", "bed_pillow"),),
        (("feature", "memory_foam"),),
    ),
    Q(
        "pillow that doesn't get hot at night",
        "paraphrase",
        ("PILLOW",),
        (("subtype", "bed_pillow"),),
        (("feature", "cooling"),),
        substitutes=(("BLANKET", (("feature", "cooling"),)),),
    ),
    Q("heavy blanket to help me fall asleep", "paraphrase", ("BLANKET",), (("subtype", "weighted"),)),
    Q(
        "heated throw blanket with auto shut off",
        "attribute",
        ("BLANKET",),
        (("subtype", "heated"),),
        (("feature", "auto_off"),),
    ),
    Q("organic cotton throw blanket", "attribute", ("BLANKET",), (("feature", "organic_cotton"),)),
    # --- bags and luggage ---------------------------------------------------------------------------
    Q(
        "laptop backpack with usb charging port",
        "attribute",
        ("BACKPACK",),
        (("subtype", "laptop|travel"),),
        (("feature", "usb_port"),),
    ),
    Q(
        "waterproof daypack for hiking",
        "attribute",
        ("BACKPACK",),
        (("subtype", "hiking"),),
        (("feature", "waterproof"),),
    ),
    Q(
        "anti theft travel backpack",
        "keyword",
        ("BACKPACK",),
        (("subtype", "travel|laptop"),),
        (("feature", "anti_theft"),),
    ),
    Q(
        "vegan leather crossbody bag",
        "attribute",
        ("HANDBAG",),
        (("subtype", "crossbody"),),
        (("material_is", "Vegan Leather"),),
    ),
    Q(
        "leather tote bag for work",
        "keyword",
        ("HANDBAG",),
        (("subtype", "tote"),),
        (("material_is", "Leather"),),
    ),
    Q(
        "carry on suitcase with spinner wheels",
        "keyword",
        ("LUGGAGE",),
        (("subtype", "carry_on"),),
        (("feature", "spinner"),),
    ),
    Q(
        "hardside checked luggage with tsa lock",
        "keyword",
        ("LUGGAGE",),
        (("subtype", "checked"),),
        (("feature", "hardshell"), ("feature", "tsa_lock")),
        min_mods=1,
    ),
    # --- electronics -------------------------------------------------------------------------------
    Q(
        "hedphones noise canceling",
        "typo",
        ("HEADPHONES",),
        (("feature", "noise_cancelling"),),
        substitutes=(("HEADPHONES", (("subtype", "over_ear"),)),),
    ),
    Q(
        "wireless earbuds for running sweatproof",
        "attribute",
        ("HEADPHONES",),
        (("subtype", "earbuds"),),
        (("feature", "sweatproof"),),
    ),
    Q("auralis aw700", "identifier", ("HEADPHONES",), (("brand", "Auralis"),), (("model", "AW700"),)),
    Q(
        "headphones that are safe for my toddler's ears",
        "paraphrase",
        ("HEADPHONES",),
        (("subtype", "kids"),),
        (("feature", "volume_limited"),),
    ),
    Q("gaming headset with mic", "keyword", ("HEADPHONES",), (("subtype", "gaming"),)),
    Q(
        "waterproof bluetooth speaker for the pool",
        "attribute",
        ("SPEAKERS",),
        (("subtype", "portable"),),
        (("feature", "waterproof"),),
    ),
    Q(
        "soundbar with subwoofer",
        "keyword",
        ("SPEAKERS",),
        (("subtype", "soundbar"),),
        (("feature", "subwoofer"),),
    ),
    Q(
        "fitness tracker with heart rate and gps",
        "attribute",
        ("WATCH",),
        (("subtype", "smartwatch"),),
        (("feature", "heart_rate"), ("feature", "gps")),
        min_mods=1,
    ),
    Q(
        "mens stainless steel dive watch",
        "keyword",
        ("WATCH",),
        (("subtype", "dive"),),
        (("audience", "Men's"), ("material_is", "Stainless Steel")),
    ),
    Q(
        "something on my wrist that tells me how well I slept",
        "paraphrase",
        ("WATCH",),
        (("feature", "sleep_tracking"),),
    ),
    # --- grocery and kitchen -------------------------------------------------------------------------
    Q("gluten free pasta", "attribute", ("GROCERY",), (("subtype", "pasta"),), (("feature", "gluten_free"),)),
    Q(
        "organic whole bean coffee",
        "keyword",
        ("GROCERY",),
        (("subtype", "coffee"),),
        (("feature", "organic"), ("noun", "Whole Bean")),
        min_mods=1,
    ),
    Q("vegan snacks", "attribute", ("GROCERY",), (("subtype", "snacks"),), (("feature", "vegan"),)),
    Q("keto friendly snacks", "attribute", ("GROCERY",), (("subtype", "snacks"),), (("feature", "keto"),)),
    Q(
        "decaf tea",
        "keyword",
        ("GROCERY",),
        (("subtype", "tea"),),
        (("feature", "decaf"),),
        substitutes=(("GROCERY", (("subtype", "coffee"), ("feature", "decaf"))),),
    ),
    Q(
        "organic extra virgin olive oil",
        "keyword",
        ("GROCERY",),
        (("subtype", "olive_oil"),),
        (("feature", "organic"),),
    ),
    Q(
        "cast iron skillet",
        "keyword",
        ("KITCHEN",),
        (("subtype", "frying_pan"),),
        (("material_is", "Cast Iron"),),
    ),
    Q(
        "nonstick pots and pans set for induction",
        "attribute",
        ("KITCHEN",),
        (("subtype", "cookware_set"),),
        (("feature", "nonstick"), ("feature", "induction")),
        min_mods=1,
    ),
    Q(
        "insulated stainless steel water bottle",
        "keyword",
        ("KITCHEN",),
        (("subtype", "water_bottle"),),
        (("feature", "insulated"), ("material_is", "Stainless Steel")),
        min_mods=1,
    ),
    Q(
        "keeps my drinks cold all day",
        "paraphrase",
        ("KITCHEN",),
        (("subtype", "water_bottle"),),
        (("feature", "insulated"),),
    ),
    Q(
        "glass meal prep containers",
        "keyword",
        ("KITCHEN",),
        (("subtype", "food_storage"),),
        (("material_is", "Glass"),),
    ),
    Q(
        "bamboo cutting board",
        "keyword",
        ("KITCHEN",),
        (("subtype", "cutting_board"),),
        (("material_is", "Bamboo"),),
    ),
    # --- jackets -------------------------------------------------------------------------------------
    Q(
        "packable rain jacket women",
        "keyword",
        ("JACKET",),
        (("subtype", "rain"),),
        (("feature", "packable"), ("audience", "Women's")),
        min_mods=1,
    ),
    Q(
        "something to keep me dry on a rainy hike",
        "paraphrase",
        ("JACKET",),
        (("subtype", "rain|softshell"),),
        (("feature", "waterproof"),),
        complements=(("BOOT", (("subtype", "hiking_boot"), ("feature", "waterproof"))),),
    ),
    Q("mens down puffer jacket", "keyword", ("JACKET",), (("subtype", "puffer"),), (("audience", "Men's"),)),
    Q(
        "faux leather moto jacket",
        "keyword",
        ("JACKET",),
        (("subtype", "leather"),),
        (("material_is", "Faux Leather|Vegan Leather"),),
    ),
    # --- brands --------------------------------------------------------------------------------------
    Q(
        "stone & beam sofa",
        "brand",
        ("SOFA",),
        (),
        (("brand", "Stone & Beam"),),
        min_mods=1,
        substitutes=(("CHAIR", (("brand", "Stone & Beam"), ("tag", "living room"))),),
    ),
    Q(
        "amazonbasics office chair",
        "brand",
        ("CHAIR",),
        (("subtype", "office_chair"),),
        (("brand", "AmazonBasics"),),
    ),
    Q("happy belly coffee", "brand", ("GROCERY",), (("subtype", "coffee"),), (("brand", "Happy Belly"),)),
    Q("pinzon bed pillows", "brand", ("PILLOW",), (("subtype", "bed_pillow"),), (("brand", "Pinzon"),)),
    Q("rivet table lamp", "brand", ("LAMP",), (("subtype", "table_lamp"),), (("brand", "Rivet"),)),
    # --- more typos (appended so earlier query ids stay stable) ---------------------------------------
    Q(
        "bluetooth speker waterproof",
        "typo",
        ("SPEAKERS",),
        (("feature", "bluetooth"),),
        (("feature", "waterproof"),),
    ),
    Q("memory foam pilow", "typo", ("PILLOW",), (("feature", "memory_foam"),)),
    Q(
        "leathr wallet case iphone 13",
        "typo",
        (CASE,),
        (("phone", "iPhone 13"),),
        (("feature", "wallet"), ("material", "Leather")),
        min_mods=1,
    ),
    Q(
        "ergonomic chiar for home ofice",
        "typo",
        ("CHAIR",),
        (("subtype", "office_chair|gaming_chair"),),
        (("feature", "ergonomic"),),
    ),
)
