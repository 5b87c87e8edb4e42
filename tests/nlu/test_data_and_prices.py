"""Reading Rasa NLU data without Rasa, splitting it, and normalising prices."""

from __future__ import annotations

import pytest

from nlu_models.data import TooFewExamples, check_counts, parse_markup, stratified_folds, stratified_split
from nlu_models.prices import normalise_price
from nlu_models.taxonomy import Taxonomy
from tests.nlu.conftest import TAXONOMY


def test_markup_becomes_plain_text_and_spans() -> None:
    text, spans = parse_markup('find [blue](color) [sneakers](product:shoes) [under $50]{"entity": "price"}')
    assert text == "find blue sneakers under $50"
    assert [(text[s.start : s.end], s.entity, s.value) for s in spans] == [
        ("blue", "color", "blue"),
        ("sneakers", "product", "shoes"),
        ("under $50", "price", "under $50"),
    ]


def test_too_few_examples_names_the_intent_and_count(tiny_examples) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TooFewExamples, match="'greet' has 6"):
        check_counts(tiny_examples, minimum=10)


def test_splits_are_stratified_and_disjoint(tiny_examples) -> None:  # type: ignore[no-untyped-def]
    train, held = stratified_split(tiny_examples, 0.2, seed=1)
    assert {e.intent for e in held} == {e.intent for e in tiny_examples}
    assert not set(train) & set(held)
    folds = stratified_folds(tiny_examples, 3, seed=1)
    assert sorted(e.text for _, test in folds for e in test) == sorted(e.text for e in tiny_examples)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("under 50 dollars", {"price_max": 50.0}),
        ("between 100 and 200", {"price_min": 100.0, "price_max": 200.0}),
        ("over 2k", {"price_min": 2000.0}),
        ("less than 1,500", {"price_max": 1500.0}),
        ("cheap", {}),
        # as shoppers write them (issue 18)
        ("$900 max", {"price_max": 900.0}),
        ("under 80 bucks", {"price_max": 80.0}),
        ("between 200 and 300 dollars", {"price_min": 200.0, "price_max": 300.0}),
        ("$50-$80", {"price_min": 50.0, "price_max": 80.0}),
        ("₹1,499", {"price_max": 1499.0}),
        ("around 200", {"price_min": 160.0, "price_max": 240.0}),
        ("2k ish", {"price_min": 1600.0, "price_max": 2400.0}),
        ("500 rupees or so", {"price_min": 400.0, "price_max": 600.0}),
    ],
)
def test_price_expressions_normalise_to_bounds(text: str, bounds: dict) -> None:
    assert normalise_price(text) == bounds


def test_taxonomy_gives_every_intent_a_stage() -> None:
    taxonomy = Taxonomy.load(TAXONOMY)
    assert len(taxonomy.stages) == 41
    assert taxonomy.stage_of("add_to_cart") == "purchase"
    assert taxonomy.stage_of("track_order") == "post_purchase"
    assert set(taxonomy.entities) == {"product", "category", "brand", "color", "size", "price", "order_id", "quantity"}


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("500以内", {"price_max": 500.0}),
        ("3000左右", {"price_min": 2400.0, "price_max": 3600.0}),
        ("一千到两千", {"price_min": 1000.0, "price_max": 2000.0}),
        ("两百块以下", {"price_max": 200.0}),
        ("¥199", {"price_max": 199.0}),
        ("不超过300元", {"price_max": 300.0}),
        ("1000以上", {"price_min": 1000.0}),
        ("100-200元", {"price_min": 100.0, "price_max": 200.0}),
        ("预算2k", {"price_max": 2000.0}),
    ],
)
def test_chinese_prices_normalise_to_bounds(text: str, bounds: dict) -> None:
    assert normalise_price(text) == bounds
