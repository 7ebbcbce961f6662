"""``GET /v1/search``, ``GET /v1/products/{item_id}`` and its image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import ValidationError

from ml.catalog.product import Product
from ml.config import Settings
from ml.paths import SAMPLE_CATALOG
from ml.retrieval.types import SearchFilters, SearchMode, SearchResult
from services.gateway.deps import get_orchestrator, get_settings
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.schemas import ErrorResponse

router = APIRouter(prefix="/v1", tags=["catalog"])
SEARCH_PARAMS = frozenset({"q", "k", "mode", "price_min", "price_max", "type", "brand", "color"})
ITEM_ID = r"^[A-Za-z0-9_-]{1,64}$"


@router.get(
    "/search",
    response_model=SearchResult,
    responses={422: {"model": ErrorResponse}},
    summary="Hybrid product search (keyword ∥ vector → fused), with filters",
)
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=4000, description="Search text.")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: SearchMode = SearchMode.hybrid,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    type: Annotated[list[str] | None, Query(max_length=50, description="Product type, e.g. BOOT.")] = None,
    brand: Annotated[list[str] | None, Query(max_length=50)] = None,
    color: Annotated[list[str] | None, Query(max_length=50)] = None,
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> SearchResult:
    unknown = sorted(set(request.query_params) - SEARCH_PARAMS)
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": f"unknown parameter {name!r}",
                    "input": None,
                }
                for name in unknown
            ]
        )
    if not q.strip():
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "q"), "msg": "q must not be blank", "input": q}]
        )
    try:
        filters = SearchFilters(
            price_min=price_min,
            price_max=price_max,
            product_types=type or [],
            brands=brand or [],
            colors=color or [],
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from exc
    return await orchestrator.search(q, k, mode, filters)


async def _product_or_404(item_id: str, orchestrator: ChatOrchestrator) -> Product:
    product = await orchestrator.get_product(item_id)
    if product is None:
        raise HTTPException(status_code=404, detail=f"unknown product {item_id!r}")
    return product


@router.get(
    "/products/{item_id}",
    response_model=Product,
    responses={404: {"model": ErrorResponse}},
    summary="One product by item id",
)
async def get_product(
    item_id: Annotated[str, PathParam(pattern=ITEM_ID)],
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> Product:
    return await _product_or_404(item_id, orchestrator)


def image_roots(settings: Settings) -> list[Path]:
    roots = [settings.images_dir] if settings.images_dir else []
    roots.append(SAMPLE_CATALOG / "images" / "small")
    return [r for r in roots if r is not None]


def resolve_image(product: Product, settings: Settings) -> Path | None:
    if not product.image_path:
        return None
    for root in image_roots(settings):
        root = root.resolve()
        candidate = (root / product.image_path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


@router.get(
    "/products/{item_id}/image",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"model": ErrorResponse}},
    summary="The product's main image (local ABO images)",
)
async def get_product_image(
    item_id: Annotated[str, PathParam(pattern=ITEM_ID)],
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
    settings: Settings = Depends(get_settings),
) -> FileResponse:
    product = await _product_or_404(item_id, orchestrator)
    path = resolve_image(product, settings)
    if path is None:
        raise HTTPException(status_code=404, detail=f"no local image for product {item_id!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
