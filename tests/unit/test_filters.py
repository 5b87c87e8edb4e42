"""Filters: reference semantics and the order in which they relax."""

from __future__ import annotations

from retrieval.filters import ProductFilter, category_terms, money, term
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


def test_ruled_out_categories_and_words() -> None:
    boot = _payload("boot-1")  # "Leather boots for hiking in rain", category Boots
    assert not ProductFilter(exclude_words=("leather",)).matches(boot)
    assert not ProductFilter(exclude_categories=("boots",)).matches(boot)
    assert ProductFilter(exclude_words=("plastic",), exclude_categories=("watch",)).matches(boot)


def test_constraints_read_as_words_in_the_catalogs_currency() -> None:
    flt = ProductFilter(
        categories=("jacket",), colors=("red",), exclude_colors=("black",), price_max=3000, in_stock=True
    )
    assert flt.describe("INR") == ["jacket", "in red", "under ₹3,000", "not black", "in stock"]
    assert ProductFilter(price_min=10, price_max=49.5).describe("USD") == ["between $10 and $49.50"]
    assert money(12, "CHF") == "CHF 12"
    assert money(1299.99) == "1,299.99"


def test_plural_category_words_read_as_the_singular() -> None:
    assert [term(w) for w in ("watches", "boxes", "brushes", "shoes", "dresses", "tops")] == [
        "watch", "box", "brush", "shoe", "dress", "top",
    ]  # fmt: skip
