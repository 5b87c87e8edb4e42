"""The shopper's words become constraints: price bounds and exclusions."""

from __future__ import annotations

import pytest

from retrieval.filters import ProductFilter
from retrieval.query_parser import parse_query


@pytest.mark.parametrize(
    ("query", "price_min", "price_max"),
    [
        ("a warm jacket under 50 dollars", None, 50.0),
        ("shoes below $80", None, 80.0),
        ("watch between 100 and 200", 100.0, 200.0),
        ("headphones over 2k", 2000.0, None),
        ("just a mug", None, None),
    ],
)
def test_price_phrases_become_bounds(query: str, price_min: float | None, price_max: float | None) -> None:
    parsed = parse_query(query)
    assert (parsed.filter.price_min, parsed.filter.price_max) == (price_min, price_max)


def test_negated_colour_is_excluded_and_removed_from_text() -> None:
    parsed = parse_query("a warm jacket for my son under 50 dollars, not black")
    assert parsed.filter.exclude_colors == ("black",)
    assert parsed.filter.price_max == 50.0
    assert "black" not in parsed.text
    assert "jacket" in parsed.text


def test_entities_from_nlu_win_over_parsed_text() -> None:
    parsed = parse_query("shoes under 100", ProductFilter(price_max=70.0))
    assert parsed.filter.price_max == 70.0
