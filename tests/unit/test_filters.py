"""Filters: reference semantics and the order in which they relax."""

from __future__ import annotations

from retrieval.filters import ProductFilter, category_terms
from retrieval.index.port import build_payload
from tests.support.catalog import PRODUCTS


def _payload(pid: str) -> dict:
    return build_payload(next(p for p in PRODUCTS if p.id == pid))


def test_category_words_match_in_singular_or_plural() -> None:
    assert "shoe" in category_terms(("Footwear", "Running Shoes"))
    assert ProductFilter(categories=("shoes",)).matches(_payload("shoe-1"))
    assert not ProductFilter(categories=("watches",)).matches(_payload("shoe-1"))


def test_price_colour_brand_and_exclusion() -> None:
    shoe = _payload("shoe-2")  # Nike, blue, 1499
    assert ProductFilter(price_max=1500, colors=("Blue",), brands=("NIKE",)).matches(shoe)
    assert not ProductFilter(price_max=1000).matches(shoe)
    assert not ProductFilter(exclude_colors=("blue",)).matches(shoe)
    assert not ProductFilter(in_stock=True).matches(_payload("dress-1"))


def test_relaxation_drops_least_important_first() -> None:
    flt = ProductFilter(categories=("shoes",), brands=("nike",), colors=("red",), price_max=10)
    assert [name for name, _ in flt.relaxations()] == ["color", "brand", "price", "category"]
    assert flt.relaxations()[-1][1].in_stock is None
    assert ProductFilter().relaxations() == []
