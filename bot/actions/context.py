"""action_answer_in_context: the intents a shop's follow-ups get mistaken for, answered in context.

The NLU reads one message at a time. "show me cheaper ones" can come out as a price
question, "tell me more about the 3rd" as out of scope, "boots" alone as not understood, "more"
as a yes,
"i want to buy the second one" as placing an order. With a list of products on screen,
each of those is about that list. This action sees the conversation: a message that points
at a shown card, or asks for cheaper, pricier or more of them, is answered as that; a
message the NLU could not place but that names a product is searched; anything else gets
the intent's own response.
"""

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionCheckAvailability,
    ActionProductInfo,
    ActionSearchProducts,
    _text_and_shown,
)
from actions.cart import ActionAddToCart
from actions.references import referenced
from i18n.phrases import (
    ZH_BUY,
    ZH_CHEAPER,
    ZH_DISCOUNT,
    ZH_MORE,
    ZH_PRICIER,
    ZH_REFERENCE,
    ZH_RULING_OUT,
    ZH_STOCK,
    phrase,
)

FOLLOW_UP = phrase(
    r"\b(cheaper|less expensive|lower price|more affordable|too (?:expensive|pricey)|budget|pricier|"
    r"more expensive|higher[- ]end|more|others?|another|else|next|different ones)\b",
    ZH_CHEAPER,
    ZH_PRICIER,
    ZH_MORE,
)
# "hmm no skmei pls", "not black", "nothing sleeveless": a refinement ruling something out
RULING_OUT = phrase(
    r"\b(?:not|no|except|without|nothing|other than|aren'?t)\s+"
    r"(?!thanks?\b|worries|problem|need|now|sure|really|idea|way)\w+",
    ZH_RULING_OUT,
)
BUY = phrase(r"\b(buy|take|order|get|purchase|cart|bag)\b", ZH_BUY)
STOCK = phrase(r"\b(stock|stok|available|availability|left|sold out)\b", ZH_STOCK)
DISCOUNT = phrase(r"\b(discount|coupon|offer|sale|promo|voucher|deal|code)s?\b", ZH_DISCOUNT)
PRODUCT_ENTITIES = {"product", "category", "brand", "price_min", "price_max"}  # a request with a budget
OWN_RESPONSE = {"nlu_fallback": "utter_default"}


class ActionAnswerInContext(Action):
    """Price questions, out of scope, not understood, place order, yes and no, read against what was shown."""

    def name(self) -> Text:
        return "action_answer_in_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        intent = str((latest.get("intent") or {}).get("name") or "nlu_fallback")
        text, shown = await _text_and_shown(tracker)
        answer = self._in_context(intent, text, shown, latest.get("entities") or [])
        if answer is not None:
            return await answer.run(dispatcher, tracker, domain)
        dispatcher.utter_message(response=OWN_RESPONSE.get(intent, f"utter_{intent}"))
        return []

    @staticmethod
    def _in_context(intent: str, text: str, shown: List[Dict[str, Any]], entities: List[Dict[str, Any]]) -> Any:
        if shown and referenced(text, shown) and _by_position(text):
            if intent == "place_order" or BUY.search(text):
                return ActionAddToCart()
            return ActionCheckAvailability() if STOCK.search(text) else ActionProductInfo()
        if intent == "place_order":
            return None
        if shown and (FOLLOW_UP.search(text) or RULING_OUT.search(text)) and not DISCOUNT.search(text):
            return ActionSearchProducts()
        names_product = any(e.get("entity") in PRODUCT_ENTITIES for e in entities)
        if intent in ("nlu_fallback", "price_and_discounts") and names_product and not DISCOUNT.search(text):
            return ActionSearchProducts()
        return None


def _by_position(text: str) -> bool:
    """True when the text points at a card by position or as "one"/"both", not only by a title word."""
    return bool(
        re.search(r"\b(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th|both|one)\b|#\s*\d", text, re.I)
        or ZH_REFERENCE.search(text)
    )
