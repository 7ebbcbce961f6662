"""Model names and numbers as exact tokens, with and without hyphens.

Analyzers split "SM-G991B" into "sm" + "g991b", so a shopper typing "SMG991B" (or "F91W" for
"F-91W") finds nothing. The index therefore also stores the *compacted* form of every
identifier-like span of a listing (letters and digits joined by ``-``, ``.``, ``/`` or a space
inside the model fields), and a query adds the compacted form of its own identifier-like spans
and of adjacent short pieces ("sm g991b" → "smg991b"). Both keyword backends use these through
:func:`ml.catalog.document.keyword_fields` and their query builders, so they behave alike.
"""

from __future__ import annotations

import itertools
import re

_SPAN = re.compile(r"[A-Za-z0-9]+(?:[-./][A-Za-z0-9]+)+")
_PIECE = re.compile(r"[A-Za-z0-9]+")
MAX_PAIR_CHARS = 12
MAX_PREFIX_CHARS = 3  # "sm g991b", "f 91w": a short letter prefix split off a model number


def _is_identifier(compact: str) -> bool:
    return any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact) and len(compact) >= 3


def compact(text: str) -> str:
    """``"SM-G991B"`` → ``"smg991b"`` (separators dropped, lower-case)."""
    return "".join(_PIECE.findall(text)).lower()


def document_identifiers(*texts: str | None) -> list[str]:
    """Compacted identifiers of a listing's title / model name / model number, de-duplicated."""
    out: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for span in _SPAN.findall(text):
            joined = compact(span)
            if _is_identifier(joined):
                out[joined] = None
    return list(out)


def model_identifiers(*values: str | None) -> list[str]:
    """A model field as a whole is one identifier even when it holds spaces ("AB ECK17")."""
    out = [compact(v) for v in values if v]
    return [v for v in dict.fromkeys(out) if _is_identifier(v)]


def query_identifiers(query: str) -> list[str]:
    """Compacted forms a query could mean: its hyphenated spans, and a short letter prefix joined
    to the model number after it."""
    out: dict[str, None] = {}
    for span in _SPAN.findall(query):
        joined = compact(span)
        if _is_identifier(joined):
            out[joined] = None
    pieces = _PIECE.findall(query)
    for left, right in itertools.pairwise(pieces):
        joined = (left + right).lower()
        prefix = left.isalpha() and len(left) <= MAX_PREFIX_CHARS and any(c.isdigit() for c in right)
        if prefix and len(joined) <= MAX_PAIR_CHARS and _is_identifier(joined):
            out[joined] = None
    return list(out)
