"""action_add_to_cart: "add the second one", "put the blue one in my cart", "i'll take both"."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiRefused, ApiUnavailable, add_to_cart, conversation_messages
from actions.language import Say, buttons, join_words, say_for
from actions.references import last_shown, referenced
from i18n.catalog import N_

CHECKOUT_BUTTONS = [
    {"title": N_("Check out"), "payload": "/checkout_help"},
    {"title": N_("Keep shopping"), "payload": "show me more"},
]
UNREACHABLE = N_("Sorry, I can't reach your cart right now. Please try again in a moment.")


def _names(items: List[Dict[str, Any]], say: Say) -> str:
    return join_words(say, [say("the {title}", title=i.get("title", "")) for i in items])


class ActionAddToCart(Action):
    """Put the shown product(s) the shopper means in their cart, and say which."""

    def name(self) -> Text:
        return "action_add_to_cart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        say = say_for(tracker)
        try:
            shown = last_shown(await conversation_messages(tracker.sender_id))
        except ApiUnavailable:
            dispatcher.utter_message(text=say(UNREACHABLE))
            return []
        chosen = referenced(text, shown) or (shown[:1] if len(shown) == 1 else [])
        if not chosen:
            if shown:
                question = say("Which one shall I add? Say e.g. 'the second one'.")
            else:
                question = say("Which product shall I add?")
            dispatcher.utter_message(text=question)
            return []
        try:
            added = await add_to_cart(tracker.sender_id, [c["product_id"] for c in chosen])
        except ApiRefused as refused:
            dispatcher.utter_message(text=say("Sorry, I couldn't add that: {reason}.", reason=refused.detail))
            return []
        except ApiUnavailable:
            dispatcher.utter_message(text=say(UNREACHABLE))
            return []
        dispatcher.utter_message(
            text=say("Added {items} to your cart.", items=_names(added, say)),
            buttons=buttons(say, CHECKOUT_BUTTONS),
            json_message={"products": chosen},
        )
        return []
