"""The short spoken version of a chat answer (what ``/v1/voice`` reads aloud).

The written answer lists every product; read aloud that runs past half a minute and gets cut
off. The spoken summary is the best pick, its price and how many more are on screen — or, for a
question about a product, the answer's first sentence — capped at ``MAX_WORDS`` (about 25 s
of speech at a typical TTS rate of ~150 words a minute, with margin).
"""

from __future__ import annotations

import re

from services.gateway.schemas import ChatResponse

MAX_WORDS = 55
CITATION = re.compile(r"\s*\[[A-Z0-9][A-Z0-9_-]{3,19}\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
QUESTION_INTENTS = frozenset({"ask_about", "chit_chat", "service", "handoff", "out_of_scope"})


def spoken_price(value: float) -> str:
    dollars = int(value)
    cents = round((value - dollars) * 100)
    if cents == 100:
        dollars, cents = dollars + 1, 0
    return f"{dollars} dollars" + (f" {cents}" if cents else "")


def _clip(text: str, max_words: int = MAX_WORDS) -> str:
    words = text.split()
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]).rstrip(",;:") + "…"


def first_sentence(text: str) -> str:
    plain = CITATION.sub("", text).strip()
    first = SENTENCE_END.split(plain, maxsplit=1)[0] if plain else ""
    return first.split("\n", 1)[0].strip()


def spoken_summary(chat: ChatResponse, max_words: int = MAX_WORDS) -> str:
    """A few spoken sentences: the best pick, its price, how many more are shown."""
    products = chat.products
    if chat.intent in QUESTION_INTENTS or not products:
        return _clip(first_sentence(chat.answer) or "Sorry, I have nothing to say to that.", max_words)
    best = next((p for p in products if p.cited), products[0])
    lead = "I couldn't find an exact match. The closest is" if (chat.no_match or chat.alternatives) else (
        "My top pick is"
    )
    brand = f" by {best.brand}" if best.brand and best.brand.lower() not in best.title.lower() else ""
    title = _clip(best.title, 14).rstrip(".…")
    text = f"{lead} {title}{brand}, at {spoken_price(best.price)}."
    more = len(products) - 1
    if more:
        text += f" {more} more {'is' if more == 1 else 'are'} on your screen."
    return _clip(text, max_words)
