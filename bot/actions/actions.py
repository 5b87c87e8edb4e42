"""Custom actions: they ask the ShopTalk API and answer with product cards and quick replies.

- action_search_products: search and recommendations in one (the API merges what the
  shopper said in this conversation, what they did on the shop, and the catalog), so
  follow-ups like "show me cheaper ones" or "in blue" refine the last request;
- action_product_info: "tell me more about the second one" answers about a shown product;
- action_compare_products: "compare the first and the third" puts two shown products side by side;
- action_check_availability: "is the first one in stock?" answers from that product's stock,
  and "do you have blue sneakers?" answers with the matching products, as a search does.
"""

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import (
    ApiUnavailable,
    conversation_messages,
    entity_values,
    find_orders,
    product,
    recommend,
    search_products,
)
from actions.language import Say, buttons, join_words, language_of, say_for
from actions.orders import order_id_in, status_words
from actions.references import describe, last_shown, referenced
from actions.settings import settings
from i18n.catalog import N_

QUICK_REPLIES = [
    {"title": N_("Show cheaper ones"), "payload": "show me cheaper ones"},
    {"title": N_("Tell me about the first one"), "payload": "tell me more about the first one"},
    {"title": N_("Talk to a human"), "payload": "/contact_human_agent"},
]
UNAVAILABLE = N_("Sorry, I can't reach the catalog right now. Please try again in a moment.")


def product_card(item: Dict[str, Any]) -> Dict[str, Any]:
    """Return the card the channels render for one recommended product."""
    return {
        "product_id": item["product_id"],
        "title": item["title"],
        "price": item.get("price"),
        "currency": item.get("currency", ""),
        "image_url": item.get("image_url", ""),
        "brand": item.get("brand", ""),
        "reason": item.get("reason", ""),
    }


async def _text_and_shown(tracker: Tracker) -> Tuple[str, List[Dict[str, Any]]]:
    """Return the shopper's text and the products shown last in this conversation."""
    text = (tracker.latest_message or {}).get("text") or ""
    try:
        return text, last_shown(await conversation_messages(tracker.sender_id))
    except ApiUnavailable:
        return text, []


def _metadata(tracker: Tracker) -> Dict[str, Any]:
    latest = tracker.latest_message or {}
    return latest.get("metadata") or {}


class ActionSearchProducts(Action):
    """Recommend products for what the shopper asked, personalised by their behaviour."""

    def name(self) -> Text:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        say = say_for(tracker)
        try:
            result = await recommend(
                conversation_id=tracker.sender_id,
                session_id=_metadata(tracker).get("session_id"),
                query=latest.get("text") or "",
                intent=(latest.get("intent") or {}).get("name"),
                entities=latest.get("entities") or [],
                limit=settings.cards_per_reply,
                language=language_of(tracker),
            )
        except ApiUnavailable:
            result = await self._plain_search(latest)
            if result is None:
                dispatcher.utter_message(text=say(UNAVAILABLE))
                return []
        items = result.get("items", [])
        if not items:
            dispatcher.utter_message(
                text=nothing_found(say, result.get("constraints") or [], result.get("relaxed") or [])
            )
            return []
        intro = say("Here are some products you might like:")
        if result.get("constraints"):
            intro = say("Here is what I found ({constraints}):", constraints=say(", ").join(result["constraints"]))
        if result.get("degraded"):
            intro = say("Our catalog search is briefly unavailable, but here are some popular picks:")
        dispatcher.utter_message(
            text=intro, buttons=buttons(say, QUICK_REPLIES), json_message={"products": [product_card(i) for i in items]}
        )
        return []

    @staticmethod
    async def _plain_search(latest: Dict[str, Any]) -> Any:
        """Recommendations failed: fall back to plain catalog search (no personalisation)."""
        entities = latest.get("entities") or []
        filters = {name: entity_values(entities, name) for name in ("category", "brand", "color")}
        filters.update({k: entity_values(entities, k)[:1] for k in ("price_min", "price_max")})
        try:
            found = await search_products(latest.get("text") or "", filters, settings.cards_per_reply)
        except ApiUnavailable:
            return None
        hits = found.get("hits", [])
        return {"items": [{**h, "reason": "; ".join(h.get("why", [])[:2])} for h in hits], "constraints": []}


RELAXED_WORDS = {
    "color": N_("the colour"),
    "brand": N_("the brand"),
    "price": N_("the price limit"),
    "category": N_("the kind of product"),
    "exclusions": N_("what you ruled out"),
}


def nothing_found(say: Say, constraints: List[str], relaxed: List[str]) -> str:
    """Say that nothing meets every constraint, and which one would have to go, as a question."""
    if not relaxed:
        return say("I couldn't find anything matching that. Could you describe it differently?")
    drop = join_words(say, [say(RELAXED_WORDS.get(r, r)) for r in relaxed])
    if constraints:
        return say(
            "I couldn't find anything in stock that meets all of that ({constraints}). "
            "Without {drop} there are some options: shall I change {drop}, or would you like something else?",
            constraints=say(", ").join(constraints),
            drop=drop,
        )
    return say(
        "I couldn't find anything in stock that meets all of that. "
        "Without {drop} there are some options: shall I change {drop}, or would you like something else?",
        drop=drop,
    )


PRODUCT_ENTITIES = ("product", "category", "brand", "color")


class ActionCheckAvailability(Action):
    """Stock of a shown product, or the products that match what the shopper names."""

    def name(self) -> Text:
        return "action_check_availability"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text, shown = await _text_and_shown(tracker)
        chosen = referenced(text, shown)[:1]
        if chosen:
            await self._stock_of(dispatcher, chosen[0], say_for(tracker))
            return []
        entities = (tracker.latest_message or {}).get("entities") or []
        if any(e.get("entity") in PRODUCT_ENTITIES for e in entities):
            return await ActionSearchProducts().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_check_availability")
        return []

    @staticmethod
    async def _stock_of(dispatcher: CollectingDispatcher, card: Dict[str, Any], say: Say) -> None:
        try:
            found = await product(card["product_id"])
        except ApiUnavailable:
            dispatcher.utter_message(text=say("Sorry, I can't check stock right now. Please try again in a moment."))
            return
        if found.get("in_stock"):
            answer = say("Yes, it's in stock: the {product}.", product=describe(card, say))
        else:
            answer = say("Sorry, it's out of stock right now: the {product}.", product=describe(card, say))
        dispatcher.utter_message(text=answer, json_message={"products": [card]})


class ActionProductInfo(Action):
    """Answer about a product shown before ("the second one"), or ask which one."""

    def name(self) -> Text:
        return "action_product_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text, shown = await _text_and_shown(tracker)
        chosen = referenced(text, shown)[:1] or (shown[:1] if len(shown) == 1 else [])
        if not chosen:
            dispatcher.utter_message(response="utter_product_info")
            return []
        product = chosen[0]
        say = say_for(tracker)
        line = say("That's the {product}.", product=describe(product, say))
        if product.get("reason"):
            line += say(" I suggested it because {reason}.", reason=product["reason"])
        dispatcher.utter_message(
            text=line + say(" Want me to add it to your cart?"),
            buttons=[
                {"title": say("Add to cart"), "payload": "/add_to_cart"},
                {"title": say("Show similar"), "payload": f"show me products like {product.get('title', '')}"},
            ],
            json_message={"products": [product]},
        )
        return []


class ActionCompareProducts(Action):
    """Compare two shown products on price, brand and why they were suggested."""

    def name(self) -> Text:
        return "action_compare_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text, shown = await _text_and_shown(tracker)
        chosen = referenced(text, shown)
        if len(chosen) < 2:
            chosen = shown[:2] if len(shown) >= 2 else []
        if len(chosen) < 2:
            dispatcher.utter_message(response="utter_compare_products")
            return []
        a, b = chosen[:2]
        say = say_for(tracker)
        lines = [say("The two side by side:"), f"1. {describe(a, say)}", f"2. {describe(b, say)}"]
        if a.get("price") is not None and b.get("price") is not None and a["price"] != b["price"]:
            cheaper = a if a["price"] < b["price"] else b
            amount = format(abs(a["price"] - b["price"]), ",.2f")
            lines.append(say("The {title} is cheaper by {amount}.", title=cheaper.get("title", ""), amount=amount))
        dispatcher.utter_message(text="\n".join(lines), json_message={"products": [a, b]})
        return []


class ActionTrackOrder(Action):
    """Tell the shopper where their order is (only their own orders are looked up)."""

    def name(self) -> Text:
        return "action_track_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        say = say_for(tracker)
        order_id = order_id_in(latest.get("text") or "", latest.get("entities") or [])
        session_id = _metadata(tracker).get("session_id")
        try:
            orders = await find_orders(session_id, order_id) if session_id else []
        except ApiUnavailable:
            dispatcher.utter_message(text=say("Sorry, I can't look up orders right now. Please try again in a moment."))
            return []
        if not orders:
            if order_id:
                missing = say(
                    "I couldn't find order {order_id} for you. Could you check the number, or shall I get a human?",
                    order_id=order_id,
                )
            else:
                missing = say("I couldn't find an order for you. Could you check the number, or shall I get a human?")
            dispatcher.utter_message(
                text=missing, buttons=[{"title": say("Talk to a human"), "payload": "/contact_human_agent"}]
            )
            return []
        if order_id is None and len(orders) > 1:
            lines = [order_line(o, say) for o in orders[:3]]
            dispatcher.utter_message(text=say("Your recent orders:") + "\n" + "\n".join(lines))
            return []
        dispatcher.utter_message(text=order_line(orders[0], say))
        return []


def order_line(order: Dict[str, Any], say: Say) -> str:
    """One line about an order: its id, items, total, date placed and status."""
    items = sum(i.get("quantity", 1) for i in order.get("items", []))
    count = say("1 item") if items == 1 else say("{n} items", n=items)
    if order.get("total") is not None:
        total = format(order["total"], ",.2f")
        count += say(", total {total}", total=total)
    return say(
        "Order {order_id} ({count}), placed {date}: {status}.",
        order_id=order["order_id"],
        count=count,
        date=order["placed_at"][:10],
        status=status_words(str(order["status"]), say),
    )
