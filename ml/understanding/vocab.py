"""What the catalog calls things, learned from the catalog itself.

:class:`CatalogVocabulary` is built from the indexed products (``from_products``) and saved as
JSON. It knows

- **product types** and the words that name each one: head nouns (the last one to three words)
  of titles, node-path segments, item keywords and the type's own name are counted per product,
  and a term names a type when ``P(type | term)`` is high enough with enough support. A term shared
  by a few types ("bag", "footwear") names all of them. Nothing here is a hand list of types; a
  small generic English synonym table (couch → sofa) only supplements what the catalog says;
- **brands** with their canonical spelling, looked up case/space/punctuation-insensitively
  ("amazon basics" = "AmazonBasics") and with one typo allowed on longer names;
- the catalog's **colours** (its own wording, e.g. "Oatmeal" → beige, on top of a generic shade
  table), **materials** and **features** (keyword phrases such as "water resistant").

The text helpers (``normalize``, ``tokenize``, ``singular``) are shared by the slot extractors.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ml.catalog.product import Product
from ml.logging import get_logger
from ml.understanding.colors import COLOR_SYNONYMS, STANDARD_COLORS, WEAK_COLOR_WORDS, fold_standard

log = get_logger(__name__)

VERSION = 2  # bump when what is learned changes: older saved files are rebuilt

# --------------------------------------------------------------------------- text helpers

STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "at",
        "by",
        "for",
        "with",
        "without",
        "to",
        "from",
        "in",
        "on",
        "into",
        "onto",
        "off",
        "over",
        "under",
        "up",
        "down",
        "out",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
        "would",
        "could",
        "shall",
        "may",
        "might",
        "must",
        "also",
        "then",
        "else",
        "ever",
        "about",
        "again",
        "once",
        "per",
        "via",
        "vs",
        "versus",
        "within",
    ]
)

FOREIGN_STOPWORDS: frozenset[str] = frozenset(
    {
        "de",
        "la",
        "el",
        "los",
        "las",
        "un",
        "una",
        "unos",
        "unas",
        "para",
        "por",
        "con",
        "y",
        "en",
        "del",
        "al",
    }
    | {"le", "les", "des", "du", "pour", "avec", "et", "ou", "au", "aux", "une", "je", "cherche", "veux"}
    | {
        "ich",
        "ein",
        "eine",
        "einen",
        "einem",
        "der",
        "das",
        "und",
        "oder",
        "mit",
        "für",
        "von",
        "zu",
        "suche",
    }
    | {"il", "lo", "gli", "uno", "di", "da", "per", "cerco", "quiero", "busco", "möchte", "bitte", "vorrei"}
)

# Words of shopping talk that never name, describe or constrain a product.
FILLER: frozenset[str] = frozenset(
    [
        "want",
        "wants",
        "wanted",
        "need",
        "needs",
        "needed",
        "looking",
        "look",
        "searching",
        "search",
        "find",
        "finding",
        "show",
        "showing",
        "shows",
        "get",
        "getting",
        "buy",
        "buying",
        "purchase",
        "order",
        "like",
        "love",
        "prefer",
        "please",
        "pls",
        "plz",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "something",
        "anything",
        "thing",
        "things",
        "stuff",
        "item",
        "items",
        "product",
        "products",
        "one",
        "ones",
        "option",
        "options",
        "kind",
        "sort",
        "type",
        "some",
        "any",
        "good",
        "nice",
        "great",
        "cool",
        "decent",
        "best",
        "better",
        "really",
        "quite",
        "pretty",
        "maybe",
        "perhaps",
        "probably",
        "actually",
        "just",
        "also",
        "still",
        "even",
        "new",
        "cheap",
        "cheaper",
        "cheapest",
        "affordable",
        "inexpensive",
        "budget",
        "expensive",
        "pricey",
        "pricier",
        "price",
        "priced",
        "cost",
        "costs",
        "costing",
        "dollar",
        "dollars",
        "bucks",
        "money",
        "today",
        "tomorrow",
        "now",
        "asap",
        "soon",
        "available",
        "stock",
        "sell",
        "sells",
        "selling",
        "carry",
        "offer",
        "offers",
        "recommend",
        "recommendation",
        "suggest",
        "suggestion",
        "help",
        "hoping",
        "hope",
        "wondering",
        "ok",
        "okay",
        "yes",
        "yeah",
        "sure",
        "got",
        "gimme",
        "give",
        "tell",
        "let",
        "lets",
        "let's",
        "i'm",
        "im",
        "i'd",
        "id",
        "i'll",
        "ill",
        "you're",
        "your've",
        "there's",
        "what's",
        "that's",
        "it's",
        "can't",
        "cant",
        "dont",
        "don't",
        "doesn't",
        "isn't",
        "aren't",
        "wouldn't",
        "would've",
        "could've",
        "shopping",
        "shop",
        "store",
        "size",
        "sizes",
        "color",
        "colour",
        "much",
        "bye",
        "goodbye",
        "fine",
        "then",
        "well",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "last",
        "similar",
        "same",
        "different",
        "another",
        "other",
        "else",
        "compare",
        "comparison",
        "difference",
        "between",
        "which",
        "versus",
    ]
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "″": '"', "′": "'",
                         "–": "-", "—": "-", "‒": "-", "−": "-", "×": "x"})  # fmt: skip
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC, lower-case, straight quotes and dashes, ``×`` → ``x``, collapsed whitespace."""
    out = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(out.split())


def _strip_possessive(token: str) -> str:
    if token.endswith("'s"):
        return token[:-2]
    return token.replace("'", "") if "'" in token else token


def tokenize(text: str) -> list[str]:
    """Word tokens of already-normalised text; possessives dropped ("women's" → "women")."""
    return [_strip_possessive(t) for t in _TOKEN_RE.findall(text)]


_SINGULAR_KEEP = frozenset(
    [
        "glass",
        "glasses",
        "series",
        "species",
        "news",
        "mattress",
        "dress",
        "grass",
        "canvas",
        "lens",
        "bus",
        "chaos",
        "plus",
        "us",
        "yes",
        "this",
        "his",
        "its",
        "is",
        "was",
        "has",
        "does",
        "gas",
        "cactus",
        "status",
        "atlas",
        "bias",
        "iris",
        "chassis",
        "analysis",
        "basis",
        "kids",
        "pants",
        "jeans",
        "shorts",
        "leggings",
        "trousers",
    ]
)


@lru_cache(maxsize=131072)
def singular(word: str) -> str:
    """A light English singulariser, applied to both the catalog and the shopper's words."""
    w = word
    if len(w) <= 3 or w in _SINGULAR_KEEP or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("lves"):
        return w[:-3] + "f"
    if w.endswith("ives") and w not in ("olives",):
        return w[:-3] + "fe"
    if w.endswith(("ches", "shes", "xes", "sses", "zzes")):
        return w[:-2]
    if w.endswith(("ss", "us", "is", "ys'")):
        return w
    if w.endswith("s"):
        return w[:-1]
    return w


def norm_key(text: str) -> str:
    """Lower-case letters and digits only: ``"Amazon Basics"`` and ``"AmazonBasics"`` agree."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def _deletes(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


# --------------------------------------------------------------------------- generic supplements

# Generic English: a shopper word → the word a catalog is likelier to use. Used only when the
# shopper's own word names nothing in this catalog.
TYPE_SYNONYMS: dict[str, str] = {
    "couch": "sofa", "settee": "sofa", "loveseat": "sofa", "sofa bed": "sofa", "chesterfield": "sofa",
    "cover": "case", "phone cover": "phone case", "mobile cover": "phone case", "mobile case": "phone case",
    "cellphone case": "phone case", "sneaker": "shoe", "trainer": "shoe", "runner": "shoe",
    "rucksack": "backpack", "knapsack": "backpack", "bookbag": "backpack", "daypack": "backpack",
    "purse": "handbag", "pocketbook": "handbag", "tote": "handbag", "suitcase": "luggage",
    "carry on": "luggage", "carpet": "rug", "mat": "rug", "throw": "blanket", "duvet": "blanket",
    "comforter": "blanket", "cushion": "pillow", "nightstand": "night stand", "bedside table": "night stand",
    "headset": "headphone", "earphone": "headphone", "earbud": "headphone", "speaker": "speaker",
    "soundbar": "speaker", "wristwatch": "watch", "timepiece": "watch", "coat": "jacket",
    "parka": "jacket", "anorak": "jacket", "flip flop": "sandal", "slide": "sandal",
    "bed": "bed frame", "bedframe": "bed frame", "screen guard": "screen protector",
    "tempered glass": "screen protector", "light": "lamp", "armchair": "chair", "stool": "chair",
    "pan": "fry pan", "skillet": "fry pan", "food": "grocery", "snack": "grocery",
}  # fmt: skip

# The marketplaces' other languages (de, fr, es, it): a shopper's word → the English term.
FOREIGN_TYPE_WORDS: dict[str, str] = {
    "zapato": "shoe", "zapatos": "shoe", "zapatilla": "sneaker", "zapatillas": "sneaker", "schuhe": "shoe",
    "schuh": "shoe", "chaussure": "shoe", "chaussures": "shoe", "scarpe": "shoe", "scarpa": "shoe",
    "sofá": "sofa", "canapé": "sofa", "divano": "sofa", "lampe": "lamp", "lámpara": "lamp",
    "lampara": "lamp", "lampada": "lamp", "tapis": "rug", "alfombra": "rug", "teppich": "rug",
    "tappeto": "rug",
    "mochila": "backpack", "zaino": "backpack", "silla": "chair", "stuhl": "chair", "chaise": "chair",
    "sedia": "chair", "mesa": "table", "tisch": "table", "tavolo": "table", "funda": "phone case",
    "coque": "phone case", "hülle": "phone case", "handyhülle": "phone case", "custodia": "phone case",
    "chaqueta": "jacket", "jacke": "jacket", "veste": "jacket", "giacca": "jacket", "reloj": "watch",
    "uhr": "watch", "montre": "watch", "orologio": "watch", "bolso": "handbag", "handtasche": "handbag",
    "borsa": "handbag", "maleta": "suitcase", "koffer": "suitcase", "valise": "suitcase",
    "valigia": "suitcase",
    "almohada": "pillow", "kissen": "pillow", "oreiller": "pillow", "cuscino": "pillow", "manta": "blanket",
    "decke": "blanket", "couverture": "blanket", "coperta": "blanket", "botas": "boot", "stiefel": "boot",
    "bottes": "boot", "stivali": "boot", "sandalias": "sandal", "sandalen": "sandal", "sandales": "sandal",
    "sandali": "sandal", "auriculares": "headphone", "kopfhörer": "headphone", "casque": "headphone",
    "cuffie": "headphone", "altavoz": "speaker", "lautsprecher": "speaker", "enceinte": "speaker",
    "altoparlante": "speaker", "escritorio": "desk", "schreibtisch": "desk", "bureau": "desk",
    "scrivania": "desk", "cama": "bed", "bett": "bed", "lit": "bed", "letto": "bed",
    "zelt": "tent", "tente": "tent", "tenda": "tent",
}  # fmt: skip

# Accessory nouns: "sofa cover" is not a sofa and, unless the catalog says "sofa cover", not a
# phone case either.
ACCESSORY_HEADS: frozenset[str] = frozenset(
    [
        "cover",
        "case",
        "slipcover",
        "protector",
        "stand",
        "holder",
        "mount",
        "skin",
        "sleeve",
        "strap",
        "lid",
        "charger",
        "cable",
        "replacement",
        "part",
        "refill",
        "bracket",
        "hook",
        "decal",
        "sticker",
        "pouch",
        "cozy",
        "liner",
        "insert",
        "attachment",
        "adapter",
    ]
)

BASE_FEATURES: dict[str, str] = {
    "waterproof": "waterproof", "water proof": "waterproof", "water resistant": "water resistant",
    "water repellent": "water resistant", "wireless": "wireless", "bluetooth": "bluetooth",
    "magsafe": "magsafe", "mag safe": "magsafe", "noise cancelling": "noise cancelling",
    "noise canceling": "noise cancelling", "noise cancellation": "noise cancelling",
    "anc": "noise cancelling", "shockproof": "shockproof", "shock proof": "shockproof",
    "drop proof": "shockproof", "rugged": "shockproof", "wireless charging": "wireless charging",
    "rechargeable": "rechargeable", "foldable": "foldable", "folding": "foldable",
    "adjustable": "adjustable", "dimmable": "dimmable", "machine washable": "machine washable",
    "washable": "machine washable", "dishwasher safe": "dishwasher safe", "non slip": "non slip",
    "anti slip": "non slip", "slip resistant": "slip resistant", "insulated": "insulated",
    "breathable": "breathable", "lightweight": "lightweight", "ergonomic": "ergonomic",
    "organic": "organic", "gluten free": "gluten free", "vegan": "vegan", "portable": "portable",
    "stain resistant": "stain resistant", "usb": "usb", "usb c": "usb c", "touch control": "touch control",
    "smart": "smart", "cordless": "cordless", "windproof": "windproof", "hypoallergenic": "hypoallergenic",
    "with storage": "storage", "storage": "storage", "reclining": "reclining", "swivel": "swivel",
    "kickstand": "kickstand", "card holder": "card holder", "wallet": "wallet", "hooded": "hooded",
}  # fmt: skip

MATERIAL_SYNONYMS: dict[str, str] = {
    "wooden": "wood", "timber": "wood", "leathers": "leather", "faux-leather": "faux leather",
    "pleather": "faux leather", "pu": "pu leather", "steel": "steel", "stainless steel": "stainless steel",
    "aluminium": "aluminum", "metallic": "metal", "plastics": "plastic", "woolen": "wool",
    "woollen": "wool", "silk": "silk", "ceramics": "ceramic", "glass": "glass",
    "cuero": "leather", "piel": "leather", "leder": "leather", "cuir": "leather", "pelle": "leather",
    "madera": "wood", "holz": "wood", "bois": "wood", "legno": "wood", "algodón": "cotton",
    "algodon": "cotton", "baumwolle": "cotton", "coton": "cotton", "cotone": "cotton", "metall": "metal",
    "métal": "metal", "metallo": "metal", "vidrio": "glass", "verre": "glass", "vetro": "glass",
}  # fmt: skip

_SIZE_WORDS = frozenset(
    [
        "inch",
        "inches",
        "in",
        "cm",
        "mm",
        "ft",
        "foot",
        "feet",
        "meter",
        "metre",
        "m",
        "oz",
        "lb",
        "lbs",
        "l",
        "ml",
        "kg",
        "g",
        "pack",
        "x",
        "queen",
        "king",
        "twin",
        "full",
    ]
)
BASE_MATERIALS: frozenset[str] = frozenset(
    [
        "leather",
        "wood",
        "metal",
        "steel",
        "plastic",
        "glass",
        "cotton",
        "wool",
        "silk",
        "linen",
        "velvet",
        "suede",
        "nylon",
        "polyester",
        "rubber",
        "silicone",
        "bamboo",
        "ceramic",
        "marble",
        "foam",
        "fleece",
        "canvas",
        "denim",
        "aluminum",
        "aluminium",
        "iron",
        "brass",
        "copper",
        "rattan",
        "wicker",
        "jute",
        "fabric",
        "mesh",
        "porcelain",
        "stone",
        "concrete",
        "acrylic",
        "cashmere",
        "satin",
        "polycarbonate",
        "tpu",
        "microfiber",
        "oak",
        "walnut",
        "pine",
        "teak",
    ]
)
_AUDIENCE_WORDS = frozenset(
    [
        "women",
        "woman",
        "men",
        "man",
        "kid",
        "kids",
        "child",
        "children",
        "boy",
        "boys",
        "girl",
        "girls",
        "baby",
        "toddler",
        "unisex",
        "ladies",
        "lady",
    ]
)
# Places and occasions: they say where or when a thing is used, never what it is.
CONTEXT_WORDS: frozenset[str] = frozenset(
    [
        "home",
        "house",
        "office",
        "room",
        "living",
        "bedroom",
        "bathroom",
        "garden",
        "outdoor",
        "outdoors",
        "indoor",
        "indoors",
        "travel",
        "work",
        "school",
        "gym",
        "party",
        "beach",
        "camping",
        "everyday",
        "daily",
        "weekend",
        "holiday",
        "vacation",
        "trip",
        "birthday",
        "christmas",
        "anniversary",
        "gift",
        "present",
        "wedding",
        "summer",
        "winter",
        "spring",
        "autumn",
        "fall",
        "night",
        "morning",
        "evening",
    ]
)
# Words that only qualify a colour ("hot pink", "sky blue"): never a colour on their own.
_SHADE_MODIFIERS = frozenset(
    {"light", "dark", "pale", "deep", "bright", "pastel", "neon", "matte", "hot", "soft", "dusty"}
    | {"heather", "off", "sky", "royal", "jet", "true", "ice", "baby"}
)
_ADJECTIVE_SUFFIXES = ("ed", "able", "ible", "ing", "proof", "ful", "less", "ive", "ous", "ish")
_PREPOSITION_CUTS = re.compile(
    r"\s(?:for|with|by|compatible|designed|pour|para|per|für|fur|avec|con|mit|including|includes)\s|[,|(\[:;]"
)


# --------------------------------------------------------------------------- the vocabulary


@dataclass
class TypeInfo:
    name: str
    count: int


@dataclass
class CatalogVocabulary:
    """Catalog-derived vocabularies for slot extraction. Build with :meth:`from_products`."""

    types: dict[str, TypeInfo] = field(default_factory=dict)
    # "floor lamp" → [["LAMP", 0.98]]; keys are singularised, space-joined tokens.
    type_terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    type_term_support: dict[str, int] = field(default_factory=dict)
    brands: dict[str, list[str]] = field(default_factory=dict)  # canonical → raw spellings
    brand_aliases: dict[str, list[str]] = field(default_factory=dict)  # extra key → canonicals
    ambiguous_brand_keys: list[str] = field(default_factory=list)  # common words: need a cue
    first_word_aliases: list[str] = field(default_factory=list)  # "caseology": needs a cue too
    colors: list[str] = field(default_factory=list)  # the catalog's standard colours
    color_terms: dict[str, str] = field(default_factory=dict)  # catalog wording → standard
    weak_color_ok: list[str] = field(default_factory=list)  # ambiguous shades the catalog uses as colours
    materials: dict[str, str] = field(default_factory=dict)  # phrase → canonical material
    features: dict[str, str] = field(default_factory=dict)  # phrase → canonical feature
    words: set[str] = field(default_factory=set)  # every catalog word (singular and raw)
    color_rate: dict[str, float] = field(default_factory=dict)  # type → share of products with a colour
    product_count: int = 0

    # Derived lookups (not saved).
    _brand_keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _brand_deletes: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _color_lookup: dict[str, str] = field(default_factory=dict, repr=False)
    _type_deletes: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _brand_prefixes: set[str] = field(default_factory=set, repr=False)
    max_type_ngram: int = 3
    max_color_ngram: int = 3
    max_material_ngram: int = 3
    max_feature_ngram: int = 4
    max_brand_ngram: int = 5

    # ----------------------------------------------------------------- building

    @classmethod
    def from_products(
        cls, products: Iterable[Product], min_support: int = 2, min_share: float = 0.5
    ) -> CatalogVocabulary:
        """Learn the vocabularies from a catalog (any iterable of products, read once)."""
        type_counts: Counter[str] = Counter()
        colored: Counter[str] = Counter()
        head_df: dict[str, Counter[str]] = defaultdict(Counter)
        modifier_df: Counter[str] = Counter()
        brand_spellings: dict[str, Counter[str]] = defaultdict(Counter)
        color_phrase: dict[str, Counter[str]] = defaultdict(Counter)
        color_word: dict[str, Counter[str]] = defaultdict(Counter)
        title_word_df: Counter[str] = Counter()
        text_word_df: Counter[str] = Counter()  # bullets, keywords, node paths (not the brand's own name)
        standard: Counter[str] = Counter()
        material_df: Counter[str] = Counter()
        keyword_df: Counter[str] = Counter()
        name_heads: set[str] = set()  # last words of titles, node segments, type names
        words: set[str] = set()
        n = 0
        raw_materials: set[str] = set()
        for product in products:
            n += 1
            ptype = product.product_type or "UNKNOWN"
            type_counts[ptype] += 1
            if product.colors:
                colored[ptype] += 1
            if product.brand:
                brand_spellings[norm_key(product.brand)][product.brand.strip()] += 1
            for col in product.colors:
                standard[col.lower()] += 1
            if product.color_text and len(product.colors) == 1:
                std = product.colors[0].lower()
                ct = normalize(product.color_text)
                color_phrase[ct][std] += 1
                for w in set(tokenize(ct)):
                    color_word[w][std] += 1
            if product.material:
                for part in re.split(r"[,+/&]| and ", product.material.lower()):
                    part = " ".join(tokenize(normalize(part)))
                    if part:
                        raw_materials.add(part)
                        material_df[part] += 1
            title_tokens = tokenize(normalize(product.title))
            brand_tokens = set(tokenize(normalize(product.brand))) if product.brand else set()
            if product.brand:
                for w in set(title_tokens) - brand_tokens:
                    title_word_df[w] += 1
            words.update(title_tokens)
            heads: set[str] = set()
            modifiers: set[str] = set()
            for phrase, is_keyword in _naming_phrases(product):
                toks = _clean_phrase(phrase)
                if not toks:
                    continue
                if is_keyword:
                    key = " ".join(toks)
                    keyword_df[key] += 1
                else:
                    name_heads.add(toks[-1])
                for k in (1, 2, 3):
                    if len(toks) >= k:
                        heads.add(" ".join(toks[-k:]))
                modifiers.update(toks[:-1])
            for h in heads:
                head_df[h][ptype] += 1
            for m in modifiers:
                modifier_df[m] += 1
            text_words: set[str] = set()
            for text in (*product.keywords, *(product.bullets[:4]), product.node_path or ""):
                text_words.update(tokenize(normalize(text)))
            words.update(text_words)
            for w in text_words - brand_tokens:
                text_word_df[w] += 1

        vocab = cls(product_count=n)
        vocab.colors = sorted({fold_standard(c) for c in standard} or set(STANDARD_COLORS))
        # colours: the catalog's wording (phrases and single words) → its standard colours
        for phrase, counts in color_phrase.items():
            std, c = counts.most_common(1)[0]
            if c >= 1 and c / sum(counts.values()) >= 0.8 and phrase not in ("none", "n/a"):
                vocab.color_terms[phrase] = fold_standard(std)
        for word, counts in color_word.items():
            std, c = counts.most_common(1)[0]
            total = sum(counts.values())
            if (
                total >= 2
                and c / total >= 0.8
                and len(word) >= 3
                and word not in STOPWORDS | _SHADE_MODIFIERS
            ):
                vocab.color_terms.setdefault(word, fold_standard(std))
        for word in WEAK_COLOR_WORDS:
            used_as_color = sum(color_word.get(word, Counter()).values())
            in_titles = title_word_df.get(word, 0)
            # Listings usually repeat their colour in the title: a shade word used as a colour at
            # least a third as often as it appears in titles is a colour in this catalog.
            if used_as_color and used_as_color >= 0.33 * max(in_titles, 1):
                vocab.weak_color_ok.append(word)
        vocab.weak_color_ok.sort()
        # materials: the catalog's own, plus the head word of two-word ones ("faux leather" → leather)
        for part in material_df:
            if part in STOPWORDS:
                continue
            vocab.materials[part] = part
            toks = part.split()
            if len(toks) > 1 and (toks[-1] in BASE_MATERIALS or toks[-1] in material_df):
                vocab.materials.setdefault(toks[-1], toks[-1])
        for syn, canon in MATERIAL_SYNONYMS.items():
            if canon in vocab.materials or any(canon in m for m in raw_materials):
                vocab.materials.setdefault(syn, canon)
        color_words = set(COLOR_SYNONYMS) | set(vocab.color_terms)
        material_words = set(vocab.materials)
        feature_words = set(BASE_FEATURES)
        brand_spans: set[str] = set()  # brand names as singular-token strings, and 2+ token parts
        for b in brand_spellings_flat(brand_spellings):
            bt = [singular(t) for t in tokenize(normalize(b))]
            brand_spans.add(" ".join(bt))
            for i in range(len(bt)):
                for j in range(i + 2, len(bt) + 1):
                    brand_spans.add(" ".join(bt[i:j]))
        keyword_nouns = {
            w
            for w, c in keyword_df.items()
            if c >= 5 and " " not in w and not w.endswith(_ADJECTIVE_SUFFIXES) and w not in BASE_FEATURES
        }
        # product types and the terms that name them
        for ptype, c in type_counts.items():
            vocab.types[ptype] = TypeInfo(name=ptype.replace("_", " ").lower(), count=c)
            vocab.color_rate[ptype] = round(colored[ptype] / c, 3)
        for term, counts in head_df.items():
            support = sum(counts.values())
            toks = term.split()
            last = toks[-1]
            if support < min_support or (len(last) < 3 and not _is_cjk(last)):
                continue
            if (
                last in STOPWORDS
                or last in FILLER
                or last in _SIZE_WORDS
                or last in _AUDIENCE_WORDS
                or term in color_words
                or (last in color_words and len(toks) == 1)
                or term in material_words
                or term in feature_words
                or any(ch.isdigit() for ch in term)
                or (last not in name_heads and last not in keyword_nouns)
                or (len(toks) == 1 and last in CONTEXT_WORDS)
                or term in brand_spans
            ):
                continue
            if len(toks) == 1 and modifier_df[last] > 3 * support:
                continue  # mostly a modifier ("running", "leather") — not a thing's name
            ranked = counts.most_common()
            top_share = ranked[0][1] / support
            if top_share >= min_share:
                chosen = [(t, c / support) for t, c in ranked if c / support >= 0.3][:2]
            else:
                chosen = [(t, c / support) for t, c in ranked if c / support >= 0.1][:5]
                if sum(s for _, s in chosen) < 0.8 or support < 3 * min_support:
                    continue
            vocab.type_terms[term] = [(t, round(s, 3)) for t, s in chosen]
            vocab.type_term_support[term] = support
        for ptype, info in vocab.types.items():
            info.name = _human_type_name(ptype, vocab.type_terms, vocab.type_term_support)
        # brands
        for spellings in brand_spellings.values():
            canonical = spellings.most_common(1)[0][0]
            vocab.brands[canonical] = sorted(spellings)
        _merge_brand_spacings(vocab)
        first_words: dict[str, list[str]] = defaultdict(list)
        for canonical in vocab.brands:
            words_ = tokenize(normalize(canonical))
            if len(words_) > 1:
                first_words[norm_key(words_[0])].append(canonical)
        for key, owners in first_words.items():
            if (
                len(owners) == 1
                and len(key) >= 5
                and key not in vocab._all_brand_keys()
                and key not in STOPWORDS | FILLER | CONTEXT_WORDS
                and key not in COLOR_SYNONYMS
                and key not in vocab.materials
                and title_word_df.get(key, 0) < 3
                and text_word_df.get(key, 0) < 2
            ):
                vocab.brand_aliases.setdefault(key, []).append(owners[0])
                vocab.first_word_aliases.append(key)
        vocab.first_word_aliases.sort()
        for canonical in list(vocab.brands):
            parts = re.split(r"\s+-\s+", canonical)
            if len(parts) > 1 and len(norm_key(parts[-1])) >= 4:
                vocab.brand_aliases.setdefault(norm_key(parts[-1]), []).append(canonical)
            key = norm_key(canonical)
            common = (
                key in STOPWORDS
                or key in FILLER
                or title_word_df.get(key, 0) >= 3
                or text_word_df.get(key, 0) >= 3
                or key in color_words
                or key in material_words
                or key in vocab.type_terms
                or key in _AUDIENCE_WORDS
            )
            if common:
                vocab.ambiguous_brand_keys.append(key)
        vocab.ambiguous_brand_keys.sort()
        # features: the generic table plus keyword phrases used across products that are not
        # type names, colours, materials or brands
        vocab.features = dict(BASE_FEATURES)
        brand_keys = {norm_key(b) for b in vocab.brands}
        for key, c in keyword_df.items():
            toks = key.split()
            if c < max(3, min_support) or len(toks) > 3 or key in vocab.type_terms:
                continue
            if toks[-1] in vocab.type_terms or key in color_words or key in material_words:
                continue
            if toks[0] in STOPWORDS or norm_key(key) in brand_keys or len(key) < 3 or key in CONTEXT_WORDS:
                continue
            vocab.features.setdefault(key, key)
        vocab.words = {w for w in words if not w.isdigit()} | {singular(w) for w in words}
        vocab._build_lookups()
        log.info(
            "vocabulary_built",
            products=n,
            types=len(vocab.types),
            type_terms=len(vocab.type_terms),
            brands=len(vocab.brands),
            colors=len(vocab.color_terms),
            materials=len(vocab.materials),
            features=len(vocab.features),
        )
        return vocab

    # ----------------------------------------------------------------- lookups

    def _build_lookups(self) -> None:
        self._brand_keys = {}
        for canonical, spellings in self.brands.items():
            for s in {canonical, *spellings}:
                self._brand_keys.setdefault(norm_key(s), [])
                if canonical not in self._brand_keys[norm_key(s)]:
                    self._brand_keys[norm_key(s)].append(canonical)
        for key, canonicals in self.brand_aliases.items():
            bucket = self._brand_keys.setdefault(key, [])
            for c in canonicals:
                if c not in bucket:
                    bucket.append(c)
        self._brand_prefixes = {key[:k] for key in self._brand_keys for k in range(1, len(key) + 1)}
        self._brand_deletes = defaultdict(set)
        for key in self._brand_keys:
            if len(key) >= 5:
                for d in _deletes(key):
                    self._brand_deletes[d].add(key)
                self._brand_deletes[key].add(key)
        self._type_deletes = defaultdict(set)
        for term in self.type_terms:
            if " " not in term and len(term) >= 4:
                for d in _deletes(term):
                    self._type_deletes[d].add(term)
                self._type_deletes[term].add(term)
        self._color_lookup = {}
        weak_ok = set(self.weak_color_ok)
        for word, std in COLOR_SYNONYMS.items():
            if word in WEAK_COLOR_WORDS and word not in weak_ok:
                continue
            self._color_lookup[word] = self.standard_color(std)
        for phrase, std in self.color_terms.items():
            if phrase in WEAK_COLOR_WORDS and phrase not in weak_ok:
                continue
            self._color_lookup.setdefault(phrase, self.standard_color(std))
        self.max_color_ngram = max((len(k.split()) for k in self._color_lookup), default=1)
        self.max_type_ngram = max((len(k.split()) for k in self.type_terms), default=1)
        self.max_material_ngram = max((len(k.split()) for k in self.materials), default=1)
        self.max_feature_ngram = max((len(k.split()) for k in self.features), default=1)
        self.max_brand_ngram = min(6, max((len(c.split()) for c in self.brands), default=1))

    def standard_color(self, name: str) -> str:
        """A standard colour in this catalog's spelling ("grey" vs "gray")."""
        std = fold_standard(name)
        if std == "grey" and "grey" not in self.colors and "gray" in self.colors:
            return "gray"
        return std

    def color(self, phrase: str, *, allow_weak: bool = False) -> str | None:
        """Standard colour for a (normalised) word/phrase; weak shades only with ``allow_weak``."""
        hit = self._color_lookup.get(phrase)
        if hit is None and allow_weak and phrase in WEAK_COLOR_WORDS:
            std = COLOR_SYNONYMS.get(phrase) or self.color_terms.get(phrase)
            return self.standard_color(std) if std else None
        return hit

    def color_word(self, word: str) -> str | None:
        return self._color_lookup.get(word)

    def types_for(self, term: str) -> list[str]:
        """Catalog types a (singularised, space-joined) term names; [] when it names none."""
        hit = self.type_terms.get(term)
        return [t for t, _ in hit] if hit else []

    def type_name(self, ptype: str) -> str:
        info = self.types.get(ptype)
        return info.name if info else ptype.replace("_", " ").lower()

    def _all_brand_keys(self) -> set[str]:
        return {norm_key(s) for spellings in self.brands.values() for s in spellings}

    def is_brand_prefix(self, key: str) -> bool:
        return key in self._brand_prefixes

    def brands_for_key(self, key: str) -> list[str]:
        return list(self._brand_keys.get(key, []))

    def fuzzy_brand(self, key: str) -> list[str]:
        """Brands within one edit of ``key`` (only for keys of 6+ characters)."""
        if len(key) < 6:
            return []
        candidates: set[str] = set()
        for probe in (key, *_deletes(key)):
            candidates.update(self._brand_deletes.get(probe, ()))
        out: list[str] = []
        for cand in sorted(candidates):
            if _within_one_edit(key, cand):
                out.extend(c for c in self._brand_keys[cand] if c not in out)
        return out

    def fuzzy_type_term(self, word: str) -> str | None:
        """A one-word type term within one edit of ``word`` (5+ letters), e.g. "sofaa" → "sofa"."""
        if len(word) < 5:
            return None
        found: set[str] = set()
        for probe in (word, *_deletes(word)):
            found.update(self._type_deletes.get(probe, ()))
        hits = sorted(
            (t for t in found if _within_one_edit(word, t)), key=lambda t: -self.type_term_support.get(t, 0)
        )
        return hits[0] if hits else None

    def brand_variants(self, canonical: str) -> list[str]:
        """Every raw spelling of a brand in the catalog (for filters that compare raw values)."""
        return list(self.brands.get(canonical, [canonical]))

    def is_known_word(self, word: str) -> bool:
        return word in self.words or singular(word) in self.words

    # ----------------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "product_count": self.product_count,
            "types": {k: {"name": v.name, "count": v.count} for k, v in sorted(self.types.items())},
            "type_terms": {k: [[t, s] for t, s in v] for k, v in sorted(self.type_terms.items())},
            "type_term_support": dict(sorted(self.type_term_support.items())),
            "brands": dict(sorted(self.brands.items())),
            "brand_aliases": dict(sorted(self.brand_aliases.items())),
            "ambiguous_brand_keys": self.ambiguous_brand_keys,
            "first_word_aliases": self.first_word_aliases,
            "colors": self.colors,
            "color_terms": dict(sorted(self.color_terms.items())),
            "weak_color_ok": self.weak_color_ok,
            "materials": dict(sorted(self.materials.items())),
            "features": dict(sorted(self.features.items())),
            "words": sorted(self.words),
            "color_rate": dict(sorted(self.color_rate.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatalogVocabulary:
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported vocabulary version {data.get('version')!r}")
        vocab = cls(
            types={k: TypeInfo(name=v["name"], count=int(v["count"])) for k, v in data["types"].items()},
            type_terms={k: [(str(t), float(s)) for t, s in v] for k, v in data["type_terms"].items()},
            type_term_support={k: int(v) for k, v in data.get("type_term_support", {}).items()},
            brands={k: list(v) for k, v in data["brands"].items()},
            brand_aliases={k: list(v) for k, v in data.get("brand_aliases", {}).items()},
            ambiguous_brand_keys=list(data.get("ambiguous_brand_keys", [])),
            first_word_aliases=list(data.get("first_word_aliases", [])),
            colors=list(data["colors"]),
            color_terms=dict(data["color_terms"]),
            weak_color_ok=list(data.get("weak_color_ok", [])),
            materials=dict(data["materials"]),
            features=dict(data["features"]),
            words=set(data.get("words", [])),
            color_rate={k: float(v) for k, v in data.get("color_rate", {}).items()},
            product_count=int(data.get("product_count", 0)),
        )
        vocab._build_lookups()
        return vocab

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        tmp.replace(p)
        return p

    @classmethod
    def load(cls, path: str | Path) -> CatalogVocabulary:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- mining helpers


def _is_cjk(token: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in token)


def _naming_phrases(product: Product) -> Iterable[tuple[str, bool]]:
    """Phrases whose last words name the product: type name, node segments, title head, keywords."""
    yield product.product_type.replace("_", " ").lower(), False
    if product.node_path:
        segments = [s for s in product.node_path.split("/") if s and s.lower() != "categories"]
        for seg in segments[-2:]:
            for part in re.split(r"&|,| and ", seg):
                if part.strip():
                    yield normalize(part), False
    title = normalize(product.title)
    head = _PREPOSITION_CUTS.split(f" {title} ", maxsplit=1)[0]
    yield head, False
    for kw in product.keywords:
        k = normalize(kw)
        first = k.split(" ", 1)[0] if k else ""
        if not k or first in STOPWORDS or first in ("fits", "set", "pack", "size"):
            continue
        yield k, True


def _clean_phrase(phrase: str) -> list[str]:
    """Singular tokens, trailing colours/digits/sizes dropped (a title ends in "…, Navy, 5x8")."""
    toks = [singular(t) for t in tokenize(phrase) if not any(ch.isdigit() for ch in t)]
    while toks and (
        toks[-1] in COLOR_SYNONYMS or toks[-1] in _SIZE_WORDS or toks[-1] in STOPWORDS or len(toks[-1]) < 2
    ):
        toks.pop()
    return toks


def _human_type_name(ptype: str, terms: dict[str, list[tuple[str, float]]], support: dict[str, int]) -> str:
    """The catalog's most used name for a type ("CELLULAR_PHONE_CASE" → "phone case")."""
    own = set(ptype.lower().split("_"))
    best: tuple[float, str] | None = None
    for term, types in terms.items():
        if not types or types[0][0] != ptype or types[0][1] < 0.8:
            continue
        toks = term.split()
        overlap = len(own & set(toks)) / len(toks)
        score = support.get(term, 0) * (1.0 + overlap) * {1: 1.0, 2: 1.6}.get(len(toks), 0.5)
        if best is None or score > best[0]:
            best = (score, term)
    return best[1] if best else ptype.replace("_", " ").lower()


def brand_spellings_flat(spellings: dict[str, Counter[str]]) -> list[str]:
    return [s for counts in spellings.values() for s in counts]


def _merge_brand_spacings(vocab: CatalogVocabulary) -> None:
    """Spellings that differ only in spacing/punctuation ("Amazon Basics") share a canonical."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for canonical in vocab.brands:
        by_key[norm_key(canonical)].append(canonical)
    for group in by_key.values():
        if len(group) < 2:
            continue
        keep = max(group, key=lambda c: len(vocab.brands[c]))
        merged: set[str] = set()
        for c in group:
            merged.update(vocab.brands.pop(c))
        vocab.brands[keep] = sorted(merged)


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
