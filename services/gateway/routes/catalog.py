"""``GET /v1/search``, ``GET /v1/products/{item_id}``, its images and ``GET /v1/catalog/facets``.

Images: ``/v1/products/{id}/image?size=thumb|full`` (thumb is resized with Pillow and cached in
memory) with ``ETag`` + ``Cache-Control`` (``If-None-Match`` → 304); a product without a local
image gets a placeholder picture (``X-Image-Placeholder: true``), never a broken image; an unknown
id is a 404 naming the id. ``/v1/products/{id}/images`` lists the pictures a gallery can show (main
first, every view the listing names that is on disk); ``/images/{n}`` serves the n-th the same way.
Facets (types with human names, brands, colours, price range) are computed once from the indexed
products and cached on the app.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, Field, ValidationError

from ml.catalog.product import Product
from ml.config import Settings
from ml.logging import get_logger
from ml.paths import SAMPLE_CATALOG
from ml.retrieval.protocols import IndexUnavailable
from ml.retrieval.types import SearchFilters, SearchMode, SearchResult
from services.gateway.deps import get_orchestrator, get_settings
from services.gateway.orchestrator import ChatOrchestrator
from services.gateway.routes.documented import ItemId, error_responses, json_get
from services.gateway.understanding import catalog_products

router = APIRouter(prefix="/v1", tags=["catalog"])
SEARCH_PARAMS = frozenset({"q", "k", "mode", "price_min", "price_max", "type", "brand", "color"})
THUMB_PX = 96
CACHE_CONTROL = "public, max-age=86400"
log = get_logger(__name__)


@json_get(router, "/search", SearchResult,
          "Hybrid product search (keyword ∥ vector → fused), with filters", 422)
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
    try:
        product = await orchestrator.get_product(item_id)
    except IndexUnavailable as exc:  # an outage is a 503 (retry), never "unknown product"
        detail = "product indexes unavailable, try again shortly"
        raise HTTPException(status_code=503, detail=detail, headers={"Retry-After": "5"}) from exc
    if product is None:
        raise HTTPException(status_code=404, detail=f"unknown product {item_id!r}")
    return product


@json_get(router, "/products/{item_id}", Product, "One product by item id", 404, 503)
async def get_product(
    item_id: ItemId,
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
) -> Product:
    return await _product_or_404(item_id, orchestrator)


def image_roots(settings: Settings) -> list[Path]:
    roots = [settings.images_dir] if settings.images_dir else []
    roots.append(SAMPLE_CATALOG / "images" / "small")
    return [r for r in roots if r is not None]


def resolve_image(product: Product, settings: Settings, index: int = 0) -> Path | None:
    """The local file of the product's ``index``-th picture (0 = main), if one of the roots has it."""
    gallery = product.gallery
    if not 0 <= index < len(gallery):
        return None
    for root in image_roots(settings):
        root = root.resolve()
        candidate = (root / gallery[index]).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


ImageSize = Literal["thumb", "full"]


class _ImageCache:
    """Bounded in-memory cache of encoded pictures: (path, mtime, size) → (bytes, media type, etag)."""

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, float, str], tuple[bytes, str, str]] = OrderedDict()

    def get(self, key: tuple[str, float, str]) -> tuple[bytes, str, str] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, float, str], value: tuple[bytes, str, str]) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)


IMAGE_CACHE = _ImageCache()


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:20] + '"'


def _encode(path: Path, size: ImageSize) -> tuple[bytes, str, str]:
    key = (str(path), path.stat().st_mtime, size)
    cached = IMAGE_CACHE.get(key)
    if cached is not None:
        return cached
    raw = path.read_bytes()
    media = "image/png" if raw[:4] == b"\x89PNG" else "image/jpeg"
    data = raw
    if size == "thumb":
        with Image.open(io.BytesIO(raw)) as im:
            if max(im.size) > THUMB_PX:
                small = im.convert("RGB")
                small.thumbnail((THUMB_PX, THUMB_PX))
                out = io.BytesIO()
                small.save(out, format="JPEG", quality=80, optimize=True)
                data, media = out.getvalue(), "image/jpeg"
    value = (data, media, _etag(data))
    IMAGE_CACHE.put(key, value)
    return value


def placeholder_png(size: ImageSize) -> bytes:
    """A neutral "no picture" tile (PNG) for products without an image."""
    px = THUMB_PX if size == "thumb" else 160
    im = Image.new("RGB", (px, px), (240, 242, 245))
    d = ImageDraw.Draw(im)
    m = px // 4
    d.rounded_rectangle((m, m, px - m, px - m - px // 8), radius=px // 16, outline=(170, 176, 186), width=2)
    d.ellipse((m + px // 10, m + px // 10, m + px // 10 + px // 10, m + px // 5), fill=(170, 176, 186))
    d.text((px // 2, px - m + px // 16), "no picture", fill=(110, 116, 128),
           font=ImageFont.load_default(size=max(9, px // 12)), anchor="mm")
    out = io.BytesIO()
    im.save(out, format="PNG", optimize=True)
    return out.getvalue()


_PLACEHOLDERS: dict[str, bytes] = {}


def _image_response(request: Request, data: bytes, media: str, etag: str, placeholder: bool) -> Response:
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
    if placeholder:
        headers["X-Image-Placeholder"] = "true"
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content=data, media_type=media, headers=headers)


async def _picture(request: Request, item_id: str, path: Path | None, size: ImageSize) -> Response:
    """The picture at ``path`` in ``size`` with ETag/Cache-Control; a placeholder when it is missing."""
    if path is not None:
        try:
            data, media, etag = await asyncio.to_thread(_encode, path, size)
            return _image_response(request, data, media, etag, placeholder=False)
        except OSError as exc:  # unreadable or not an image: a placeholder, never a broken image
            log.warning("catalog.image_unreadable", item_id=item_id, path=str(path), error=str(exc))
    if size not in _PLACEHOLDERS:
        _PLACEHOLDERS[size] = placeholder_png(size)
    data = _PLACEHOLDERS[size]
    return _image_response(request, data, "image/png", _etag(data), placeholder=True)


IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The picture or a placeholder."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    **error_responses(404),
}
SizeParam = Annotated[ImageSize, Query(description="thumb (≤96 px) or full.")]


class PictureRequest:
    """What serving any of a product's pictures needs (the request, size, orchestrator, settings)."""

    def __init__(
        self,
        request: Request,
        size: SizeParam = "full",
        orchestrator: ChatOrchestrator = Depends(get_orchestrator),
        settings: Settings = Depends(get_settings),
    ) -> None:
        self.request, self.size, self.orchestrator, self.settings = request, size, orchestrator, settings

    async def serve(self, item_id: str, n: int) -> Response:
        """Picture ``n`` (a placeholder when it is not on disk); 404 naming the id when there is no ``n``."""
        product = await _product_or_404(item_id, self.orchestrator)
        count = len(product.gallery)
        if n >= max(count, 1):  # a product without pictures still has its placeholder at 0
            detail = f"product {item_id!r} has no picture {n} ({count} known)"
            raise HTTPException(status_code=404, detail=detail)
        return await _picture(self.request, item_id, resolve_image(product, self.settings, n), self.size)


@router.get(
    "/products/{item_id}/image",
    response_class=Response,
    responses=IMAGE_RESPONSES,
    summary="The product's main image (size thumb|full); a placeholder when it has none",
)
async def get_product_image(item_id: ItemId, picture: PictureRequest = Depends()) -> Response:
    return await picture.serve(item_id, 0)


@router.get(
    "/products/{item_id}/images/{n}",
    response_class=Response,
    responses=IMAGE_RESPONSES,
    summary="The product's n-th picture (0 = main; size thumb|full), as listed by /images",
)
async def get_product_nth_image(
    item_id: ItemId,
    n: Annotated[int, PathParam(ge=0, le=1000, description="Position in the listing's pictures, 0 = main.")],
    picture: PictureRequest = Depends(),
) -> Response:
    return await picture.serve(item_id, n)


class ProductImage(BaseModel):
    index: int = Field(description="Position in the listing's pictures (0 = main): /images/{index}.")
    url: str
    thumb_url: str
    role: Literal["main", "other", "placeholder"]
    synthetic: bool = Field(description="A drawn illustration (the sample catalog), not a photograph.")


class ProductImages(BaseModel):
    item_id: str
    images: list[ProductImage]


def image_url(item_id: str, index: int) -> str:
    """Picture 0 keeps the card's ``/image`` URL (one browser-cache entry); others are ``/images/{n}``."""
    return f"/v1/products/{item_id}/image" if index == 0 else f"/v1/products/{item_id}/images/{index}"


@json_get(router, "/products/{item_id}/images", ProductImages,
          "The product's pictures, main first (for a gallery); a placeholder entry when it has none", 404)
async def get_product_images(
    item_id: ItemId,
    orchestrator: ChatOrchestrator = Depends(get_orchestrator),
    settings: Settings = Depends(get_settings),
) -> ProductImages:
    product = await _product_or_404(item_id, orchestrator)
    sample_root = (SAMPLE_CATALOG / "images" / "small").resolve()
    found = [(i, resolve_image(product, settings, i)) for i in range(len(product.gallery))]
    images = [
        ProductImage(index=i, url=image_url(item_id, i), thumb_url=image_url(item_id, i) + "?size=thumb",
                     role="main" if i == 0 else "other", synthetic=path.is_relative_to(sample_root))
        for i, path in found
        if path is not None
    ]
    if not images:  # nothing local to show: the placeholder, never a broken picture
        url = image_url(item_id, 0)
        images = [ProductImage(index=0, url=url, thumb_url=url + "?size=thumb", role="placeholder",
                               synthetic=True)]
    return ProductImages(item_id=item_id, images=images)


# ---------------------------------------------------------------------------------------- facets
class TypeFacet(BaseModel):
    value: str = Field(description="The product type filter value, e.g. CELLULAR_PHONE_CASE.")
    name: str = Field(description="Its human name, e.g. phone case.")
    count: int


class ValueFacet(BaseModel):
    value: str
    count: int


class PriceRange(BaseModel):
    min: float
    max: float


class Facets(BaseModel):
    products: int
    types: list[TypeFacet]
    brands: list[ValueFacet]
    colors: list[ValueFacet]
    price: PriceRange | None


MAX_BRANDS = 60


def compute_facets(products: list[Product], type_name: object = None) -> Facets:
    """Filter chips from the catalog: types (human names), the commonest brands, colours, prices."""
    namer = type_name if callable(type_name) else (lambda t: t.replace("_", " ").lower())
    types = Counter(p.product_type for p in products)
    brand_spellings: dict[str, Counter[str]] = {}
    for p in products:
        if p.brand and p.brand.strip():
            brand_spellings.setdefault(p.brand.strip().lower(), Counter())[p.brand.strip()] += 1
    brands = sorted(
        ((c.most_common(1)[0][0], sum(c.values())) for c in brand_spellings.values()),
        key=lambda bc: (-bc[1], bc[0].lower()),
    )[:MAX_BRANDS]
    colors = Counter(c for p in products for c in dict.fromkeys(p.colors))
    prices = [p.price for p in products if p.price > 0]
    return Facets(
        products=len(products),
        types=[TypeFacet(value=t, name=str(namer(t)), count=n)
               for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))],
        brands=[ValueFacet(value=b, count=n) for b, n in sorted(brands, key=lambda bc: bc[0].lower())],
        colors=[ValueFacet(value=c, count=n) for c, n in colors.most_common()],
        price=PriceRange(min=min(prices), max=max(prices)) if prices else None,
    )


@router.get("/catalog/facets", response_model=Facets, summary="Filter chips built from the indexed catalog")
async def get_facets(request: Request, orchestrator: ChatOrchestrator = Depends(get_orchestrator)) -> Facets:
    cached = getattr(request.app.state, "catalog_facets", None)
    if isinstance(cached, Facets):
        return cached
    products = await asyncio.to_thread(catalog_products, orchestrator.searcher)
    vocab = orchestrator.understander.vocab if orchestrator.understander is not None else None
    facets = compute_facets(products, vocab.type_name if vocab is not None else None)
    if products:  # an empty read (index outage) is not cached
        request.app.state.catalog_facets = facets
    return facets
