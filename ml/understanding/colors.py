"""Colour words → the catalog's standardised colour names.

A small generic table of English shades and the colour words of the ABO marketplaces' other
languages (de, fr, es, it, nl, pt, ja) is the base; :class:`ml.understanding.vocab.CatalogVocabulary`
adds the catalog's own wording (``color_text`` → ``standardized_values``, e.g. "Oatmeal" → beige).
"""

from __future__ import annotations

# The standard names ABO uses in ``standardized_values`` (lower-cased). "gray" is folded to "grey";
# a catalog that spells it "gray" gets "gray" back (see ``CatalogVocabulary.standard_color``).
STANDARD_COLORS: tuple[str, ...] = (
    "black",
    "white",
    "grey",
    "silver",
    "red",
    "pink",
    "orange",
    "yellow",
    "gold",
    "green",
    "blue",
    "purple",
    "brown",
    "beige",
    "clear",
    "multi",
)

# shade / synonym / other language → standard colour. Keys are lower-case, accents kept.
COLOR_SYNONYMS: dict[str, str] = {
    # grey
    "gray": "grey", "grey": "grey", "charcoal": "grey", "slate": "grey", "graphite": "grey",
    "ash": "grey", "heather grey": "grey", "heather gray": "grey", "gunmetal": "grey",
    "dove grey": "grey", "light grey": "grey", "dark grey": "grey", "light gray": "grey",
    "dark gray": "grey", "anthracite": "grey", "pewter": "grey", "smoke": "grey",
    # black / white
    "black": "black", "jet black": "black", "onyx": "black", "ebony": "black", "midnight black": "black",
    "white": "white", "off white": "white", "off-white": "white", "ivory": "white", "snow": "white",
    "pearl": "white", "alabaster": "white", "cream": "beige",
    # red / pink
    "red": "red", "burgundy": "red", "maroon": "red", "crimson": "red", "scarlet": "red", "wine": "red",
    "cherry": "red", "ruby": "red", "oxblood": "red", "brick": "red", "rust": "orange",
    "pink": "pink", "blush": "pink", "rose": "pink", "fuchsia": "pink", "magenta": "pink",
    "hot pink": "pink", "dusty pink": "pink", "salmon": "pink",
    # orange / yellow / gold
    "orange": "orange", "coral": "orange", "peach": "orange", "apricot": "orange", "tangerine": "orange",
    "terracotta": "orange", "amber": "orange", "copper": "orange",
    "yellow": "yellow", "mustard": "yellow", "lemon": "yellow", "ochre": "yellow",
    "gold": "gold", "golden": "gold", "champagne": "gold", "rose gold": "gold", "brass": "gold",
    "silver": "silver", "chrome": "silver", "stainless": "silver", "platinum": "silver",
    # green / blue / purple
    "green": "green", "olive": "green", "sage": "green", "mint": "green", "emerald": "green",
    "forest green": "green", "lime": "green", "khaki": "green", "army green": "green", "jade": "green",
    "blue": "blue", "navy": "blue", "navy blue": "blue", "teal": "blue", "turquoise": "blue",
    "aqua": "blue", "cobalt": "blue", "royal blue": "blue", "sky blue": "blue", "denim": "blue",
    "indigo": "blue", "cyan": "blue", "azure": "blue", "powder blue": "blue",
    "purple": "purple", "violet": "purple", "lavender": "purple", "lilac": "purple", "plum": "purple",
    "mauve": "purple", "aubergine": "purple",
    # brown / beige
    "brown": "brown", "tan": "brown", "chocolate": "brown", "espresso": "brown", "walnut": "brown",
    "chestnut": "brown", "mocha": "brown", "coffee": "brown", "camel": "brown", "cognac": "brown",
    "mahogany": "brown", "bronze": "brown", "caramel": "brown",
    "beige": "beige", "taupe": "beige", "sand": "beige", "oatmeal": "beige", "natural": "beige",
    "ecru": "beige", "linen": "beige", "stone": "beige", "nude": "beige",
    # clear / multi
    "clear": "clear", "transparent": "clear", "crystal clear": "clear", "see through": "clear",
    "multi": "multi", "multicolor": "multi", "multicolour": "multi", "multicolored": "multi",
    "multicoloured": "multi", "multi color": "multi", "multi colour": "multi", "rainbow": "multi",
    "assorted": "multi",
    # German
    "schwarz": "black", "weiß": "white", "weiss": "white", "grau": "grey", "rot": "red",
    "rosa": "pink", "blau": "blue", "grün": "green", "gruen": "green", "gelb": "yellow",
    "braun": "brown", "lila": "purple", "silber": "silver", "mehrfarbig": "multi",
    "durchsichtig": "clear",
    # French
    "noir": "black", "noire": "black", "blanc": "white", "blanche": "white", "gris": "grey",
    "grise": "grey", "rouge": "red", "bleu": "blue", "bleue": "blue", "vert": "green", "verte": "green",
    "jaune": "yellow", "marron": "brown", "violet foncé": "purple", "argent": "silver",
    "doré": "gold", "dorée": "gold", "multicolore": "multi", "transparente": "clear",
    # Spanish / Portuguese / Italian
    "negro": "black", "negra": "black", "blanco": "white", "blanca": "white", "rojo": "red",
    "roja": "red", "azul": "blue", "verde": "green", "amarillo": "yellow", "marrón": "brown",
    "morado": "purple", "plateado": "silver", "dorado": "gold",
    "preto": "black", "branco": "white", "vermelho": "red", "cinza": "grey", "amarelo": "yellow",
    "nero": "black", "bianco": "white", "grigio": "grey", "rosso": "red", "blu": "blue",
    "giallo": "yellow", "viola": "purple", "argento": "silver", "oro": "gold", "trasparente": "clear",
    "marrone": "brown",
    # Dutch
    "zwart": "black", "wit": "white", "grijs": "grey", "rood": "red", "blauw": "blue", "groen": "green",
    # Japanese (katakana colour words used in ABO ja_JP listings)
    "ブラック": "black", "ホワイト": "white", "グレー": "grey", "レッド": "red", "ピンク": "pink",
    "ブルー": "blue", "グリーン": "green", "イエロー": "yellow", "ブラウン": "brown", "パープル": "purple",
    "シルバー": "silver", "ゴールド": "gold", "クリア": "clear", "ベージュ": "beige", "オレンジ": "orange",
    "マルチカラー": "multi",
}  # fmt: skip

# Inflected forms in the marketplaces' other languages ("graues sofa", "chaussures noires",
# "zapatos rojos", "scarpe nere"): generated from the base forms above.
_FOREIGN_BASES: dict[str, tuple[str, ...]] = {
    "de": ("schwarz", "weiß", "weiss", "grau", "rot", "blau", "grün", "gruen", "gelb", "braun", "silber"),
    "fr": ("noir", "blanc", "gris", "rouge", "bleu", "vert", "jaune", "marron", "doré", "violet"),
    "es": ("negro", "blanco", "rojo", "azul", "verde", "amarillo", "morado", "plateado", "dorado", "gris"),
    "it": ("nero", "bianco", "grigio", "rosso", "giallo", "verde", "marrone", "argento", "viola"),
}


def _inflections(lang: str, word: str) -> set[str]:
    if lang == "de":
        return {word + s for s in ("e", "en", "es", "er", "em")}
    if lang == "fr":
        forms = {word + "s", word + "e", word + "es"}
        if word == "blanc":
            forms |= {"blanche", "blanches"}
        return forms
    if lang == "es":
        stem = word[:-1] if word.endswith("o") else word
        forms = {word + "s", word + "es"}
        if word.endswith("o"):
            forms |= {stem + "a", stem + "os", stem + "as"}
        if word == "azul":
            forms.add("azules")
        if word == "gris":
            forms.add("grises")
        return forms
    if lang == "it":
        stem = word[:-1]
        forms = {stem + "i", stem + "e", stem + "a"}
        if word.endswith("co"):
            forms |= {word[:-2] + "chi", word[:-2] + "che"}
        if word.endswith("io"):
            forms |= {word[:-1], word[:-2] + "ie"}
        return forms
    return set()


for _lang, _bases in _FOREIGN_BASES.items():
    for _base in _bases:
        _std = COLOR_SYNONYMS.get(_base)
        if _std:
            for _form in _inflections(_lang, _base):
                COLOR_SYNONYMS.setdefault(_form, _std)

# Shade words that are also ordinary nouns ("coffee maker", "rose bush", "orange juice",
# "natural wood", "sand timer"): they count as colours only when the catalog uses them as colours
# more often than otherwise, or next to a clear colour context ("in coffee", "coffee colour").
WEAK_COLOR_WORDS: frozenset[str] = frozenset(
    {
        "ash", "snow", "pearl", "cream", "wine", "cherry", "brick", "rust", "rose", "salmon", "peach",
        "lemon", "brass", "chrome", "stainless", "olive", "sage", "mint", "lime", "denim", "plum",
        "chocolate", "espresso", "walnut", "chestnut", "mocha", "coffee", "camel", "cognac", "mahogany",
        "bronze", "caramel", "sand", "natural", "linen", "stone", "smoke", "amber", "copper", "orange",
        "clear", "gold", "silver", "jade", "ruby", "tan", "assorted", "nude", "rot", "blu", "oro",
        "wit", "golden", "violet", "champagne", "platinum", "coral",
    }
)  # fmt: skip


def fold_standard(name: str) -> str:
    """A catalog standardised value → ShopTalk's standard name (``gray`` → ``grey``)."""
    low = name.strip().lower()
    if low in ("gray",):
        return "grey"
    if low in ("multicolor", "multicolour", "multi-color", "multi-colour", "multicolored"):
        return "multi"
    if low in ("transparent",):
        return "clear"
    return low


def base_color(word: str) -> str | None:
    """The standard colour of a word/phrase from the generic table, or None."""
    return COLOR_SYNONYMS.get(word.strip().lower())
