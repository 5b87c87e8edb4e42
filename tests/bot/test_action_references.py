"""What the actions read from a shopper's words: which shown card, which order (issue 21)."""

from __future__ import annotations

import pytest
from actions.actions import nothing_found
from actions.orders import order_id_in
from actions.references import last_shown, referenced

from i18n import catalog

LIST = [
    {"product_id": "a", "title": "Blue Canvas Loafers", "brand": "Brandtrendz"},
    {"product_id": "b", "title": "Black Leather Loafers", "brand": "Bata"},
    {"product_id": "c", "title": "Brown Suede Loafers", "brand": "Bata"},
]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("add the second one to my cart", ["b"]),
        ("is the first one in stock?", ["a"]),
        ("compare the first two", ["a", "b"]),
        ("i'll take both", ["a", "b"]),
        ("put the blue one in my cart", ["a"]),
        ("the brandtrendz please", ["a"]),
        ("tell me about #3", ["c"]),
        ("the last one", ["c"]),
        ("add it", []),  # names no card: the action asks which
    ],
)
def test_a_shown_card_is_found_by_position_both_or_a_word_only_it_has(text: str, ids: list[str]) -> None:
    assert [p["product_id"] for p in referenced(text, LIST)] == ids


def test_a_reply_about_listed_cards_does_not_replace_the_list() -> None:
    messages = [
        {"author": "bot", "products": LIST},
        {"author": "shopper", "text": "is the first one in stock?"},
        {"author": "bot", "products": LIST[:1]},  # the stock answer shows card a again
    ]
    assert last_shown(messages) == LIST
    messages.append({"author": "bot", "products": [{"product_id": "z", "title": "Red Sneakers"}]})
    assert [p["product_id"] for p in last_shown(messages)] == ["z"]


@pytest.mark.parametrize(
    ("text", "bare", "order_id"),
    [
        ("cancel order A1001", False, "A1001"),
        ("please cancel my order #98765", False, "98765"),
        ("where's order no. b-2002?", False, "B-2002"),
        ("boots under 3000", False, None),  # a price is not an order number
        ("cancel 98765", True, "98765"),  # in the message asking about an order, a bare number is one
        ("i want to cancel it", True, None),
    ],
)
def test_order_numbers_are_read_as_shoppers_write_them(text: str, bare: bool, order_id: str | None) -> None:
    assert order_id_in(text, [], bare=bare) == order_id


def test_an_order_id_the_nlu_tagged_wins() -> None:
    assert order_id_in("cancel it", [{"entity": "order_id", "value": "#a-77"}]) == "A-77"


def test_nothing_found_names_the_constraints_and_asks() -> None:
    english = lambda m, **v: catalog.text("en", m, **v)  # noqa: E731
    chinese = lambda m, **v: catalog.text("zh", m, **v)  # noqa: E731
    text = nothing_found(english, ["jacket", "under ₹3,000", "not black"], ["price"])
    assert "under ₹3,000" in text and "the price limit" in text and text.endswith("?")
    assert "describe it differently" in nothing_found(english, [], [])
    zh = nothing_found(chinese, ["₹3,000以内"], ["price", "color"])
    assert "₹3,000以内" in zh and "价格限制和颜色" in zh and zh.endswith("？")


def test_a_tagged_order_id_without_a_digit_is_not_an_order_number() -> None:
    entities = [{"entity": "order_id", "value": "ordr"}, {"entity": "order_id", "value": "A1001"}]
    assert order_id_in("cancl my ordr A1001 plz", entities) == "A1001"
