"""Follow-ups the NLU misreads are answered from what is on screen (issue 21)."""

from __future__ import annotations

import pytest
from actions.actions import ActionCheckAvailability, ActionProductInfo, ActionSearchProducts
from actions.cart import ActionAddToCart
from actions.context import ActionAnswerInContext

SHOWN = [{"product_id": "a", "title": "Blue Loafers"}, {"product_id": "b", "title": "Black Loafers"}]
SHOE = [{"entity": "product", "value": "shoes"}]


@pytest.mark.parametrize(
    ("intent", "text", "shown", "entities", "answer"),
    [
        ("price_and_discounts", "show me cheaper ones", SHOWN, [], ActionSearchProducts),
        ("affirm", "ok more of these", SHOWN, [], ActionSearchProducts),
        ("deny", "hmm no skmei pls", SHOWN, [], ActionSearchProducts),
        ("place_order", "i want to buy the second one", SHOWN, [], ActionAddToCart),
        ("out_of_scope", "tell me more about the 3rd", SHOWN + SHOWN[:1], [], ActionProductInfo),
        ("out_of_scope", "is the first one in stok", SHOWN, [], ActionCheckAvailability),
        ("nlu_fallback", "boots", [], SHOE, ActionSearchProducts),
        ("price_and_discounts", "tops under 600", [], [{"entity": "price_max", "value": 600}], ActionSearchProducts),
        ("deny", "no thanks", SHOWN, [], type(None)),
        ("price_and_discounts", "any discount on shoes?", SHOWN, SHOE, type(None)),
        ("out_of_scope", "write me a story about dragons", SHOWN, [], type(None)),
        ("place_order", "how do i place an order", [], [], type(None)),
        ("nlu_fallback", "👟👟🔥", [], [], type(None)),
    ],
)
def test_a_follow_up_is_answered_as_what_it_means(
    intent: str, text: str, shown: list, entities: list, answer: type
) -> None:
    assert type(ActionAnswerInContext._in_context(intent, text, shown, entities)) is answer
