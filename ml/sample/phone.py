"""Vocabulary for ``CELLULAR_PHONE_CASE`` (about half of ABO) and ``SCREEN_PROTECTOR`` listings."""

from __future__ import annotations

from ml.sample.vocab import Feature, Subtype

F = Feature
S = Subtype

# phone model → screen size; weights skew toward the models ABO lists most.
PHONE_MODELS: dict[str, tuple[str, float]] = {
    "iPhone 11": ("6.1 inch", 1.4),
    "iPhone 11 Pro": ("5.8 inch", 0.8),
    "iPhone 12": ("6.1 inch", 1.5),
    "iPhone 12 Pro": ("6.1 inch", 1.0),
    "iPhone 12 Pro Max": ("6.7 inch", 0.8),
    "iPhone 13": ("6.1 inch", 1.5),
    "iPhone 13 Pro Max": ("6.7 inch", 1.0),
    "iPhone 14": ("6.1 inch", 1.2),
    "iPhone 14 Pro": ("6.1 inch", 1.0),
    "iPhone 15": ("6.1 inch", 0.9),
    "iPhone SE (2022)": ("4.7 inch", 0.7),
    "Samsung Galaxy S21": ("6.2 inch", 1.0),
    "Samsung Galaxy S22 Ultra": ("6.8 inch", 0.8),
    "Samsung Galaxy S23": ("6.1 inch", 0.9),
    "Samsung Galaxy A12": ("6.5 inch", 0.8),
    "Samsung Galaxy A53 5G": ("6.5 inch", 0.7),
    "Samsung Galaxy M31": ("6.4 inch", 0.8),
    "Google Pixel 6": ("6.4 inch", 0.6),
    "Google Pixel 7": ("6.3 inch", 0.7),
    "Google Pixel 7a": ("6.1 inch", 0.5),
    "OnePlus Nord": ("6.44 inch", 0.6),
    "OnePlus 9": ("6.55 inch", 0.5),
    "Redmi Note 9 Pro": ("6.67 inch", 0.9),
    "Redmi Note 10": ("6.43 inch", 0.7),
    "Moto G Power (2021)": ("6.6 inch", 0.5),
    "Vivo Y20": ("6.51 inch", 0.5),
    "Oppo A5 2020": ("6.5 inch", 0.4),
}

MAGSAFE_MODELS = frozenset(
    m for m in PHONE_MODELS if m.startswith(("iPhone 12", "iPhone 13", "iPhone 14", "iPhone 15"))
)
INDIA_MODELS = frozenset(
    {"Samsung Galaxy M31", "Redmi Note 9 Pro", "Redmi Note 10", "Vivo Y20", "Oppo A5 2020", "OnePlus Nord"}
)

CASE_BRANDS: tuple[str, ...] = (
    "Amazon Brand - Solimo",
    "AmazonBasics",
    "Spigen Style",
    "OtterTough",
    "Caseology Lite",
    "ESR Shield",
    "Tech Armor Co",
    "Casemate Studio",
    "Lumen Cases",
    "Kavach",
    "ProCase Plus",
    "Ringke Lite",
    "Vena",
    "Torras Lab",
    "Nimbus9",
)
SOLIMO = "Amazon Brand - Solimo"

DESIGNS: tuple[str, ...] = (
    "Cute Cat",
    "Mandala Art",
    "Marble Texture",
    "Floral Pattern",
    "Abstract Waves",
    "Mountain Sunset",
    "Geometric Triangles",
    "Vintage Map",
    "Panda",
    "Watercolor Feathers",
    "Galaxy Stars",
    "Tropical Leaves",
    "Peacock Feather",
    "Lord Ganesha",
    "Cricket Fan",
    "Retro Cassette",
    "Butterfly",
    "Dreamcatcher",
    "Om Symbol",
    "Camouflage",
    "Pizza Slice",
    "Minimal Line Art",
    "Lion Face",
    "Dog Paw",
    "Rose Gold Glitter",
)

CASE_SUBTYPES: tuple[Subtype, ...] = (
    S(
        "designer",
        ("Designer Printed Hard Back Case Mobile Cover", "Designer Back Cover", "Printed Soft Back Case"),
        "/Categories/Mobiles & Accessories/Mobile Accessories/Cases & Covers/Back & Bumper Cases",
        (("raised_edges", 0.4), ("shockproof", 0.2)),
        ("Polycarbonate", "Hard Plastic", "Silicone"),
        (),
        2.6,
    ),
    S(
        "wallet",
        ("Wallet Case", "Flip Folio Case", "Flip Cover", "Wallet Phone Case"),
        "/Cell Phones & Accessories/Cases, Holsters & Sleeves/Wallet Cases",
        (
            ("wallet", 1.0),
            ("card_holder", 0.9),
            ("kickstand", 0.6),
            ("rfid", 0.2),
            ("magnetic_closure", 0.5),
            ("wrist_strap", 0.2),
        ),
        ("PU Leather", "Genuine Leather", "Vegan Leather", "Faux Leather"),
        (),
        1.3,
    ),
    S(
        "clear",
        ("Clear Case", "Transparent Case", "Crystal Clear Case"),
        "/Cell Phones & Accessories/Cases, Holsters & Sleeves/Basic Cases",
        (
            ("clear", 1.0),
            ("shockproof", 0.6),
            ("anti_yellowing", 0.6),
            ("magsafe", 0.3),
            ("raised_edges", 0.5),
            ("wireless_charging", 0.4),
        ),
        ("TPU", "Polycarbonate", "TPU + Polycarbonate"),
        (),
        1.3,
    ),
    S(
        "rugged",
        ("Rugged Case", "Heavy Duty Case", "Armor Case", "Defender Case"),
        "/Cell Phones & Accessories/Cases, Holsters & Sleeves/Rugged Cases",
        (
            ("shockproof", 1.0),
            ("military_grade", 0.6),
            ("kickstand", 0.4),
            ("belt_clip", 0.3),
            ("screen_protector_included", 0.4),
            ("raised_edges", 0.6),
        ),
        ("TPU + Polycarbonate", "Silicone", "Rubber"),
        (),
        1.1,
    ),
    S(
        "slim",
        ("Slim Case", "Thin Case", "Silicone Case", "Liquid Silicone Case", "Slim Fit Case"),
        "/Cell Phones & Accessories/Cases, Holsters & Sleeves/Basic Cases",
        (
            ("magsafe", 0.3),
            ("microfiber_lining", 0.5),
            ("wireless_charging", 0.5),
            ("shockproof", 0.3),
            ("glitter", 0.1),
        ),
        ("Liquid Silicone", "Silicone", "TPU", "Genuine Leather"),
        (),
        1.3,
    ),
)

CASE_FEATURES: tuple[Feature, ...] = (
    F(
        "shockproof",
        ("Shockproof", "Shock Absorbing", "Drop Protection"),
        (
            "Shockproof air-cushion corners absorb impact from everyday drops",
            "Shock-absorbing bumper protects against drops up to 10 feet",
        ),
        ("shockproof case",),
        i18n={
            "de_DE": "stoßfest",
            "fr_FR": "antichoc",
            "es_ES": "antigolpes",
            "it_IT": "antiurto",
            "ja_JP": "耐衝撃",
        },
    ),
    F(
        "wallet",
        ("Wallet", "Flip"),
        ("Wallet design replaces your purse: cards, cash and phone in one",),
        ("wallet case", "flip cover"),
        i18n={
            "de_DE": "Klapphülle",
            "fr_FR": "portefeuille",
            "es_ES": "tipo cartera",
            "it_IT": "a portafoglio",
            "ja_JP": "手帳型",
        },
    ),
    F("card_holder", ("with Card Holder", "with Card Slots"), ("Three card slots and a cash pocket",)),
    F("kickstand", ("with Kickstand", "Kickstand"), ("Built-in kickstand for hands-free video watching",)),
    F("rfid", ("RFID Blocking",), ("RFID-blocking card slots protect your credit cards",)),
    F("magnetic_closure", ("Magnetic Closure",), ("Strong magnetic clasp keeps the flip cover shut",)),
    F("wrist_strap", ("with Wrist Strap",), ("Detachable wrist strap",)),
    F(
        "clear",
        ("Clear", "Crystal Clear", "Transparent"),
        ("Crystal-clear back shows off your phone's original design",),
        ("clear case", "transparent"),
        i18n={
            "de_DE": "transparent",
            "fr_FR": "transparente",
            "es_ES": "transparente",
            "it_IT": "trasparente",
            "ja_JP": "クリア",
        },
    ),
    F(
        "anti_yellowing",
        ("Anti-Yellowing", "Non-Yellowing"),
        ("Anti-yellowing coating stays clear over time",),
    ),
    F(
        "magsafe",
        ("Compatible with MagSafe", "Magnetic", "MagSafe Compatible"),
        ("Built-in magnets work with MagSafe chargers, wallets and car mounts",),
        ("magsafe",),
    ),
    F("raised_edges", ("Raised Edges",), ("Raised bezels protect the screen and camera from scratches",)),
    F(
        "wireless_charging",
        ("Wireless Charging Compatible",),
        ("Supports wireless charging without removing the case",),
    ),
    F("military_grade", ("Military Grade",), ("Military grade drop tested (MIL-STD-810G)",)),
    F("belt_clip", ("with Belt Clip Holster",), ("Rotating belt clip holster included",)),
    F(
        "screen_protector_included",
        ("with Built-in Screen Protector", "with Screen Protector"),
        ("Built-in screen protector guards against scratches",),
    ),
    F("microfiber_lining", ("Microfiber Lining",), ("Soft microfiber lining cushions the phone",)),
    F("glitter", ("Glitter", "Bling"), ("Sparkly glitter finish",)),
)

CASE_COLORS: tuple[str, ...] = (
    "Black",
    "Blue",
    "Red",
    "Pink",
    "Green",
    "Purple",
    "Brown",
    "Grey",
    "White",
    "Gold",
    "Yellow",
    "Orange",
)

CASE_TITLES: tuple[str, ...] = (
    "{brand} {model} Case, {feat} {material} {noun}, {color}",
    "{brand} Case for {model} ({size}), {feat}, {feat2}, {color}",
    "{brand} Compatible with {model} Case, {feat} {noun} {feat2} - {color}",
    "{model} {noun} by {brand} - {feat} - {color}",
    "{brand} Designed for {model} {noun}, {feat} Phone Cover {feat2}, {color}",
    "{brand} {noun} for {model} {size} {feat}, {material}, {color}",
    "{brand} {feat} Protective {noun} for {model} - {color}",
)
DESIGNER_TITLES: tuple[str, ...] = (
    "{brand} Designer {design} 3D Printed Hard Back Case Mobile Cover for {model}",
    "{brand} Designer {design} Printed Soft Back Case Mobile Cover for {model}",
    "{brand} {design} Design Printed Back Cover for {model} ({color})",
)
CASE_BULLETS: tuple[str, ...] = (
    "Precise cutouts for the camera, speakers, ports and buttons",
    "Compatible only with {model} ({size}); not for other models",
    "Tactile button covers with a satisfying click",
    "Slim profile slides easily into pockets",
    "{material} body with a soft-touch finish",
    "Easy to install and remove",
    "Package includes: 1 x {noun}",
)
DESIGNER_BULLETS: tuple[str, ...] = (
    "Printed with high-quality UV inks for a long-lasting {design} design",
    "Compatible with {model}",
    "Hard polycarbonate back with precise cutouts",
    "Slim and lightweight design",
    "Design printed on the back of the case; the sides are plain",
)

CASE_I18N_NOUN: dict[str, str] = {
    "de_DE": "Handyhülle für {model}",
    "fr_FR": "Coque pour {model}",
    "es_ES": "Funda para {model}",
    "it_IT": "Custodia per {model}",
    "ja_JP": "{model} ケース",
}

SCREEN_SUBTYPES: tuple[Subtype, ...] = (
    S(
        "tempered_glass",
        ("Tempered Glass Screen Protector", "Screen Protector", "Glass Screen Protector"),
        "/Cell Phones & Accessories/Accessories/Screen Protectors",
        (("two_pack", 0.5), ("case_friendly", 0.6), ("bubble_free", 0.5)),
        ("Tempered Glass",),
        (),
        1.5,
    ),
    S(
        "privacy",
        ("Privacy Screen Protector", "Anti-Spy Screen Protector"),
        "/Cell Phones & Accessories/Accessories/Screen Protectors",
        (("privacy", 1.0), ("two_pack", 0.4), ("case_friendly", 0.5)),
        ("Tempered Glass",),
        (),
        0.7,
    ),
    S(
        "camera_lens",
        ("Camera Lens Protector",),
        "/Cell Phones & Accessories/Accessories/Screen Protectors",
        (("two_pack", 0.5),),
        ("Tempered Glass", "Aluminum Alloy"),
        (),
        0.5,
    ),
)
SCREEN_FEATURES: tuple[Feature, ...] = (
    F("two_pack", ("2 Pack", "3 Pack"), ("Comes with two protectors and an installation frame",)),
    F("case_friendly", ("Case Friendly",), ("Case-friendly edges leave room for most cases",)),
    F("bubble_free", ("Bubble-Free",), ("Bubble-free adhesive with an alignment frame",)),
    F("privacy", ("Privacy", "Anti-Spy"), ("Privacy filter hides your screen from side angles",)),
)
SCREEN_BRANDS: tuple[str, ...] = (
    "AmazonBasics",
    "ESR Shield",
    "Tech Armor Co",
    "Spigen Style",
    "Ailun Pro",
    "Kavach",
)
SCREEN_TITLES: tuple[str, ...] = (
    "{brand} {feat} {noun} for {model}, 9H Hardness, {feat2}",
    "{brand} {noun} Compatible with {model} {size}, {feat}",
    "{feat} {noun} for {model} by {brand}",
)
SCREEN_BULLETS: tuple[str, ...] = (
    "9H hardness tempered glass resists scratches from keys and coins",
    "Compatible with {model} ({size})",
    "Oleophobic coating resists fingerprints",
    "99.9% HD clarity and touch sensitivity",
)
SCREEN_I18N_NOUN: dict[str, str] = {
    "de_DE": "Panzerglas Schutzfolie für {model}",
    "fr_FR": "Verre trempé pour {model}",
    "es_ES": "Protector de pantalla para {model}",
    "it_IT": "Pellicola protettiva per {model}",
    "ja_JP": "{model} ガラスフィルム",
}
