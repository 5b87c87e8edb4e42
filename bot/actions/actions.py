"""Custom actions. Search asks the API's catalog search and answers with product cards."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiUnavailable, entity_values, search_products
from actions.settings import settings

QUICK_REPLIES = [
    {"title": "Show cheaper ones", "payload": "show me cheaper ones"},
    {"title": "Talk to a human", "payload": "/contact_human_agent"},
]


def product_card(hit: Dict[str, Any]) -> Dict[str, Any]:
    """Return the card the channels render for one search hit."""
    return {
        "product_id": hit["product_id"],
        "title": hit["title"],
        "price": hit.get("price"),
        "currency": hit.get("currency", ""),
        "image_url": hit.get("image_url", ""),
        "brand": hit.get("brand", ""),
        "reason": "; ".join(hit.get("why", [])[:2]),
    }


class ActionSearchProducts(Action):
    """Search the catalog with what the shopper said and show product cards."""

    def name(self) -> Text:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        entities = latest.get("entities") or []
        filters = {
            "category": entity_values(entities, "category"),
            "brand": entity_values(entities, "brand"),
            "color": entity_values(entities, "color"),
            "price_min": entity_values(entities, "price_min")[:1],
            "price_max": entity_values(entities, "price_max")[:1],
        }
        try:
            result = await search_products(text, filters, settings.cards_per_reply)
        except ApiUnavailable:
            dispatcher.utter_message(text="Sorry, I can't search the catalog right now. Please try again in a moment.")
            return []
        hits = result.get("hits", [])
        if not hits:
            dispatcher.utter_message(text="I couldn't find anything matching that. Could you describe it differently?")
            return []
        intro = "Here are some products you might like:"
        if result.get("relaxed"):
            intro = (
                f"I couldn't find an exact match (I ignored the {', '.join(result['relaxed'])}), but these come close:"
            )
        dispatcher.utter_message(
            text=intro,
            buttons=QUICK_REPLIES,
            json_message={"products": [product_card(h) for h in hits]},
        )
        return []
