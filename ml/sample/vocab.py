"""Shared vocabulary for the sample catalog: spec dataclasses, colours, languages, marketplaces."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Feature:
    """A structured product attribute (``waterproof``) and the ways listings phrase it."""

    key: str
    title: tuple[str, ...]
    bullets: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    # Substrings of a material that rule this feature out (``vegan`` with leather).
    forbid_materials: tuple[str, ...] = ()
    # Translations used in non-English titles: language tag → word.
    i18n: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Subtype:
    """A kind of product within a product type (hiking boot vs. chelsea boot)."""

    key: str
    nouns: tuple[str, ...]
    node: str
    features: tuple[tuple[str, float], ...] = ()
    materials: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeSpec:
    """Everything needed to write plausible listings of one ABO ``product_type``."""

    name: str
    share: float
    brands: tuple[str, ...]
    subtypes: tuple[Subtype, ...]
    features: tuple[Feature, ...]
    materials: tuple[str, ...]
    colors: tuple[str, ...]
    styles: tuple[str, ...]
    titles: tuple[str, ...]
    bullets: tuple[str, ...]
    descriptions: tuple[str, ...]
    keywords: tuple[str, ...]
    i18n_noun: dict[str, str]
    weight_lb: tuple[float, float]
    dims_in: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    patterns: tuple[str, ...] = ()
    fabric_types: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    model_names: tuple[str, ...] = ()
    model_code: str = ""  # e.g. "AW" → model names like "AW700"
    has_color: bool = True

    def feature(self, key: str) -> Feature:
        for feat in self.features:
            if feat.key == key:
                return feat
        raise KeyError(f"{self.name} has no feature {key!r}")

    def subtype(self, key: str) -> Subtype:
        for sub in self.subtypes:
            if sub.key == key:
                return sub
        raise KeyError(f"{self.name} has no subtype {key!r}")


# --- colours --------------------------------------------------------------------------------
# standardized value → (listing wordings, RGB for the drawn image)
COLORS: dict[str, tuple[tuple[str, ...], tuple[int, int, int]]] = {
    "Black": (("Black", "Jet Black", "Matte Black", "Onyx", "Midnight Black"), (34, 34, 38)),
    "White": (("White", "Off White", "Ivory", "Cream", "Pearl White"), (236, 234, 228)),
    "Grey": (("Gray", "Charcoal", "Heather Grey", "Slate", "Light Gray", "Graphite"), (128, 128, 132)),
    "Blue": (("Blue", "Navy Blue", "Navy", "Sky Blue", "Royal Blue", "Denim Blue", "Teal"), (40, 82, 170)),
    "Red": (("Red", "Burgundy", "Wine Red", "Cherry Red", "Crimson", "Brick Red"), (196, 32, 44)),
    "Green": (("Green", "Olive", "Forest Green", "Sage", "Emerald", "Mint Green"), (52, 130, 70)),
    "Brown": (("Brown", "Tan", "Chocolate", "Cognac", "Walnut", "Espresso", "Camel"), (118, 76, 42)),
    "Beige": (("Beige", "Sand", "Oatmeal", "Natural", "Khaki", "Taupe"), (214, 196, 160)),
    "Pink": (("Pink", "Blush", "Rose Pink", "Dusty Pink", "Hot Pink"), (238, 150, 178)),
    "Purple": (("Purple", "Lavender", "Plum", "Lilac", "Violet"), (122, 62, 160)),
    "Yellow": (("Yellow", "Mustard", "Lemon Yellow", "Ochre"), (236, 200, 40)),
    "Orange": (("Orange", "Burnt Orange", "Rust", "Coral", "Tangerine"), (236, 124, 36)),
    "Gold": (("Gold", "Rose Gold", "Champagne Gold", "Brass"), (206, 168, 64)),
    "Silver": (("Silver", "Chrome", "Brushed Nickel", "Stainless"), (188, 190, 198)),
    "Multi": (("Multicolor", "Multi", "Multicolour", "Assorted"), (150, 100, 160)),
    "Clear": (("Clear", "Transparent", "Crystal Clear", "Frosted Clear"), (206, 222, 232)),
}

COLOR_I18N: dict[str, dict[str, str]] = {
    "de_DE": {
        "Black": "Schwarz",
        "White": "Weiß",
        "Grey": "Grau",
        "Blue": "Blau",
        "Red": "Rot",
        "Green": "Grün",
        "Brown": "Braun",
        "Beige": "Beige",
        "Pink": "Rosa",
        "Purple": "Lila",
        "Yellow": "Gelb",
        "Orange": "Orange",
        "Gold": "Gold",
        "Silver": "Silber",
        "Multi": "Mehrfarbig",
        "Clear": "Transparent",
    },
    "fr_FR": {
        "Black": "Noir",
        "White": "Blanc",
        "Grey": "Gris",
        "Blue": "Bleu",
        "Red": "Rouge",
        "Green": "Vert",
        "Brown": "Marron",
        "Beige": "Beige",
        "Pink": "Rose",
        "Purple": "Violet",
        "Yellow": "Jaune",
        "Orange": "Orange",
        "Gold": "Doré",
        "Silver": "Argenté",
        "Multi": "Multicolore",
        "Clear": "Transparent",
    },
    "es_ES": {
        "Black": "Negro",
        "White": "Blanco",
        "Grey": "Gris",
        "Blue": "Azul",
        "Red": "Rojo",
        "Green": "Verde",
        "Brown": "Marrón",
        "Beige": "Beige",
        "Pink": "Rosa",
        "Purple": "Morado",
        "Yellow": "Amarillo",
        "Orange": "Naranja",
        "Gold": "Dorado",
        "Silver": "Plateado",
        "Multi": "Multicolor",
        "Clear": "Transparente",
    },
    "it_IT": {
        "Black": "Nero",
        "White": "Bianco",
        "Grey": "Grigio",
        "Blue": "Blu",
        "Red": "Rosso",
        "Green": "Verde",
        "Brown": "Marrone",
        "Beige": "Beige",
        "Pink": "Rosa",
        "Purple": "Viola",
        "Yellow": "Giallo",
        "Orange": "Arancione",
        "Gold": "Oro",
        "Silver": "Argento",
        "Multi": "Multicolore",
        "Clear": "Trasparente",
    },
    "ja_JP": {
        "Black": "ブラック",
        "White": "ホワイト",
        "Grey": "グレー",
        "Blue": "ブルー",
        "Red": "レッド",
        "Green": "グリーン",
        "Brown": "ブラウン",
        "Beige": "ベージュ",
        "Pink": "ピンク",
        "Purple": "パープル",
        "Yellow": "イエロー",
        "Orange": "オレンジ",
        "Gold": "ゴールド",
        "Silver": "シルバー",
        "Multi": "マルチカラー",
        "Clear": "クリア",
    },
}

# Generic, translated bullet points for listings written in another language.
BULLET_I18N: dict[str, tuple[str, ...]] = {
    "de_DE": (
        "Hochwertige Verarbeitung aus langlebigen Materialien",
        "Einfache Pflege: mit einem feuchten Tuch abwischen",
        "Lieferumfang: 1 Stück, ohne Zubehör",
        "Zufriedenheitsgarantie: Bei Fragen wenden Sie sich bitte an unseren Kundenservice",
    ),
    "fr_FR": (
        "Fabrication de haute qualité avec des matériaux durables",
        "Entretien facile : nettoyer avec un chiffon humide",
        "Contenu de la livraison : 1 pièce, accessoires non inclus",
        "Garantie satisfaction : contactez notre service client pour toute question",
    ),
    "es_ES": (
        "Fabricación de alta calidad con materiales duraderos",
        "Fácil de limpiar: pasar un paño húmedo",
        "Contenido del envío: 1 unidad, accesorios no incluidos",
        "Garantía de satisfacción: contacte con nuestro servicio de atención al cliente",
    ),
    "it_IT": (
        "Lavorazione di alta qualità con materiali resistenti",
        "Facile da pulire: passare un panno umido",
        "Contenuto della confezione: 1 pezzo, accessori non inclusi",
        "Garanzia di soddisfazione: per qualsiasi domanda contatta il nostro servizio clienti",
    ),
    "ja_JP": (
        "耐久性のある素材を使用した高品質な仕上がり",
        "お手入れ簡単：湿った布で拭いてください",
        "セット内容：本体1点（付属品なし）",
        "ご不明な点がございましたら、カスタマーサービスまでお問い合わせください",
    ),
}

# language tag → (domain_name, country)
MARKETPLACES: dict[str, tuple[str, str]] = {
    "en_US": ("amazon.com", "US"),
    "en_GB": ("amazon.co.uk", "GB"),
    "en_IN": ("amazon.in", "IN"),
    "en_AU": ("amazon.com.au", "AU"),
    "en_CA": ("amazon.ca", "CA"),
    "de_DE": ("amazon.de", "DE"),
    "fr_FR": ("amazon.fr", "FR"),
    "es_ES": ("amazon.es", "ES"),
    "it_IT": ("amazon.it", "IT"),
    "ja_JP": ("amazon.co.jp", "JP"),
}

FOREIGN_LANGUAGES: tuple[str, ...] = ("de_DE", "fr_FR", "es_ES", "it_IT", "ja_JP")
OTHER_ENGLISH: tuple[str, ...] = ("en_GB", "en_IN", "en_AU", "en_CA")

# en_US → en_GB spellings applied to British/Australian/Indian listings.
BRITISH_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("Gray", "Grey"),
    ("gray", "grey"),
    ("Color", "Colour"),
    ("color", "colour"),
    ("Cell Phone", "Mobile Phone"),
    ("cell phone", "mobile phone"),
    ("Organizer", "Organiser"),
    ("organizer", "organiser"),
    ("Aluminum", "Aluminium"),
    ("aluminum", "aluminium"),
    ("Center", "Centre"),
    ("center", "centre"),
    ("Favorite", "Favourite"),
    ("favorite", "favourite"),
    ("Cozy", "Cosy"),
    ("cozy", "cosy"),
    ("Pants", "Trousers"),
)


def british(text: str) -> str:
    """Rewrite American spellings the way UK/IN/AU listings spell them."""
    for us, gb in BRITISH_SPELLINGS:
        text = text.replace(us, gb)
    return text
