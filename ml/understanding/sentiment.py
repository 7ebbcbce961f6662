# ruff: noqa: E501  (regex tables read better on one line each)
"""Frustration signal on a shopper's message: VADER sentiment plus shopping-specific cues.

``frustration(text) -> (compound, frustrated)``. VADER (the ``vaderSentiment`` lexicon, offline)
gives a compound score in [-1, 1]; on its own it misreads shopping language — "no lid please",
"mosquito killer lamp", "star wars lego", "stress ball" all score clearly negative. So:

* **product wording is neutralised before scoring**: negators that only negate a plain attribute
  ("not pink", "no lid", "without leather" — no sentiment word within three words after them) are
  dropped, and lexicon words that are usually product vocabulary ("killer", "shockproof", "stress",
  "dirt", "wars") are ignored, plus any ``neutral_terms`` the caller passes (e.g. words of the
  catalog's own titles);
* **cues** that people use when a conversation goes wrong count on their own: "useless", "this is
  ridiculous", "you're not helping", "I already said", "are you even listening", "waste of time" (strong),
  "not what I asked for", "again", "seriously", "ugh", runs of "!!!" and ALL-CAPS shouting (mild)
  (emphasis, not counted when the message is plainly positive: "love it!!!");
* **negativity** counts only when aimed at the conversation (mentions you/this/these/it/nothing/…,
  or a message of three words or fewer): "these are all terrible" is, "I hate pink, show me black
  ones" is a preference.

Each signal adds to a score; ``frustrated`` is a score of at least 1. :func:`analyse` returns the
parts (score, cues) so a decision can be explained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

STRONG = 1.0
MILD = 0.5
NEGATIVE_STRONG = -0.5  # directed compound at or below this: a full signal
NEGATIVE_MILD = -0.2  # directed compound at or below this: half a signal
POSITIVE_DISCOUNT = 0.3  # emphasis in a message this positive is enthusiasm, not anger

_STRONG_CUES: tuple[tuple[str, str], ...] = (
    ("useless", r"\buseless\b"),
    ("ridiculous", r"\bridiculous\b"),
    (
        "not-helping",
        r"\b(?:you(?:'re| are)?|u r|ur|this is|that's|that is|it's|it is)\s+(?:not|n't|never)\s+help(?:ing|ful)\b",
    ),
    (
        "not-helping",
        r"\bnot\s+helping\b|\b(?:not|un)\s*(?:very\s+|really\s+|at all\s+)?helpful\b|\b(?:no|zero)\s+help\b|\bno use\b",
    ),
    (
        "already-said",
        r"\bi\s+(?:already|just|literally)\s+(?:said|told|asked|wrote|typed|mentioned|explained)\b",
    ),
    ("already-said", r"\bi\s+(?:said|told you)\b[^.?!]*\balready\b"),
    ("not-listening", r"\b(?:are|r)\s+(?:you|u)\s+(?:even\s+)?(?:listening|reading|paying attention)\b"),
    (
        "not-listening",
        r"\b(?:you|u)\s+(?:don'?t|do not|never|can'?t|cannot)\s+(?:understand|listen|get it|read)\b",
    ),
    ("waste-of-time", r"\bwaste of (?:my\s+)?time\b"),
    ("stupid", r"\b(?:stupid|dumb|idiotic|pathetic)\b(?!\s+question)"),
    (
        "this-is-bad",
        r"\b(?:this|that|it|you)\s+(?:is\s+|are\s+)?(?:sucks?|garbage|rubbish|trash|a joke|hopeless|pointless)\b",
    ),
    ("whats-wrong", r"\bwhat(?:'s| is)\s+wrong with (?:you|this)\b"),
    (
        "how-many-times",
        r"\bhow many times\b|\bfor the (?:last|third|fourth|fifth|hundredth|\d+(?:st|nd|rd|th)) time\b",
    ),
    (
        "frustrated",
        r"\b(?:disappoint\w*|frustrat\w*|fed up|sick (?:and tired )?of|tired of|had enough|i give up|infuriating)\b",
    ),
)
_MILD_CUES: tuple[tuple[str, str], ...] = (
    ("not-what-asked", r"\bnot what i (?:asked|want(?:ed)?|said|meant|need(?:ed)?|searched)\b"),
    (
        "not-what-asked",
        r"\b(?:that's|that is|these are|those are|this is)\s+(?:not|n't)\s+(?:it|right|what)\b",
    ),
    ("i-said", r"\bi (?:said|asked for|told you)\b"),
    ("again", r"\b(?:again|still|once more|same (?:thing|results|stuff))\b"),
    ("exasperation", r"\b(?:seriously|come on|ugh+|argh+|omg|oh my god|jeez|geez|sigh|duh)\b"),
    (
        "wrong",
        r"\b(?:you(?:'re| are)?|that's|that is|this is|it's|these are|those are|all|still|getting it|got it|get it)\s+(?:\w+\s+)?wrong\b|\bwrong again\b|\bnope\b|\bno no\b|^\W*wrong\b",
    ),
    ("forget-it", r"\bforget (?:it|this)\b"),
    ("annoyed", r"\b(?:annoy(?:ed|ing)|irritat(?:ed|ing)|unbelievable|never ?mind|i'?m done)\b"),
    ("terrible", r"\b(?:terrible|horrible|awful)\b"),
    (
        "going-nowhere",
        r"\b(?:you keep (?:showing|giving|suggesting|saying)|taking forever|nothing (?:works|helps))\b",
    ),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DIRECTED = re.compile(
    r"\b(?:you|your|you're|u|this|these|that|those|it|them|they|nothing|results?|answers?|"
    r"again|still|assistant|bot|chat|site|shop|store|search|service|help|experience)\b",
    re.IGNORECASE,
)
# Lexicon words that are usually product vocabulary in a shop, not the shopper's mood.
PRODUCT_NEUTRAL = _words(
    """
    killer kill kills killing dead death war wars warrior battle attack fighter fight combat weapon gun
    shock shockproof shocking broken break breaks cracked crack crash crush stress stressed anxiety pain painful sore ache bug bugs pest
    mosquito trap dirt dirty stain stains damage damaged drop drops dropped scratch scratches anti
    emergency alarm warning hazard fire burn burning cold freezing fear evil devil monster zombie
    vampire skull ghost horror scary grave poison toxic alien rebel pirate chaos storm lost prison
    escape cancer disease injury bandage wound blood cut cutting shark wild crazy mad bomb blast
    hit hitter punch punching wreck destroyer stealth tank cheap cheaper
    cheapest low lower lowest small smaller little heavy dark darker
    """
)
_COURTESY = frozenset({"please", "pls", "plz", "thanks", "thank", "kindly", "ok", "okay"})
# "sin tapa", "ohne Deckel", "sans couvercle": the catalog's other languages negate attributes too
_NEGATORS = frozenset(
    {
        "no",
        "not",
        "without",
        "non",
        "never",
        "nor",
        "isn't",
        "don't",
        "doesn't",
        "dont",
        "sin",
        "ohne",
        "sans",
        "senza",
        "sem",
    }
)
_ACRONYMS = _words(
    """
    USB LED LCD OLED HDMI TV HD UHD UK US USA EU XL XXL XXXL XS SM MD LG PC AC DC BPA UV RGB GPS
    NFC SD SSD HDD RAM CPU GB TB MB AAA AA PU PVC ABS EVA DIY OK ID BBQ PVC II III IV
    """
)
_PROFANITY = re.compile(
    r"\b(?:wtf|ffs|damn(?:it)?(?!\s+(?:good|fine|nice|great|cool|tasty))|crap|crappy|shit\w*|f+u+c+k\w*|(?:the|bloody) hell|hell no)\b",
    re.IGNORECASE,
)
_EXCLAIM = re.compile(r"!{3,}|\?{3,}|\?!|!\?")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


@dataclass(frozen=True)
class FrustrationSignal:
    compound: float  # VADER compound of the neutralised text, in [-1, 1]
    score: float  # sum of the signals below
    frustrated: bool
    cues: tuple[str, ...] = field(default_factory=tuple)  # names of what fired


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[tuple[str, re.Pattern[str]]], list[tuple[str, re.Pattern[str]]]]:
    return (
        [(name, re.compile(p, re.IGNORECASE)) for name, p in _STRONG_CUES],
        [(name, re.compile(p, re.IGNORECASE)) for name, p in _MILD_CUES],
    )


def _core(token: str) -> str:
    return token.strip(".,;:!?\"'()[]{}").lower()


def _clause_ahead(tokens: list[str], cores: list[str], i: int, neutral: frozenset[str]) -> list[str]:
    """Up to three words after position ``i`` in the same clause, minus product words, negators
    and courtesy words ("no lid please" negates the lid, not the please)."""
    out: list[str] = []
    if tokens[i][-1:] in ",.;:!?":
        return out
    for token, core in zip(tokens[i + 1 : i + 4], cores[i + 1 : i + 4], strict=True):
        if core not in neutral and core not in _NEGATORS and core not in _COURTESY:
            out.append(core)
        if token[-1:] in ",.;:!?":
            break
    return out


def neutralise(text: str, neutral_terms: Iterable[str] = ()) -> str:
    """The text with product wording removed: attribute negators and product-vocabulary words.

    A negator stays when a sentiment word follows within three words ("not helping", "no thanks",
    "not very good"); it goes when it only negates an attribute ("not pink", "without a lid").
    """
    lexicon: dict[str, float] = _analyzer().lexicon
    neutral = PRODUCT_NEUTRAL | {t.lower() for t in neutral_terms}
    tokens = text.split()
    cores = [_core(t) for t in tokens]
    kept: list[str] = []
    for i, (token, core) in enumerate(zip(tokens, cores, strict=True)):
        tail = token[len(token.rstrip("!?.")) :]  # keep "!!!" even when the word goes
        if core in neutral:
            if tail:
                kept.append(tail)
            continue
        if core in _NEGATORS and not any(c in lexicon for c in _clause_ahead(tokens, cores, i, neutral)):
            if tail:
                kept.append(tail)
            continue
        kept.append(token)
    return " ".join(kept)


def _shouting(text: str) -> tuple[int, int]:
    """(all-caps words that are not acronyms, alphabetic words) — model codes and acronyms excluded."""
    words = [w.strip("'") for w in _WORD.findall(text)]
    words = [w for w in words if len(w) >= 2]
    caps = [w for w in words if w.isupper() and w not in _ACRONYMS]
    return len(caps), len(words)


def analyse(text: str, neutral_terms: Iterable[str] = ()) -> FrustrationSignal:
    """Score one message; see the module docstring for the signals."""
    if not text or not text.strip():
        return FrustrationSignal(0.0, 0.0, False, ())
    compound = float(_analyzer().polarity_scores(neutralise(text, neutral_terms))["compound"])
    strong, mild = _compiled()
    cues: list[str] = []
    score = 0.0
    for name, pattern in strong:
        if name not in cues and pattern.search(text):
            cues.append(name)
            score += STRONG
    for name, pattern in mild:
        if name not in cues and pattern.search(text):
            cues.append(name)
            score += MILD
    positive = compound >= POSITIVE_DISCOUNT
    if not positive and _PROFANITY.search(text):
        cues.append("profanity")
        score += STRONG
    caps, words = _shouting(text)
    if not positive:
        # caps lock alone is common and calm ("I NEED A REPLACEMENT CRIB"): emphasis, half a signal
        if caps >= 2:
            cues.append("shouting" if caps >= 3 and caps >= 0.6 * words else "caps")
            score += MILD
        if _EXCLAIM.search(text):
            cues.append("exclamations")
            score += MILD
    # aimed at the conversation: a pointer word, or a one-word reply ("horrible", "ugh")
    directed = bool(_DIRECTED.search(text)) or len(text.split()) == 1
    question = text.rstrip().endswith("?") and not _EXCLAIM.search(text)  # "is coffee bad for you?"
    if directed and compound <= NEGATIVE_STRONG and not question:
        cues.append("negative")
        score += STRONG
    elif directed and compound <= NEGATIVE_MILD:
        cues.append("negative")
        score += MILD
    return FrustrationSignal(round(compound, 4), score, score >= 1.0, tuple(cues))


def frustration(text: str, neutral_terms: Iterable[str] = ()) -> tuple[float, bool]:
    """``(compound in [-1, 1], frustrated)`` for one shopper message."""
    signal = analyse(text, neutral_terms)
    return signal.compound, signal.frustrated
