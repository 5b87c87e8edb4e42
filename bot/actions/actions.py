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
from actions.orders import order_id_in
from actions.references import describe, last_shown, referenced
from actions.settings import settings

QUICK_REPLIES = [
    {"title": "Show cheaper ones", "payload": "show me cheaper ones"},
    {"title": "Tell me about the first one", "payload": "tell me more about the first one"},
    {"title": "Talk to a human", "payload": "/contact_human_agent"},
]
UNAVAILABLE = "Sorry, I can't reach the catalog right now. Please try again in a moment."


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
        try:
            result = await recommend(
                conversation_id=tracker.sender_id,
                session_id=_metadata(tracker).get("session_id"),
                query=latest.get("text") or "",
                intent=(latest.get("intent") or {}).get("name"),
                entities=latest.get("entities") or [],
                limit=settings.cards_per_reply,
            )
        except ApiUnavailable:
            result = await self._plain_search(latest)
            if result is None:
                dispatcher.utter_message(text=UNAVAILABLE)
                return []
        items = result.get("items", [])
        if not items:
            dispatcher.utter_message(text=nothing_found(result.get("constraints") or [], result.get("relaxed") or []))
            return []
        intro = "Here are some products you might like:"
        if result.get("constraints"):
            intro = f"Here is what I found ({', '.join(result['constraints'])}):"
        if result.get("degraded"):
            intro = "Our catalog search is briefly unavailable, but here are some popular picks:"
        dispatcher.utter_message(
            text=intro, buttons=QUICK_REPLIES, json_message={"products": [product_card(i) for i in items]}
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
    "color": "the colour",
    "brand": "the brand",
    "price": "the price limit",
    "category": "the kind of product",
    "exclusions": "what you ruled out",
}


def nothing_found(constraints: List[str], relaxed: List[str]) -> str:
    """Say that nothing meets every constraint, and which one would have to go, as a question."""
    if not relaxed:
        return "I couldn't find anything matching that. Could you describe it differently?"
    wanted = f" ({', '.join(constraints)})" if constraints else ""
    dropped = [RELAXED_WORDS.get(r, r) for r in relaxed]
    drop = dropped[0] if len(dropped) == 1 else ", ".join(dropped[:-1]) + f" and {dropped[-1]}"
    return (
        f"I couldn't find anything in stock that meets all of that{wanted}. "
        f"Without {drop} there are some options: shall I change {drop}, or would you like something else?"
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
            await self._stock_of(dispatcher, chosen[0])
            return []
        entities = (tracker.latest_message or {}).get("entities") or []
        if any(e.get("entity") in PRODUCT_ENTITIES for e in entities):
            return await ActionSearchProducts().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_check_availability")
        return []

    @staticmethod
    async def _stock_of(dispatcher: CollectingDispatcher, card: Dict[str, Any]) -> None:
        try:
            found = await product(card["product_id"])
        except ApiUnavailable:
            dispatcher.utter_message(text="Sorry, I can't check stock right now. Please try again in a moment.")
            return
        answer = "Yes, it's in stock" if found.get("in_stock") else "Sorry, it's out of stock right now"
        dispatcher.utter_message(text=f"{answer}: the {describe(card)}.", json_message={"products": [card]})


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
        reason = f" I suggested it because {product['reason']}." if product.get("reason") else ""
        dispatcher.utter_message(
            text=f"That's the {describe(product)}.{reason} Want me to add it to your cart?",
            buttons=[
                {"title": "Add to cart", "payload": "/add_to_cart"},
                {"title": "Show similar", "payload": f"show me products like {product.get('title', '')}"},
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
        lines = [f"1. {describe(a)}", f"2. {describe(b)}"]
        if a.get("price") is not None and b.get("price") is not None and a["price"] != b["price"]:
            cheaper = a if a["price"] < b["price"] else b
            lines.append(f"The {cheaper.get('title', 'first')} is cheaper by {abs(a['price'] - b['price']):,.2f}.")
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
        order_id = order_id_in(latest.get("text") or "", latest.get("entities") or [])
        session_id = _metadata(tracker).get("session_id")
        try:
            orders = await find_orders(session_id, order_id) if session_id else []
        except ApiUnavailable:
            dispatcher.utter_message(text="Sorry, I can't look up orders right now. Please try again in a moment.")
            return []
        if not orders:
            asked = f"order {order_id}" if order_id else "an order"
            dispatcher.utter_message(
                text=f"I couldn't find {asked} for you. Could you check the number, or shall I get a human?",
                buttons=[{"title": "Talk to a human", "payload": "/contact_human_agent"}],
            )
            return []
        if order_id is None and len(orders) > 1:
            lines = [order_line(o) for o in orders[:3]]
            dispatcher.utter_message(text="Your recent orders:\n" + "\n".join(lines))
            return []
        dispatcher.utter_message(text=order_line(orders[0]))
        return []


def order_line(order: Dict[str, Any]) -> str:
    """One line about an order: its id, items, total, date placed and status."""
    items = sum(i.get("quantity", 1) for i in order.get("items", []))
    total = f", total {order['total']:,.2f}" if order.get("total") is not None else ""
    return (
        f"Order {order['order_id']} ({items} item{'s' if items != 1 else ''}{total}), "
        f"placed {order['placed_at'][:10]}: {order['status']}."
    )
