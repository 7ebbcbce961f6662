"""Slot extraction: what a shopper's message constrains, mapped onto the catalog's own vocabulary.

``extract_slots(text, vocab)`` returns the :class:`~ml.understanding.types.Slots` and the residual
content terms (the free text left once slot phrases and stop words are removed).

Passes run in a fixed order over normalised text and each claims its characters, so a later pass
never re-reads a phrase: device models ("iphone 13 pro"), sizes ("5x8", "queen"), capacity
("family of four"), prices (direction and negation resolved), identifiers ("f-91w"), relative
wishes ("cheaper", "bigger"), gift cues, negated attributes ("not pink", "without a lid"),
brands, colours and materials, product type (head noun wins), audience, features.

**Product type, head noun wins.** The message is cut into segments (commas, "and"/"or") and each
segment into chunks at prepositions ("phone case | for iphone", "shoes | for running"). A chunk's
head is its last content word: a catalog type term names the type; a word the catalog has never
used ("slipcover", "spaceship") means the shopper wants something else, so no type is guessed
from its modifiers ("sofa slipcover" is not a sofa). Accessory heads ("cover", "stand") next to
another type's name ("sofa cover", "stand for my headphones") name no type unless the catalog
has that exact phrase ("pillow cover").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml.understanding.devices import find_devices
from ml.understanding.prices import find_prices, merge_prices, price_change
from ml.understanding.sizes import find_capacity, find_sizes
from ml.understanding.types import Slots
from ml.understanding.vocab import (
    ACCESSORY_HEADS,
    CONTEXT_WORDS,
    FILLER,
    FOREIGN_STOPWORDS,
    FOREIGN_TYPE_WORDS,
    STOPWORDS,
    TYPE_SYNONYMS,
    CatalogVocabulary,
    norm_key,
    normalize,
    singular,
)

MAX_CHARS = 1000  # longer messages are read up to here (a 10k-character paste stays fast)

AUDIENCE: dict[str, str] = {
    "women": "women", "womens": "women", "woman": "women", "ladies": "women", "lady": "women",
    "female": "women", "females": "women", "girl": "kids", "girls": "kids",
    "men": "men", "mens": "men", "man": "men", "male": "men", "males": "men", "gents": "men",
    "gentlemen": "men", "gentleman": "men", "guys": "men",
    "kid": "kids", "kids": "kids", "child": "kids", "children": "kids", "childrens": "kids",
    "toddler": "kids", "toddlers": "kids", "boy": "kids", "boys": "kids", "youth": "kids",
    "junior": "kids", "juniors": "kids", "teen": "kids", "teens": "kids", "teenager": "kids",
    "teenagers": "kids",
    "baby": "baby", "babies": "baby", "infant": "baby", "infants": "baby", "newborn": "baby",
    "dog": "dog", "dogs": "dog", "puppy": "dog", "puppies": "dog",
    "cat": "cat", "cats": "cat", "kitten": "cat", "kittens": "cat",
    "pet": "pet", "pets": "pet", "unisex": "unisex",
    "mujer": "women", "mujeres": "women", "damen": "women", "femme": "women", "femmes": "women",
    "donna": "women", "hombre": "men", "hombres": "men", "herren": "men", "homme": "men", "hommes": "men",
    "uomo": "men", "niños": "kids", "niño": "kids", "niña": "kids", "kinder": "kids", "enfant": "kids",
    "enfants": "kids", "bambini": "kids", "bambino": "kids",
}  # fmt: skip

RECIPIENTS = frozenset(
    [
        "mum",
        "mom",
        "mother",
        "mommy",
        "mummy",
        "dad",
        "father",
        "daddy",
        "wife",
        "husband",
        "son",
        "daughter",
        "friend",
        "bestie",
        "boyfriend",
        "girlfriend",
        "partner",
        "sister",
        "brother",
        "grandma",
        "grandpa",
        "grandmother",
        "grandfather",
        "granny",
        "niece",
        "nephew",
        "boss",
        "colleague",
        "coworker",
        "teacher",
        "aunt",
        "uncle",
        "fiance",
        "fiancee",
        "parents",
        "parent",
        "family",
        "someone",
        "somebody",
    ]
)
_GIFT = re.compile(
    r"\b(?:gifts?|present|presents|birthday|christmas|xmas|anniversary|stocking\s+filler|secret\s+santa|"
    r"housewarming|valentine'?s?|mother'?s\s+day|father'?s\s+day|gift\s+idea)\b"
    r"|\bfor\s+(?:my|our|a|his|her)\s+(?:mum|mom|mother|dad|father|wife|husband|son|daughter|friend|boyfriend|"
    r"girlfriend|partner|sister|brother|grandma|grandpa|grandmother|grandfather|niece|nephew|boss|colleague|"
    r"teacher|aunt|uncle|fiance|fiancee|parents)\b"
)
_SIZE_CHANGE = re.compile(
    r"\b(?P<bigger>bigger|larger|a\s+size\s+up|size\s+up|roomier|more\s+spacious|wider|longer|taller)\b"
    r"|\b(?P<smaller>smaller|more\s+compact|a\s+size\s+down|size\s+down|tinier|narrower|shorter)\b"
)
_IDENTIFIER = re.compile(r"(?<![\w-])(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)

_NEGATORS_1 = frozenset(
    {
        "nicht",
        "kein",
        "keine",
        "sans",
        "sin",
        "senza",
        "isnt",
        "arent",
        "aint",
        "not",
        "no",
        "non",
        "without",
        "except",
        "excluding",
        "avoid",
        "nothing",
        "never",
        "minus",
    }
)
_NEGATORS_2 = {
    ("anything", "but"), ("but", "not"), ("other", "than"), ("rather", "than"), ("instead", "of"),
    ("dont", "want"), ("don't", "want"), ("dont", "like"), ("don't", "like"), ("hate",), ("no", "more"),
}  # fmt: skip
_NEGATOR_3 = {("do", "not", "want"), ("do", "not", "like"), ("does", "not", "have")}
_SKIP_AFTER_NEG = frozenset(
    {"a", "an", "the", "any", "too", "very", "so", "with", "in", "made", "of", "real"}
)
_PREPOSITIONS = frozenset(
    [
        "for",
        "with",
        "without",
        "in",
        "on",
        "under",
        "by",
        "from",
        "to",
        "of",
        "that",
        "which",
        "like",
        "near",
        "at",
        "into",
        "than",
        "about",
        "as",
        "but",
        "over",
        "below",
        "above",
    ]
)
_ATTRIBUTE_PREPS = frozenset({"with", "without", "in", "on", "by", "from", "than", "near", "at"})
_COORD = frozenset({"and", "or", "plus", "&", "nor"})
_QUANTITY = frozenset(
    [
        "set",
        "pair",
        "pack",
        "box",
        "bundle",
        "couple",
        "lot",
        "bunch",
        "piece",
        "kind",
        "sort",
        "type",
        "style",
        "variety",
    ]
)
_COLOR_CUES = frozenset(
    {"color", "colour", "colored", "coloured", "tone", "toned", "shade", "colors", "colours"}
)
_COLOR_MODIFIERS = frozenset(
    {"light", "dark", "pale", "deep", "bright", "pastel", "neon", "matte", "hot", "soft"}
)
_NOT_EXCLUDABLE = (
    FILLER | STOPWORDS | frozenset({"big", "small", "large", "heavy", "light", "sure", "really"})
)


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    sing: str
    joined: bool  # only spaces/hyphens (nothing claimed) since the previous token
    boundary: bool  # a comma/full stop/etc. or a claimed phrase before this token
    owner: str = ""  # which pass claimed it ("" = free)


def _tokens(t: str, used: bytearray) -> list[_Tok]:
    out: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN.finditer(t):
        a, b = m.span()
        if any(used[a:b]):
            prev_end = b
            continue
        gap = t[prev_end:a]
        claimed = any(used[prev_end:a])
        word = m.group(0)
        word = (
            word[:-2]
            if word.endswith("'s")
            else word.replace("'", "")
            if "'" in word and word not in ("don't",)
            else word
        )
        out.append(
            _Tok(
                a,
                b,
                word,
                singular(word),
                joined=bool(out) and not claimed and all(ch in " -&'" for ch in gap),
                boundary=not out or claimed or any(ch in ",.;:!?/()[]|" for ch in gap),
            )
        )
        prev_end = b
    return out


def _mark(used: bytearray, a: int, b: int) -> None:
    used[a:b] = b"\x01" * (b - a)


def _run_len(toks: list[_Tok], i: int, cap: int, allow: tuple[str, ...] = ("",)) -> int:
    """How many tokens from ``i`` (at most ``cap``) are free and joined to each other."""
    n = 0
    while n < cap and i + n < len(toks) and toks[i + n].owner in allow and (n == 0 or toks[i + n].joined):
        n += 1
    return n


def _free_run(toks: list[_Tok], i: int, n: int, allow: tuple[str, ...] = ("",)) -> bool:
    if i + n > len(toks):
        return False
    return all(toks[j].owner in allow for j in range(i, i + n)) and all(
        toks[j].joined for j in range(i + 1, i + n)
    )


def _is_content(tok: _Tok) -> bool:
    w = tok.text
    return (
        not (w in STOPWORDS or w in FILLER or w in CONTEXT_WORDS or w in RECIPIENTS or w in AUDIENCE)
        and w not in FOREIGN_STOPWORDS
        and len(w) > 1
    )


def extract_slots(text: str, vocab: CatalogVocabulary) -> tuple[Slots, list[str]]:
    """Slots and residual content terms of one shopper message (see the module docstring)."""
    if not text or not text.strip():
        return Slots(), []
    t = normalize(text[:MAX_CHARS])
    used = bytearray(len(t))
    slots = Slots()
    residual: list[str] = []

    for d in find_devices(t):
        _mark(used, d.start, d.end)
        if d.model not in slots.device_models:
            slots.device_models.append(d.model)
    for s in find_sizes(t, used):
        if s.size not in slots.sizes:
            slots.sizes.append(s.size)
    cap = find_capacity(t, used)
    if cap is not None:
        slots.capacity = cap[2]
    slots.price = merge_prices(find_prices(t, used))
    if slots.price is None:
        change = price_change(t)
        if change is not None:
            slots.price_change = "cheaper" if change == "cheaper" else "pricier"
            m = re.search(
                r"\b(?:cheaper|pricier|less expensive|more expensive|more affordable|lower priced)\b", t
            )
            if m:
                _mark(used, *m.span())
    m = _SIZE_CHANGE.search(t)
    if m is not None and not any(used[m.start() : m.end()]):
        slots.size_change = "bigger" if m.group("bigger") else "smaller"
        _mark(used, *m.span())
    for m in _IDENTIFIER.finditer(t):
        if not any(used[m.start() : m.end()]):
            residual.append(m.group(0))
            _mark(used, *m.span())
    if _GIFT.search(t):
        slots.gift = True

    toks = _tokens(t, used)
    _negations(toks, vocab, slots)
    _brands(toks, vocab, slots, text)
    _colors_and_materials(toks, vocab, slots)
    _product_types(toks, vocab, slots)
    for tok in toks:
        aud = AUDIENCE.get(tok.text)
        if aud and tok.owner in ("", "type") and aud not in slots.audience:
            slots.audience.append(aud)
            if tok.owner == "":
                tok.owner = "audience"
    _features(toks, vocab, slots)
    for tok in toks:
        if tok.owner or not _is_content(tok) or tok.text in _GIFT_WORDS:
            continue
        if tok.text.isdigit():
            continue
        if tok.text not in residual:
            residual.append(tok.text)
    slots.colors = [c for c in slots.colors if c not in slots.exclude_colors]
    slots.materials = [m for m in slots.materials if m not in slots.exclude_materials]
    slots.brands = [b for b in slots.brands if b not in slots.exclude_brands]
    return slots, residual


_GIFT_WORDS = frozenset(
    {"gift", "gifts", "present", "presents", "birthday", "christmas", "xmas", "anniversary"}
)


# --------------------------------------------------------------------------- negation


def _negator_len(toks: list[_Tok], i: int) -> int:
    words = tuple(tok.text for tok in toks[i : i + 3])
    if words[:3] in _NEGATOR_3 and _free_run(toks, i, 3):
        return 3
    if words[:2] in _NEGATORS_2 and _free_run(toks, i, 2):
        return 2
    if words[:1] in _NEGATORS_2:
        return 1
    if words and words[0] in _NEGATORS_1:
        return 1
    return 0


def _negations(toks: list[_Tok], vocab: CatalogVocabulary, slots: Slots) -> None:
    i = 0
    while i < len(toks):
        if toks[i].owner:
            i += 1
            continue
        n = _negator_len(toks, i)
        if n == 0:
            i += 1
            continue
        # "non-slip", "no box spring needed", "gluten free": a feature, not a negation
        if _feature_at(toks, i, vocab)[0]:
            i += 1
            continue
        j = i + n
        while (
            j < len(toks) and toks[j].text in _SKIP_AFTER_NEG and not toks[j].boundary and not toks[j].owner
        ):
            j += 1
        if j >= len(toks) or toks[j].owner or (toks[j].boundary and j > i + n):
            i += n
            continue
        if toks[i].text == "not" and toks[j].text.endswith("ing") and not _feature_at(toks, j, vocab)[0]:
            i += n  # "so I'm not sitting all day": a verb is negated, not an attribute
            continue
        claimed = _negated_object(toks, j, vocab, slots)
        if claimed:
            for k in range(i, claimed):
                toks[k].owner = toks[k].owner or "negation"
            i = claimed
        else:
            i += n


def _negated_object(toks: list[_Tok], j: int, vocab: CatalogVocabulary, slots: Slots) -> int:
    """Record what follows a negator; returns the index after it (0 when nothing was negated)."""
    # colours (a list of them: "not pink or red")
    k = j
    got_color = False
    while k < len(toks):
        n, color = _color_at(toks, k, vocab, allow_weak=True)
        if not n:
            break
        got_color = True
        if color not in slots.exclude_colors:
            slots.exclude_colors.append(color)
        for q in range(k, k + n):
            toks[q].owner = "negation"
        k += n
        if k < len(toks) and toks[k].text in _COORD | {"nor"} and not toks[k].owner:
            toks[k].owner = "negation"
            k += 1
            continue
        break
    if got_color:
        return k
    n, material = _material_at(toks, j, vocab)
    if n:
        slots.exclude_materials.append(material)
        for q in range(j, j + n):
            toks[q].owner = "negation"
        return j + n
    n, brand = _brand_at(toks, j, vocab, None)
    if n and brand:
        slots.exclude_brands.extend(b for b in brand if b not in slots.exclude_brands)
        for q in range(j, j + n):
            toks[q].owner = "negation"
        return j + n
    words: list[str] = []
    k = j
    while k < len(toks) and len(words) < 2 and not toks[k].owner:
        if k > j and (toks[k].boundary or not toks[k].joined):
            break
        w = toks[k].text
        if w in _NOT_EXCLUDABLE or w in _PREPOSITIONS or w in _COORD:
            break
        words.append(toks[k].sing)
        k += 1
    if not words:
        return 0
    phrase = " ".join(words)
    if phrase not in slots.exclude_terms:
        slots.exclude_terms.append(phrase)
    for q in range(j, k):
        toks[q].owner = "negation"
    return k


# --------------------------------------------------------------------------- brands


def _brand_at(
    toks: list[_Tok], i: int, vocab: CatalogVocabulary, original: str | None
) -> tuple[int, list[str]]:
    run = _run_len(toks, i, vocab.max_brand_ngram)
    keys: list[tuple[int, str]] = []
    key = ""
    for n in range(1, run + 1):
        word = toks[i + n - 1].text
        if n > 1 and word == "and":
            keys.append((n, key))
            continue
        key += norm_key(word)
        if not vocab.is_brand_prefix(key) and n > 2:
            break
        keys.append((n, key))
    for n, key in reversed(keys):
        if not key:
            continue
        hits = vocab.brands_for_key(key) or vocab.brands_for_key(key + "s")
        if not hits and key.endswith("s"):
            hits = vocab.brands_for_key(key[:-1])
        if not hits and n <= 2 and len(key) >= (6 if n == 1 else 8):
            words = [toks[q].text for q in range(i, i + n)]
            if not all(vocab.is_known_word(w) for w in words):
                hits = vocab.fuzzy_brand(key)
        if not hits:
            continue
        if key in vocab.ambiguous_brand_keys and not _brand_cue(toks, i, n, hits, original):
            continue
        if key in vocab.first_word_aliases and not _alias_cue(toks, i, vocab, original):
            continue
        return n, hits
    return 0, []


def _brand_cue(toks: list[_Tok], i: int, n: int, hits: list[str], original: str | None) -> bool:
    before = toks[i - 1].text if i > 0 else ""
    after = toks[i + n].text if i + n < len(toks) else ""
    if before in ("by", "from", "brand") or after in ("brand", "brands"):
        return True
    return original is not None and any(h in original for h in hits)


def _alias_cue(toks: list[_Tok], i: int, vocab: CatalogVocabulary, original: str | None) -> bool:
    """A brand's first word alone ("caseology") counts when capitalised, or before a product word."""
    tok = toks[i]
    after = toks[i + 1] if i + 1 < len(toks) else None
    if after is not None and after.joined and vocab.types_for(after.sing):
        return True
    if i > 0 and toks[i - 1].text in ("by", "from", "brand"):
        return True
    return original is not None and bool(re.search(rf"\b{re.escape(tok.text.capitalize())}\b", original))


def _brands(toks: list[_Tok], vocab: CatalogVocabulary, slots: Slots, original: str) -> None:
    i = 0
    while i < len(toks):
        if toks[i].owner or not _is_brand_start(toks[i]):
            i += 1
            continue
        n, hits = _brand_at(toks, i, vocab, original)
        if n:
            for b in hits:
                if b not in slots.brands:
                    slots.brands.append(b)
            for q in range(i, i + n):
                toks[q].owner = "brand"
            i += n
        else:
            i += 1


def _is_brand_start(tok: _Tok) -> bool:
    return tok.text not in STOPWORDS and tok.text not in FILLER


# --------------------------------------------------------------------------- colours and materials


def _color_at(
    toks: list[_Tok], i: int, vocab: CatalogVocabulary, allow_weak: bool = False
) -> tuple[int, str]:
    start = i
    while i < len(toks) - 1 and toks[i].text in _COLOR_MODIFIERS and toks[i + 1].joined and not toks[i].owner:
        i += 1
    for n in range(_run_len(toks, i, vocab.max_color_ngram), 0, -1):
        phrase = " ".join(toks[q].text for q in range(i, i + n))
        cue = (
            allow_weak
            or (i + n < len(toks) and toks[i + n].text in _COLOR_CUES)
            or (start > 0 and toks[start - 1].text == "in")
        )
        color = vocab.color(phrase, allow_weak=cue)
        if color is None and n == 1:
            color = vocab.color(toks[i].sing, allow_weak=cue)
        if color:
            end = i + n
            if end < len(toks) and toks[end].text in _COLOR_CUES:
                end += 1
            return end - start, color
    return 0, ""


def _material_at(toks: list[_Tok], i: int, vocab: CatalogVocabulary) -> tuple[int, str]:
    for n in range(_run_len(toks, i, vocab.max_material_ngram), 0, -1):
        phrase = " ".join(toks[q].text for q in range(i, i + n))
        mat = vocab.materials.get(phrase) or vocab.materials.get(
            " ".join(toks[q].sing for q in range(i, i + n))
        )
        if mat:
            return n, mat
    return 0, ""


def _starts_colorless_type_phrase(toks: list[_Tok], i: int, vocab: CatalogVocabulary) -> bool:
    """ "chocolate bar", "orange juice": the word names a thing of a type that has no colours."""
    for n in range(_run_len(toks, i, vocab.max_type_ngram), 1, -1):
        types = vocab.types_for(" ".join(toks[q].sing for q in range(i, i + n)))
        if types and all(vocab.color_rate.get(t, 1.0) < 0.2 for t in types):
            return True
    return False


def _colors_and_materials(toks: list[_Tok], vocab: CatalogVocabulary, slots: Slots) -> None:
    i = 0
    while i < len(toks):
        if toks[i].owner:
            i += 1
            continue
        nc, color = _color_at(toks, i, vocab)
        nm, material = _material_at(toks, i, vocab)
        if nc and (nc > nm or not nm):
            word = toks[i].text
            weak = nc == 1 and word in vocab.weak_color_ok
            if weak and _starts_colorless_type_phrase(toks, i, vocab):
                i += 1  # "chocolate bar", "orange juice": a thing's name, not its colour
                continue
            if color not in slots.colors:
                slots.colors.append(color)
            for q in range(i, i + nc):
                toks[q].owner = "color"
            i += nc
        elif nm:
            if material not in slots.materials:
                slots.materials.append(material)
            for q in range(i, i + nm):
                toks[q].owner = "material"
            i += nm
        else:
            i += 1


# --------------------------------------------------------------------------- product type


@dataclass
class _TypeMatch:
    start: int
    end: int
    term: str
    types: list[str]


def _lookup_type(vocab: CatalogVocabulary, key: str) -> tuple[str, list[str]] | None:
    types = vocab.types_for(key)
    if types:
        return key, types
    for table in (TYPE_SYNONYMS, FOREIGN_TYPE_WORDS):
        syn = table.get(key)
        if syn:
            types = vocab.types_for(syn) or vocab.types_for(TYPE_SYNONYMS.get(syn, ""))
            if types:
                return syn, types
    return None


def _chunk_matches(toks: list[_Tok], idx: list[int], vocab: CatalogVocabulary) -> list[_TypeMatch]:
    out: list[_TypeMatch] = []
    p = 0
    while p < len(idx):
        i = idx[p]
        found = None
        for n in range(min(vocab.max_type_ngram, len(idx) - p), 0, -1):
            span = idx[p : p + n]
            if span[-1] - span[0] != n - 1 or not _free_run(toks, i, n):
                continue
            hit = _lookup_type(vocab, " ".join(toks[q].sing for q in span))
            if hit:
                found = _TypeMatch(p, p + n, hit[0], hit[1])
                break
        if (
            found is None
            and _is_content(toks[i])
            and toks[i].text.isalpha()
            and not vocab.is_known_word(toks[i].text)
        ):
            fixed = vocab.fuzzy_type_term(toks[i].sing)
            if fixed:
                found = _TypeMatch(p, p + 1, fixed, vocab.types_for(fixed))
        if found:
            out.append(found)
            p = found.end
        else:
            p += 1
    return out


def _unknown_noun(tok: _Tok, vocab: CatalogVocabulary) -> bool:
    w = tok.text
    return (
        _is_content(tok)
        and w.isalpha()
        and len(w) >= 3
        and w not in _PREPOSITIONS
        and w not in _GIFT_WORDS
        and not vocab.is_known_word(w)
    )


def _chunk_head(
    toks: list[_Tok], idx: list[int], vocab: CatalogVocabulary
) -> tuple[str, _TypeMatch | None, list[_TypeMatch]]:
    """("match", m) / ("unknown", None) / ("none", None) for one chunk of free token indices."""
    matches = _chunk_matches(toks, idx, vocab)
    content = [p for p, i in enumerate(idx) if _is_content(toks[i])]
    if not content:
        return "none", None, matches
    last = content[-1]
    in_match = next((m for m in matches if m.start <= last < m.end), None)
    if in_match is not None:
        return "match", in_match, matches
    if _unknown_noun(toks[idx[last]], vocab):
        return "unknown", None, matches
    if matches:
        return "match", matches[-1], matches
    if any(_unknown_noun(toks[idx[p]], vocab) for p in content):
        return "unknown", None, matches
    return "none", None, matches


def _segments(toks: list[_Tok]) -> list[list[list[int]]]:
    """Segments (split at punctuation and "and"/"or") of chunks (split at prepositions)."""
    segments: list[list[list[int]]] = [[[]]]
    for i, tok in enumerate(toks):
        if tok.boundary and segments[-1] != [[]]:
            segments.append([[]])
        if tok.owner in ("price", "device"):
            continue
        if tok.text in _COORD and not tok.owner:
            segments.append([[]])
            continue
        if tok.text in _PREPOSITIONS and not tok.owner:
            segments[-1].append([])
            # marker: "for" (-1), an attribute preposition (-3: "with a laptop sleeve", "in the
            # living room" never name the product), any other (-2)
            segments[-1][-1].append(-1 if tok.text == "for" else -3 if tok.text in _ATTRIBUTE_PREPS else -2)
            continue
        if tok.owner:
            continue
        segments[-1][-1].append(i)
    return segments


def _product_types(toks: list[_Tok], vocab: CatalogVocabulary, slots: Slots) -> None:
    for segment in _segments(toks):
        chunks = [c for c in segment if any(i >= 0 for i in c)]
        decided: tuple[str, _TypeMatch | None, list[int]] | None = None
        for ci, chunk in enumerate(chunks):
            idx = [i for i in chunk if i >= 0]
            if ci + 1 < len(chunks) and idx and toks[idx[-1]].sing in _QUANTITY and chunks[ci + 1][0] == -2:
                continue  # "a set of pillows", "a pair of boots"
            if chunk and chunk[0] == -3:
                continue
            kind, match, _ = _chunk_head(toks, idx, vocab)
            if kind == "none":
                continue
            if kind == "match" and match is not None and match.term in ACCESSORY_HEADS:
                others = _matches_before(toks, idx, match, vocab) + _for_objects(
                    toks, chunks[ci + 1 :], vocab
                )
                if any(set(o.types) != set(match.types) for o in others):
                    kind, match = "unknown", None
            decided = (kind, match, idx)
            break
        if decided is None or decided[0] != "match" or decided[1] is None:
            continue
        _, match, idx = decided
        assert match is not None
        for t in match.types:
            if t not in slots.product_types:
                slots.product_types.append(t)
        if match.term not in slots.type_terms:
            slots.type_terms.append(match.term)
        for p in range(match.start, match.end):
            toks[idx[p]].owner = "type"


def _matches_before(
    toks: list[_Tok], idx: list[int], head: _TypeMatch, vocab: CatalogVocabulary
) -> list[_TypeMatch]:
    return [m for m in _chunk_matches(toks, idx, vocab) if m.end <= head.start]


def _for_objects(toks: list[_Tok], rest: list[list[int]], vocab: CatalogVocabulary) -> list[_TypeMatch]:
    out: list[_TypeMatch] = []
    for chunk in rest:
        if chunk and chunk[0] == -1:  # introduced by "for"
            out.extend(_chunk_matches(toks, [i for i in chunk if i >= 0], vocab))
    return out


# --------------------------------------------------------------------------- features


def _feature_at(toks: list[_Tok], i: int, vocab: CatalogVocabulary) -> tuple[int, str]:
    for n in range(_run_len(toks, i, vocab.max_feature_ngram, allow=("", "type")), 0, -1):
        words = [toks[q].text for q in range(i, i + n)]
        key = " ".join(words)
        feat = vocab.features.get(key) or vocab.features.get(" ".join(toks[q].sing for q in range(i, i + n)))
        if feat is None and n >= 2 and words[-1] == "free":
            feat = key  # "gluten free", "bpa free"
        if feat:
            return n, feat
    return 0, ""


def _features(toks: list[_Tok], vocab: CatalogVocabulary, slots: Slots) -> None:
    i = 0
    while i < len(toks):
        if toks[i].owner not in ("", "type") or toks[i].text in STOPWORDS:
            i += 1
            continue
        n, feat = _feature_at(toks, i, vocab)
        if n:
            if feat not in slots.features:
                slots.features.append(feat)
            for q in range(i, i + n):
                if not toks[q].owner:
                    toks[q].owner = "feature"
            i += n
        else:
            i += 1
