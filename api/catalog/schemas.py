"""Catalog search shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProductOut(BaseModel):
    """A product in a search result, with why it matched."""

    product_id: str
    title: str
    price: float | None
    currency: str
    brand: str
    category_path: str
    image_url: str
    rating: float | None
    in_stock: bool
    score: float
    why: list[str]


class SearchOut(BaseModel):
    """Search results and the filters that were applied or dropped."""

    query: str
    hits: list[ProductOut]
    applied_filters: list[str] = Field(description="Constraints the results satisfy")
    relaxed: list[str] = Field(description="Constraints dropped, in order, because nothing matched")
