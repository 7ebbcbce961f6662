"""What the product routes share: the item-id path parameter and a GET route with documented errors.

``json_get(router, path, model, summary, 404, 422)`` is ``router.get`` with ``response_model`` and
an ``ErrorResponse`` entry per error status (so OpenAPI and schemathesis know every answer a route
gives); ``ItemId`` validates ``{item_id}`` the same way on every product route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from services.gateway.schemas import ErrorResponse

ITEM_ID = r"^[A-Za-z0-9_-]{1,64}$"
ItemId = Annotated[str, PathParam(pattern=ITEM_ID, description="The product's ABO item_id.")]
ERROR_DESCRIPTIONS = {
    404: "Unknown product (the detail names the id).",
    422: "Invalid parameters.",
    503: "Indexes down: retry after the Retry-After seconds.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries for these error status codes."""
    return {
        code: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS.get(code, "Error.")}
        for code in codes
    }


def json_get(
    router: APIRouter, path: str, model: Any, summary: str, *errors: int, **extra: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``router.get`` for a JSON route answering ``model``, with ``errors`` documented."""
    responses = {**error_responses(*errors), **extra.pop("responses", {})}
    return router.get(path, response_model=model, responses=responses, summary=summary, **extra)
