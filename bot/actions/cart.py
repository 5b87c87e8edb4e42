"""action_add_to_cart: "add the second one", "put the blue one in my cart", "i'll take both"."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiRefused, ApiUnavailable, add_to_cart, conversation_messages
from actions.references import last_shown, referenced

CHECKOUT_BUTTONS = [
    {"title": "Check out", "payload": "/checkout_help"},
    {"title": "Keep shopping", "payload": "show me more"},
]


def _names(items: List[Dict[str, Any]]) -> str:
    titles = [f"the {i.get('title', 'product')}" for i in items]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + f" and {titles[-1]}"


class ActionAddToCart(Action):
    """Put the shown product(s) the shopper means in their cart, and say which."""

    def name(self) -> Text:
        return "action_add_to_cart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            shown = last_shown(await conversation_messages(tracker.sender_id))
        except ApiUnavailable:
            dispatcher.utter_message(text="Sorry, I can't reach your cart right now. Please try again in a moment.")
            return []
        chosen = referenced(text, shown) or (shown[:1] if len(shown) == 1 else [])
        if not chosen:
            question = "Which one shall I add? Say e.g. 'the second one'." if shown else "Which product shall I add?"
            dispatcher.utter_message(text=question)
            return []
        try:
            added = await add_to_cart(tracker.sender_id, [c["product_id"] for c in chosen])
        except ApiRefused as refused:
            dispatcher.utter_message(text=f"Sorry, I couldn't add that: {refused.detail}.")
            return []
        except ApiUnavailable:
            dispatcher.utter_message(text="Sorry, I can't reach your cart right now. Please try again in a moment.")
            return []
        dispatcher.utter_message(
            text=f"Added {_names(added)} to your cart.",
            buttons=CHECKOUT_BUTTONS,
            json_message={"products": chosen},
        )
        return []
