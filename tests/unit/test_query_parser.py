"""The shopper's words become constraints: price bounds and exclusions."""

from __future__ import annotations

import pytest

from retrieval.filters import ProductFilter
from retrieval.query_parser import parse_query
from retrieval.vocabulary import CatalogVocabulary


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


CATALOG = CatalogVocabulary(
    brands=frozenset({"skmei", "titan", "fastrack"}),
    categories=frozenset({"watch", "ring", "jacket", "kurta", "bag", "shoe"}),
    currency="INR",
)


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("watches but not Skmei", "exclude_brands", ("skmei",)),
        ("watch other than titan under 2000", "exclude_brands", ("titan",)),
        ("a bag, no leather please", "exclude_words", ("leather",)),
        ("anything except red kurtas", "exclude_colors", ("red",)),
        ("jewellery but no rings", "exclude_categories", ("ring",)),
        ("jacket not in black", "exclude_colors", ("black",)),
    ],
)
def test_what_the_shopper_rules_out_is_read_in_the_catalogs_words(query: str, field: str, value: tuple) -> None:
    parsed = parse_query(query, None, CATALOG)
    assert getattr(parsed.filter, field) == value
    assert value[0] not in parsed.text.lower()


@pytest.mark.parametrize("query", ["no problem, show me rings", "not sure, a nice watch", "no worries"])
def test_a_negation_naming_nothing_the_catalog_knows_rules_nothing_out(query: str) -> None:
    flt = parse_query(query, None, CATALOG).filter
    assert (flt.exclude_brands, flt.exclude_colors, flt.exclude_categories, flt.exclude_words) == ((), (), (), ())


def test_a_value_both_wanted_and_ruled_out_is_only_ruled_out() -> None:
    # the NLU tagged "black" as a colour in "not black"
    flt = parse_query("waterproof jacket under 3000 not black", ProductFilter(colors=("black",)), CATALOG).filter
    assert flt.colors == ()
    assert flt.exclude_colors == ("black",)
    assert flt.price_max == 3000.0


def test_a_tagged_brand_the_catalog_only_knows_as_a_category_filters_the_category() -> None:
    flt = parse_query("red kurtas", ProductFilter(brands=("kurtas",), colors=("red",)), CATALOG).filter
    assert flt.brands == ()
    assert flt.categories == ("kurta",)
    kept = parse_query("fastrack watch", ProductFilter(brands=("fastrack",)), CATALOG).filter
    assert kept.brands == ("fastrack",)  # a brand the catalog sells stays a brand


def test_not_more_than_is_a_ceiling() -> None:
    flt = parse_query("brown boots, dont want to spend more than 2000").filter
    assert (flt.price_min, flt.price_max) == (None, 2000.0)


def test_each_negation_rules_out_its_own_words_and_title_words_count() -> None:
    catalog = CatalogVocabulary(title_words=frozenset({"skmei", "disney", "watch", "for", "kids"}))
    flt = parse_query("digital watch for my son. no skmei no disney", None, catalog).filter
    assert flt.exclude_words == ("disney", "skmei")
    assert parse_query("shoes not for kids", None, catalog).filter.exclude_words == ()  # "for" says how, not what


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("womens boots except black n brown", "exclude_colors", ("black", "brown")),
        ("coffee mugs that arent skmei", "exclude_brands", ("skmei",)),
        ("tops for office but nothing sleeveless", "exclude_words", ("sleeveless",)),
    ],
)
def test_lists_and_other_cues_rule_out_each_value(query: str, field: str, value: tuple) -> None:
    assert getattr(parse_query(query, None, CATALOG).filter, field) == value


@pytest.mark.parametrize(
    ("query", "price_min", "price_max"),
    [("tops 1000-2000 range", 1000.0, 2000.0), ("rings 30000+", 30000.0, None), ("order A-1001", None, None)],
)
def test_ranges_and_plus_are_price_bounds(query: str, price_min: float | None, price_max: float | None) -> None:
    flt = parse_query(query).filter
    assert (flt.price_min, flt.price_max) == (price_min, price_max)
