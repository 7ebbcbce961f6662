"""The text a product is indexed and embedded as.

Order matters: title, brand, type, colour/material, image caption, then bullet points —
captions come before bullets so they survive the embedding model's 256-token window.
"""

from __future__ import annotations

from ml.catalog.identifiers import document_identifiers, model_identifiers
from ml.catalog.product import Product


def attribute_line(product: Product) -> str:
    parts = [product.display_type]
    if product.brand:
        parts.append(f"by {product.brand}")
    colors = product.color_text or ", ".join(product.colors)
    if colors:
        parts.append(f"colour {colors}")
    if product.material:
        parts.append(f"material {product.material}")
    if product.style:
        parts.append(f"style {product.style}")
    return "; ".join(parts)


def document_text(product: Product, max_bullets: int = 5) -> str:
    """Embedding text (also the keyword index's ``body`` field)."""
    pieces = [product.title, attribute_line(product)]
    if product.caption:
        pieces.append(f"Image: {product.caption}")
    pieces.extend(product.bullets[:max_bullets])
    if product.keywords:
        pieces.append("Keywords: " + ", ".join(product.keywords[:15]))
    return "\n".join(p for p in pieces if p)


def keyword_fields(product: Product) -> dict[str, str]:
    """Separate fields for BM25 so the title can be boosted over the long tail."""
    return {
        "title": product.title,
        "brand": product.brand or "",
        "category": " ".join(
            filter(None, [product.display_type, (product.node_path or "").replace("/", " ")])
        ),
        "attributes": " ".join(
            filter(
                None,
                [
                    product.color_text,
                    " ".join(product.colors),
                    product.material,
                    product.style,
                    product.model_name,
                    product.model_number,
                    # "SM-G991B" also as "smg991b", so both spellings match (ml/catalog/identifiers.py)
                    *document_identifiers(product.title, product.model_name, product.model_number),
                    *model_identifiers(product.model_name, product.model_number),
                ],
            )
        ),
        "body": "\n".join(
            filter(None, [product.caption, *product.bullets, " ".join(product.keywords), product.description])
        ),
    }
