"""The channel the ShopTalk API talks to: one round trip per turn, replies and NLU together.

Like Rasa's REST channel, but the message is parsed first and the parse is handed to the
processor (so NLU runs once), and the answer carries both the bot's messages and what
the NLU understood: `{"messages": [...], "nlu": {intent, intent_ranking, entities,
purchase_intent, ...}}`. The API no longer has to fetch the tracker after every turn.
"""

import hmac
import os
from typing import Any, Awaitable, Callable, Dict, Text

import rasa_patches  # noqa: F401 - every Rasa server loads this channel, so its checked patches too
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

NLU_KEYS = ("intent", "intent_ranking", "entities", "purchase_intent", "text")


class ShopTalkInput(InputChannel):
    """POST /webhooks/shoptalk/webhook {sender, message, metadata}."""

    @classmethod
    def name(cls) -> Text:
        return "shoptalk"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("shoptalk_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            # Only the API may speak for shoppers: it masks personal data and owns the sender ids.
            if not api_authorised(request):
                return response.json({"error": "the Rasa token is required (Authorization: Bearer)"}, status=401)
            body: Dict[Text, Any] = request.json or {}
            sender_id = body.get("sender")
            text = body.get("message")
            if not isinstance(sender_id, str) or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            agent = request.app.ctx.agent
            parse_data = await agent.parse_message(text)
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender_id,
                    parse_data=parse_data,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
            nlu = {k: parse_data.get(k) for k in NLU_KEYS if k in parse_data}
            return response.json({"messages": collector.messages, "nlu": nlu})

        @hook.route("/conversations/<conversation_id>", methods=["DELETE"])
        async def forget(request: Request, conversation_id: Text) -> HTTPResponse:
            """Delete a conversation's tracker (data-rights delete); needs the Rasa token."""
            if not api_authorised(request):
                return response.json({"error": "the Rasa token is required"}, status=401)
            store = request.app.ctx.agent.tracker_store
            deleted = forget_tracker(store, conversation_id)
            return response.json({"conversation_id": conversation_id, "deleted": deleted})

        return hook


def api_authorised(request: Request) -> bool:
    """True when the request carries the Rasa token (RASA_TOKEN), which only the API holds."""
    token = os.environ.get("RASA_TOKEN", "")
    given = request.headers.get("authorization", "").removeprefix("Bearer ")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def forget_tracker(store: Any, conversation_id: Text) -> bool:
    """Remove every stored event of a conversation from Rasa's tracker store."""
    inner = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None) or store
    if hasattr(inner, "forget"):  # CachedSQLTrackerStore: its rows and its memory of them
        inner.forget(conversation_id)
        return True
    if hasattr(inner, "session_scope") and hasattr(inner, "SQLEvent"):  # SQLTrackerStore
        with inner.session_scope() as session:
            session.query(inner.SQLEvent).filter(inner.SQLEvent.sender_id == conversation_id).delete()
            session.commit()
        return True
    if hasattr(inner, "store") and isinstance(inner.store, dict):  # InMemoryTrackerStore
        return inner.store.pop(conversation_id, None) is not None
    if hasattr(inner, "red"):  # RedisTrackerStore
        return bool(inner.red.delete(inner.key_prefix + conversation_id))
    return False
