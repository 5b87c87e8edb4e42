"""Order actions: cancel an order by its id (given now or earlier in the chat), list recent orders."""

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiRefused, ApiUnavailable, cancel_order, conversation_messages, entity_values
from actions.language import Say, buttons, say_for
from i18n.catalog import N_

# "#98765", "order 98765", "order no. A1001", "A1001"; a bare number only in the message asking
NAMED_ORDER = re.compile(
    r"#\s*([A-Z]{0,4}-?\d{3,})\b|\border\s*(?:no\.?|number|id|#)?\s*([A-Z]{0,4}-?\d{3,})\b|\b([A-Z]{1,4}-?\d{3,})\b",
    re.I,
)
BARE_NUMBER = re.compile(r"\b(\d{4,})\b")
UNREACHABLE = N_("Sorry, I can't look up orders right now. Please try again in a moment.")
HUMAN = [{"title": N_("Talk to a human"), "payload": "/contact_human_agent"}]


def order_id_in(text: str, entities: List[Dict[str, Any]], bare: bool = False) -> Optional[str]:
    """The order id the shopper named: the NLU's order_id entity, else one written like A1001,
    #98765 or "order 98765" (with `bare`, any number of 4+ digits: the message is about an order)."""
    tagged = [v for v in entity_values(entities, "order_id") if any(ch.isdigit() for ch in v)]  # not "ordr"
    if tagged:
        return tagged[0].lstrip("#").strip().upper()
    match = NAMED_ORDER.search(text) or (BARE_NUMBER.search(text) if bare else None)
    return next(g for g in match.groups() if g).upper() if match else None


async def order_id_of_conversation(tracker: Tracker) -> Optional[str]:
    """The order id in the latest message, else the most recent one the shopper named earlier."""
    latest = tracker.latest_message or {}
    found = order_id_in(latest.get("text") or "", latest.get("entities") or [], bare=True)
    if found:
        return found
    try:
        messages = await conversation_messages(tracker.sender_id)
    except ApiUnavailable:
        return None
    for message in reversed(messages):
        text = message.get("text") or ""
        if message.get("author") == "shopper":
            found = order_id_in(text, message.get("entities") or [])
        else:  # "ok cancel it" after the bot told them about one order
            named = {m.group(2) or m.group(1) for m in NAMED_ORDER.finditer(text) if m.group(1) or m.group(2)}
            found = named.pop().upper() if len(named) == 1 else None
        if found:
            return found
    return None


class ActionCancelOrder(Action):
    """Cancel the order the shopper names, if it has not shipped; say its real state either way."""

    def name(self) -> Text:
        return "action_cancel_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        order_id = await order_id_of_conversation(tracker)
        say = say_for(tracker)
        if order_id is None:
            dispatcher.utter_message(text=say("Which order shall I cancel? Please give me the order number."))
            return []
        try:
            result = await cancel_order(tracker.sender_id, order_id)
        except ApiRefused as refused:
            dispatcher.utter_message(text=_refusal(refused, order_id, say), buttons=buttons(say, HUMAN))
            return []
        except ApiUnavailable:
            dispatcher.utter_message(text=say(UNREACHABLE))
            return []
        order = result["order"]
        status = status_words(str(order.get("status")), say)
        if result.get("cancelled"):
            dispatcher.utter_message(
                text=say(
                    "Done: order {order_id} is cancelled. The refund follows automatically.", order_id=order["order_id"]
                )
            )
        elif order.get("status") in ("shipped", "out_for_delivery", "delivered"):
            dispatcher.utter_message(
                text=say(
                    "Order {order_id} has already {status}, so it can't be cancelled now. "
                    "You can return it once it arrives, and the refund follows the return.",
                    order_id=order["order_id"],
                    status=status,
                ),
                buttons=buttons(
                    say, [{"title": N_("How do returns work?"), "payload": "/check_refund_policy"}, *HUMAN]
                ),
            )
        else:
            dispatcher.utter_message(
                text=say(
                    "Order {order_id} is {status}, so there is nothing to cancel.",
                    order_id=order["order_id"],
                    status=status,
                )
            )
        return []


# the statuses an order passes through, as a shopper reads them
ORDER_STATUS_WORDS = {
    "placed": N_("placed"),
    "paid": N_("paid"),
    "processing": N_("processing"),
    "shipped": N_("shipped"),
    "out_for_delivery": N_("out for delivery"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
    "returned": N_("returned"),
}


def status_words(status: str, say: Say) -> str:
    """An order status as the shopper reads it ("out_for_delivery" -> "out for delivery")."""
    return say(ORDER_STATUS_WORDS.get(status, status.replace("_", " ")))


def _refusal(refused: ApiRefused, order_id: str, say: Say) -> str:
    if refused.status == 403:
        return say("To change an order I need to know it's you: please log in to your account, then ask me again.")
    return say("I couldn't find order {order_id} on your account. Could you check the number?", order_id=order_id)
