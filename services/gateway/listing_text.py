"""Reading listing text safely: what a listing says, and what must never be quoted from it.

Listing text is untrusted: a bullet or title that reads like an instruction to the assistant
("ignore previous instructions…") is never repeated. Every answer that quotes listing text goes
through :func:`safe_text` / :func:`looks_like_instruction`.
"""

from __future__ import annotations

import re

from ml.catalog.product import Product

INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instruction|prompt|rule|above|previous|prior)s?\b"
    r"|\bsystem prompt\b|\byou are now\b|\bact as\b|\bnew instructions?\b|\bassistant:",
    re.IGNORECASE | re.DOTALL,
)
STOPWORDS = frozenset(
    """a an and any are as at be but by can do does for from has have how i in is it its me more my of on
    one ones or show than that the them these they this those to under over was what which with would you
    your there their some please find want need looking get cheaper cheap also just like second first third
    fourth fifth last other others good best really very much about similar tell price priced cost costs
    dollars usd item items product products""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


def looks_like_instruction(text: str) -> bool:
    return bool(INSTRUCTION_LIKE.search(text))


def safe_text(text: str | None, limit: int = 160) -> str | None:
    """``text`` trimmed to ``limit`` characters, or ``None`` if empty or instruction-like."""
    if not text or not text.strip() or looks_like_instruction(text):
        return None
    clean = " ".join(text.split())
    if len(clean) <= limit:
        return clean
    cut = clean[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—(")
    return cut + "…"


def content_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit() and len(w) > 2]


def mentions(text: str, term: str) -> bool:
    """``term`` occurs in ``text`` (also as its singular: "boots" matches "boot")."""
    return term in text or (len(term) > 3 and term.endswith("s") and term[:-1] in text)


def product_text(product: Product) -> str:
    """Everything a listing says about itself, lower-cased (for "does the listing mention X")."""
    return " ".join(
        filter(
            None,
            [
                product.title,
                product.color_text,
                product.material,
                product.fabric_type,
                product.finish_type,
                product.pattern,
                product.style,
                product.caption,
                *product.bullets,
                " ".join(product.keywords),
                product.description,
            ],
        )
    ).lower()


def safe_bullets(product: Product) -> list[str]:
    """The listing's bullets that may be quoted (instruction-like ones dropped)."""
    out = []
    for bullet in product.bullets:
        text = safe_text(bullet)
        if text:
            out.append(text)
    return out
