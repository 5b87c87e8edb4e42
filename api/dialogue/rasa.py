"""The Rasa adapter: the REST channel for turns, the HTTP API for what NLU understood."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from api.dialogue.port import BotMessage, BotTurn, DialogueUnavailable, NluResult, ProductCard, QuickReply

log = logging.getLogger(__name__)


def _cards_fallback(products: list[ProductCard]) -> str:
    lines = [
        f"{i}. {p.title}" + (f" - {p.currency} {p.price:,.0f}" if p.price else "") for i, p in enumerate(products, 1)
    ]
    return "\n".join(lines)


def parse_rest_reply(items: list[dict[str, Any]]) -> list[BotMessage]:
    """Turn Rasa REST channel output into bot messages; rich parts get a text fallback."""
    messages: list[BotMessage] = []
    for item in items:
        custom = item.get("custom") or {}
        products = [ProductCard(**p) for p in custom.get("products", [])] if isinstance(custom, dict) else []
        buttons = item.get("buttons") or (custom.get("quick_replies") if isinstance(custom, dict) else None) or []
        quick = [
            QuickReply(title=str(b.get("title", "")), payload=str(b.get("payload", b.get("title", ""))))
            for b in buttons
        ]
        text = str(item.get("text") or (custom.get("text") if isinstance(custom, dict) else "") or "")
        if products and not text and not quick and messages and not messages[-1].products:
            messages[-1].products = products  # Rasa sends a message's custom part separately
            continue
        if products and not text:
            text = _cards_fallback(products)
        if not text and not quick and not products:
            continue
        messages.append(BotMessage(text=text, quick_replies=quick, products=products))
    return messages


def parse_latest_message(latest: dict[str, Any]) -> NluResult | None:
    """Read intent, confidence, entities and purchase intent from a tracker's latest message."""
    intent = latest.get("intent") or {}
    if not intent.get("name"):
        return None
    purchase = latest.get("purchase_intent") or {}
    entities = [
        {k: e.get(k) for k in ("entity", "value", "start", "end", "confidence_entity", "extractor") if k in e}
        for e in latest.get("entities", [])
        if e.get("entity")
        != "language"  # the NLU's note of the reply language (it fills a slot), not a value the shopper named
    ]
    return NluResult(
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        entities=entities,
        intent_ranking=latest.get("intent_ranking", [])[:5],
        stage=purchase.get("stage"),
        stage_score=purchase.get("score"),
    )


class RasaDialogueEngine:
    """DialogueEngine on a Rasa server (REST channel + token-protected HTTP API)."""

    def __init__(self, base_url: str, token: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(2.0, timeout_s)))

    def handle(self, *, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotTurn:
        """Send the message through the ShopTalk channel: replies and NLU in one answer."""
        try:
            reply = self._client.post(
                f"{self.base_url}/webhooks/shoptalk/webhook",
                json={"sender": conversation_id, "message": text, "metadata": metadata},
                headers={"authorization": f"Bearer {self.token}"},
            )
            reply.raise_for_status()
            body = reply.json()
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                raise DialogueUnavailable("rasa answered an unexpected shape")
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("dialogue.rasa.unavailable error=%s", type(exc).__name__)
            raise DialogueUnavailable(str(type(exc).__name__)) from exc
        nlu = body.get("nlu")
        return BotTurn(
            messages=parse_rest_reply(body["messages"]),
            nlu=parse_latest_message(nlu) if isinstance(nlu, dict) else self._latest_nlu(conversation_id),
        )

    def _latest_nlu(self, conversation_id: str) -> NluResult | None:
        try:
            tracker = self._client.get(
                f"{self.base_url}/conversations/{conversation_id}/tracker",
                params={"include_events": "NONE", "token": self.token},
            )
            tracker.raise_for_status()
            return parse_latest_message(tracker.json().get("latest_message") or {})
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("dialogue.rasa.tracker_unavailable error=%s", type(exc).__name__)
            return None

    def ready(self) -> bool:
        """Return True when Rasa reports a loaded model."""
        try:
            status = self._client.get(f"{self.base_url}/status", params={"token": self.token})
            return status.status_code == 200 and bool(status.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False

    def forget(self, conversation_id: str) -> bool:
        """Delete the conversation's tracker through the ShopTalk channel's token-protected route."""
        try:
            r = self._client.delete(
                f"{self.base_url}/webhooks/shoptalk/conversations/{conversation_id}",
                headers={"authorization": f"Bearer {self.token}"},
            )
            r.raise_for_status()
            return bool(r.json().get("deleted"))
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("dialogue.rasa.forget_failed error=%s", type(exc).__name__)
            raise DialogueUnavailable(type(exc).__name__) from exc

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
