"""Keyboard mashing ("asdkjh qwpoeiru") versus real words, model numbers, brands, other languages.

``looks_like_gibberish(text, vocab)`` is True only when no token is recognisable content (a
catalog word, a common English word, a brand, a colour in any listed language, a device model,
an identifier with digits) and most letter tokens are unlikely strings under a character-bigram
model of the catalog's words plus common English. Text without letters or digits (emoji only,
punctuation) is not gibberish: :func:`has_content` says there is nothing to read.
Non-Latin scripts are never judged (the bigram model knows Latin letters only).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from ml.understanding.colors import COLOR_SYNONYMS
from ml.understanding.devices import find_devices
from ml.understanding.vocab import (
    FILLER,
    FOREIGN_STOPWORDS,
    STOPWORDS,
    CatalogVocabulary,
    norm_key,
    normalize,
)

# Everyday English (and shopping/chat words) for the character model and as known words.
_COMMON = frozenset(
    [
        "hello",
        "hi",
        "hey",
        "thanks",
        "thank",
        "bye",
        "goodbye",
        "please",
        "yes",
        "no",
        "maybe",
        "okay",
        "sorry",
        "help",
        "person",
        "human",
        "agent",
        "order",
        "orders",
        "return",
        "returns",
        "refund",
        "shipping",
        "delivery",
        "payment",
        "account",
        "password",
        "where",
        "when",
        "why",
        "what",
        "who",
        "how",
        "much",
        "many",
        "time",
        "day",
        "week",
        "today",
        "tomorrow",
        "yesterday",
        "good",
        "great",
        "bad",
        "terrible",
        "awful",
        "love",
        "like",
        "hate",
        "want",
        "need",
        "buy",
        "sell",
        "cheap",
        "price",
        "cost",
        "money",
        "dollar",
        "pound",
        "euro",
        "gift",
        "present",
        "wife",
        "husband",
        "mum",
        "mom",
        "dad",
        "friend",
        "kids",
        "children",
        "baby",
        "dog",
        "cat",
        "house",
        "home",
        "room",
        "kitchen",
        "bedroom",
        "office",
        "garden",
        "car",
        "phone",
        "laptop",
        "computer",
        "tablet",
        "camera",
        "book",
        "music",
        "movie",
        "game",
        "sport",
        "running",
        "walking",
        "hiking",
        "camping",
        "travel",
        "holiday",
        "summer",
        "winter",
        "spring",
        "autumn",
        "rain",
        "snow",
        "sun",
        "water",
        "fire",
        "food",
        "drink",
        "coffee",
        "tea",
        "wine",
        "beer",
        "bread",
        "cheese",
        "chicken",
        "fish",
        "meat",
        "fruit",
        "apple",
        "banana",
        "orange",
        "red",
        "blue",
        "green",
        "black",
        "white",
        "grey",
        "gray",
        "pink",
        "purple",
        "yellow",
        "brown",
        "small",
        "big",
        "large",
        "tiny",
        "huge",
        "long",
        "short",
        "tall",
        "wide",
        "new",
        "old",
        "soft",
        "hard",
        "light",
        "heavy",
        "warm",
        "cold",
        "hot",
        "fast",
        "slow",
        "easy",
        "simple",
        "nice",
        "pretty",
        "beautiful",
        "ugly",
        "rocket",
        "engine",
        "spaceship",
        "planet",
        "moon",
        "star",
        "robot",
        "dragon",
        "unicorn",
        "castle",
        "ship",
        "boat",
        "plane",
        "train",
        "tent",
        "sleeping",
        "bag",
        "stove",
        "mattress",
        "cover",
        "slipcover",
        "curtain",
        "towel",
        "sheet",
        "mirror",
        "clock",
        "picture",
        "frame",
        "tool",
        "drill",
        "hammer",
        "screw",
        "nail",
        "paint",
        "brush",
        "pen",
        "pencil",
        "paper",
        "notebook",
        "printer",
        "keyboard",
        "mouse",
        "screen",
        "monitor",
        "charger",
        "cable",
        "battery",
        "headphones",
        "speaker",
        "television",
        "radio",
        "guitar",
        "piano",
        "drum",
        "toy",
        "doll",
        "ball",
        "bike",
        "bicycle",
        "helmet",
        "glove",
        "hat",
        "scarf",
        "sock",
        "shirt",
        "dress",
        "skirt",
        "trousers",
        "jeans",
        "shorts",
        "coat",
        "something",
        "anything",
        "everything",
        "nothing",
        "someone",
        "anyone",
        "everyone",
        "thing",
        "stuff",
        "really",
        "very",
        "quite",
        "just",
        "only",
        "also",
        "still",
        "even",
        "again",
        "already",
        "always",
        "never",
        "often",
        "sometimes",
        "usually",
        "about",
        "above",
        "after",
        "before",
        "between",
        "during",
        "under",
        "over",
        "with",
        "without",
        "through",
        "into",
        "onto",
        "upon",
        "within",
    ]
)
_LATIN_WORD = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass
class _CharModel:
    logp: dict[str, float]
    floor: float
    threshold: float

    def score(self, word: str) -> float:
        padded = f"^{word}$"
        pairs = [padded[i : i + 2] for i in range(len(padded) - 1)]
        return sum(self.logp.get(p, self.floor) for p in pairs) / len(pairs)


_MODELS: dict[int, tuple[CatalogVocabulary, _CharModel]] = {}


def _model(vocab: CatalogVocabulary) -> _CharModel:
    cached = _MODELS.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    words = [
        w for w in (*vocab.words, *_COMMON, *STOPWORDS, *FILLER) if w.isascii() and w.isalpha() and len(w) > 1
    ]
    counts: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    for w in words:
        padded = f"^{w}$"
        for i in range(len(padded) - 1):
            counts[padded[i : i + 2]] += 1
            firsts[padded[i]] += 1
    alphabet = 28
    logp = {pair: math.log((c + 0.5) / (firsts[pair[0]] + 0.5 * alphabet)) for pair, c in counts.items()}
    floor = math.log(0.5 / (max(firsts.values(), default=1) + 0.5 * alphabet))
    model = _CharModel(logp, floor, 0.0)
    scores = sorted(model.score(w) for w in words if len(w) >= 4)
    # the 3rd percentile of real words: mashed keys fall well below it
    model.threshold = scores[max(0, int(0.03 * len(scores)) - 1)] if scores else -4.0
    if len(_MODELS) > 8:
        _MODELS.clear()
    _MODELS[id(vocab)] = (vocab, model)
    return model


def has_content(text: str) -> bool:
    """Whether a message has any letters or digits at all (emoji-only and punctuation have none)."""
    return any(ch.isalnum() for ch in text or "")


def _unlikely(word: str, model: _CharModel) -> bool:
    vowels = sum(ch in "aeiouy" for ch in word)
    longest_consonants = max((len(r) for r in re.findall(r"[^aeiouy]+", word)), default=0)
    if len(word) >= 5 and (vowels == 0 or vowels / len(word) < 0.15 or longest_consonants >= 5):
        return True
    return model.score(word) < model.threshold


def looks_like_gibberish(text: str, vocab: CatalogVocabulary) -> bool:
    """True for keyboard mashing; False for real words, model numbers, brands, other languages."""
    t = normalize(text or "")[:500]
    if not has_content(t):
        return False
    if find_devices(t):
        return False
    tokens = _TOKEN.findall(t)
    model = _model(vocab)
    judged = 0
    unlikely = 0
    for tok in tokens:
        if any(ch.isdigit() for ch in tok):
            if any(ch.isalpha() for ch in tok) or len(tok) >= 2:
                return False  # model numbers, identifiers, quantities
            continue
        if not tok.isascii():
            return False  # another script (or accented word): not judged as mashing
        if (
            tok in STOPWORDS
            or tok in FOREIGN_STOPWORDS
            or tok in FILLER
            or tok in _COMMON
            or tok in COLOR_SYNONYMS
            or vocab.is_known_word(tok)
            or vocab.brands_for_key(norm_key(tok))
        ):
            if len(tok) >= 3 or tok in ("hi", "ok", "tv"):
                return False
            continue
        if not _LATIN_WORD.fullmatch(tok):
            continue
        if len(tok) < 2:
            continue
        judged += 1
        if len(tok) == 2 or _unlikely(tok, model):  # an unknown two-letter token ("nd") is noise
            unlikely += 1
    if judged == 0:
        return False
    return unlikely / judged >= 0.5
