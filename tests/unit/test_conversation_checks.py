"""The conversation suite's checks, on a made-up catalog: each can pass and each can fail."""

from __future__ import annotations

import pytest

from bench.conversation_checks import KIND, History, Observed, check

CATALOG = {
    "j1": {"id": "j1", "title": "Blue Rain Jacket", "category_path": ["Clothing", "Jackets"], "brand": "Monte",
           "price": 2500.0, "attributes": {"color": "Blue", "material": "Nylon"}, "description": "waterproof"},
    "j2": {"id": "j2", "title": "Black Leather Jacket", "category_path": ["Clothing", "Jackets"], "brand": "Roadster",
           "price": 2900.0, "attributes": {"color": "Black", "material": "Leather"}, "description": ""},
    "w1": {"id": "w1", "title": "Skmei Sports Watch", "category_path": ["Watches", "Wrist Watches"],
           "brand": "Skmei", "price": 499.0, "attributes": {}, "description": ""},
}  # fmt: skip


def _check(key: str, want: object, cards: list[str], history: History | None = None, **seen: object) -> str | None:
    observed = Observed(text=str(seen.pop("text", "")), cards=cards, **seen)  # type: ignore[arg-type]
    return check(key, want, observed, history or History(), CATALOG)


@pytest.mark.parametrize(
    ("key", "want", "good", "bad"),
    [
        ("cards", True, ["j1"], []),
        ("no_cards", True, [], ["w1"]),
        ("price_max", 2600, ["j1", "w1"], ["j1", "j2"]),
        ("price_min", 1000, ["j1", "j2"], ["w1"]),
        ("category", ["jacket"], ["j1", "j2"], ["j1", "w1"]),
        ("brand", ["Skmei"], ["w1"], ["j1"]),
        ("color", ["blue"], ["j1"], ["j2"]),
        ("not_color", ["black"], ["j1", "w1"], ["j2"]),
        ("not_brand", ["skmei"], ["j1"], ["w1"]),
        ("not_words", ["leather"], ["j1"], ["j2"]),
    ],
)
def test_card_checks_pass_and_fail(key: str, want: object, good: list[str], bad: list[str]) -> None:
    assert _check(key, want, good) is None
    assert _check(key, want, bad) is not None


def test_follow_up_checks_read_the_dialogue_so_far() -> None:
    shown = History(shown={"j1", "j2"}, last_list=["j2", "j1"])
    assert _check("cheaper", True, ["w1"], shown) is None
    assert _check("cheaper", True, ["j1"], shown) is not None  # 2500 is not below the cheapest shown (2500)
    assert _check("new_cards", True, ["w1"], shown) is None
    assert _check("new_cards", True, ["j1"], shown) is not None
    assert _check("about_card", 2, [], shown, text="The Blue Rain Jacket is waterproof") is None
    assert _check("about_card", 2, [], shown, text="Which one do you mean?") is not None
    assert _check("cart_add", [1], [], shown, cart_added=["j2"]) is None
    assert _check("cart_add", [1, 2], [], shown, cart_added=["j2"]) is not None


def test_state_and_text_checks() -> None:
    assert _check("order_status", {"A1001": "cancelled"}, [], orders={"A1001": "cancelled"}) is None
    assert _check("order_status", {"A1001": "cancelled"}, [], orders={"A1001": "shipped"}) is not None
    assert _check("handoff", True, [], handed_off=True) is None
    assert _check("handoff", True, []) is not None
    assert _check("language", "en", [], text="Here you go") is None
    assert _check("language", "zh", [], text="Here you go") is not None
    assert _check("text_any", ["return"], [], text="You can return it") is None
    assert _check("text_none", ["bye"], [], text="Bye! Happy shopping.") is not None
    assert _check("text_none", ["bye"], [], text="How can I help? Maybe a byelaw?") is None


def test_every_expectation_key_has_a_kind() -> None:
    assert set(KIND.values()) >= {"price", "negation", "cheaper", "more", "reference", "cart", "order", "language"}


def test_a_reply_about_shown_cards_keeps_the_list_the_shopper_counts_in() -> None:
    history = History()
    history.saw(["j1", "j2", "w1"])
    history.saw(["j1"])  # "is the first one in stock?"
    assert history.last_list == ["j1", "j2", "w1"]
    history.saw(["w1", "j9"])  # a new search
    assert history.last_list == ["w1", "j9"]
