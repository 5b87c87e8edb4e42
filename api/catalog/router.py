"""Catalog search endpoint."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.catalog.schemas import ProductDetail, ProductOut, SearchOut, SpellingChange
from api.deps import SearcherDep
from api.errors import NotFound
from retrieval.filters import ProductFilter

router = APIRouter(prefix="/v1/products", tags=["catalog"])


@router.get("/search", response_model=SearchOut)
def search_products(
    searcher: SearcherDep,
    q: Annotated[str, Query(max_length=500, description="What the shopper asked for")] = "",
    category: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    brand: Annotated[list[str], Query()] = [],  # noqa: B006
    color: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_color: Annotated[list[str], Query()] = [],  # noqa: B006
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool | None = True,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    lang: Annotated[
        Literal["en", "zh"] | None, Query(description="Titles in this language where the shop has them")
    ] = None,
) -> SearchOut:
    """Return products matching the query and filters, relaxing filters if nothing matches."""
    flt = ProductFilter(
        categories=tuple(category),
        brands=tuple(brand),
        colors=tuple(color),
        exclude_colors=tuple(exclude_color),
        price_min=price_min,
        price_max=price_max,
        in_stock=in_stock,
    )
    result = searcher.search(q, flt, limit=limit, offset=offset)
    return SearchOut(
        query=result.query_text,
        spelling=[SpellingChange(typed=a, read_as=b) for a, b in result.spelling],
        hits=[
            ProductOut(
                **{**{k: v for k, v in h.__dict__.items() if k != "titles"}, "title": h.titles.get(lang or "", h.title)}
            )
            for h in result.hits
        ],
        applied_filters=result.applied.describe(),
        relaxed=result.relaxed,
    )


@router.get("/{product_id}", response_model=ProductDetail)
def get_product(
    product_id: str,
    searcher: SearcherDep,
    lang: Annotated[
        Literal["en", "zh"] | None, Query(description="Texts in this language where the shop has them")
    ] = None,
) -> ProductDetail:
    """Return one product of the catalog (the demo shop's product page)."""
    found = searcher.index.get([product_id])
    if not found:
        raise NotFound(f"product {product_id} not found")
    payload = found[0]
    if lang:
        payload = {
            **payload,
            **{k: payload[f"{k}_{lang}"] for k in ("title", "description") if payload.get(f"{k}_{lang}")},
        }
    return ProductDetail.from_payload(payload)
