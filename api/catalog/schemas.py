"""Catalog shapes: search results, and one product."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ProductBase(BaseModel):
    """What the shop shows of a product."""

    product_id: str
    title: str
    price: float | None
    currency: str
    brand: str
    category_path: str
    image_url: str
    rating: float | None
    in_stock: bool


class ProductOut(ProductBase):
    """A product in a search result, with why it matched."""

    score: float
    why: list[str]


class SpellingChange(BaseModel):
    """A query word the catalog never uses, and the catalog word it was read as."""

    typed: str
    read_as: str


class SearchOut(BaseModel):
    """Search results and the filters that were applied or dropped."""

    query: str = Field(description="The text searched: the query less its constraints, spelling corrected")
    spelling: list[SpellingChange] = Field(
        default_factory=list, description='Words read as catalog words ("showing results for ...")'
    )
    hits: list[ProductOut]
    applied_filters: list[str] = Field(description="Constraints the results satisfy")
    relaxed: list[str] = Field(description="Constraints dropped, in order, because nothing matched")


class ProductDetail(ProductBase):
    """One product as the shop's product page shows it."""

    description: str

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ProductDetail:
        """Build from the index's stored payload."""
        return cls(
            product_id=payload["product_id"],
            title=payload.get("title", ""),
            description=payload.get("description", ""),
            price=payload.get("price"),
            currency=payload.get("currency", ""),
            brand=payload.get("brand_display") or payload.get("brand", ""),
            category_path=payload.get("category_path", ""),
            image_url=payload.get("image_url", ""),
            rating=payload.get("rating"),
            in_stock=bool(payload.get("in_stock", True)),
        )
