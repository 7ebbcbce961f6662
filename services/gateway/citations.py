"""Citations: the answer cites products as ``[ITEM_ID]``; ids not retrieved are dropped."""

from __future__ import annotations

import re
from collections.abc import Collection

# ABO item ids are 10 upper-case alphanumerics (B07XYZ…); accept 4-20 to be tolerant.
CITATION = re.compile(r"\[([A-Z0-9][A-Z0-9_-]{3,19})\]")


def find_citations(text: str) -> list[str]:
    """Cited ids in order of first appearance."""
    return list(dict.fromkeys(CITATION.findall(text)))


def verify_citations(text: str, allowed: Collection[str]) -> tuple[str, list[str], list[str]]:
    """Return ``(cleaned_text, kept_ids, dropped_ids)``; invented citations are removed from the text."""
    allowed_set = set(allowed)
    kept: list[str] = []
    dropped: list[str] = []

    def _replace(match: re.Match[str]) -> str:
        item_id = match.group(1)
        if item_id in allowed_set:
            if item_id not in kept:
                kept.append(item_id)
            return match.group(0)
        if item_id not in dropped:
            dropped.append(item_id)
        return ""

    cleaned = CITATION.sub(_replace, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, kept, dropped
