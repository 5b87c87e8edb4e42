"""The few Chatwoot API calls the bot makes (POST .../conversations/{id}/messages, toggle_status).

What Chatwoot accepts is checked by its ContentAttributeValidator
(app/models/concerns/content_attribute_validator.rb): cards need items with a title and
actions of type link (text, uri) or postback (text, payload); input_select needs items
with a title and a value. The widget renders a card's link as an anchor on Chatwoot's own
origin, so links must be absolute; channels other than the web widget show `content`
alone, so the text names the products.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class ChatwootClient:
    """Messages and status changes through Chatwoot's application API (the bot's token)."""

    def __init__(self, base_url: str, account_id: int, token: str, timeout_s: float = 10.0) -> None:
        self.base = f"{base_url}/api/v1/accounts/{account_id}/conversations"
        self.headers = {"api_access_token": token}
        self.timeout_s = timeout_s

    def _post(self, path: str, body: dict[str, Any]) -> None:
        for attempt in range(3):
            try:
                r = httpx.post(f"{self.base}/{path}", json=body, headers=self.headers, timeout=self.timeout_s)
                if r.status_code < 500:
                    if r.status_code >= 400:
                        log.warning("chatwoot.api.refused path=%s status=%d", path.split("/")[-1], r.status_code)
                    return
            except httpx.HTTPError as exc:
                log.warning("chatwoot.api.unavailable attempt=%d error=%s", attempt + 1, type(exc).__name__)

    def send_text(self, conversation_id: int, text: str, quick_replies: list[dict[str, str]] | None = None) -> None:
        """Send text; quick replies go as an input_select whose items are {title, value}."""
        body: dict[str, Any] = {"content": text, "message_type": "outgoing", "private": False}
        if quick_replies:
            body["content_type"] = "input_select"
            body["content_attributes"] = {
                "items": [{"title": q["title"], "value": q["payload"]} for q in quick_replies]
            }
        self._post(f"{conversation_id}/messages", body)

    def send_cards(self, conversation_id: int, products: list[dict[str, Any]], product_url: str) -> None:
        """Send product cards; `content` names them for channels that show no cards."""
        items = [card_item(p, product_url) for p in products]
        named = "; ".join(f"{i + 1}. {card_line(p)}" for i, p in enumerate(products))
        self._post(
            f"{conversation_id}/messages",
            {
                "content": f"Products: {named}",
                "content_type": "cards",
                "content_attributes": {"items": items},
                "message_type": "outgoing",
            },
        )

    def open_for_agents(self, conversation_id: int) -> None:
        self._post(f"{conversation_id}/toggle_status", {"status": "open"})


def card_line(product: dict[str, Any]) -> str:
    """The product in words: title and price."""
    price = product.get("price")
    money = f" ({product.get('currency', '')} {price:,.2f})".replace("( ", "(") if price is not None else ""
    return f"{product['title']}{money}"


def card_item(product: dict[str, Any], product_url: str) -> dict[str, Any]:
    """One card: an empty media_url is left out, the link is absolute (product_url is)."""
    price = product.get("price")
    money = f"{product.get('currency', '')} {price:,.2f}".strip() if price is not None else ""
    item: dict[str, Any] = {
        "title": product["title"],
        "description": " · ".join(x for x in (money, product.get("reason", "")) if x),
        "actions": [{"type": "link", "text": "View", "uri": product_url.format(product_id=product["product_id"])}],
    }
    if product.get("image_url"):
        item["media_url"] = product["image_url"]
    return item
