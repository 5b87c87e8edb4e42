"""A fake Chatwoot that behaves as the real one does where the bot meets it.

- Its API (POST .../conversations/{id}/messages, .../toggle_status) checks the bot's
  api_access_token and validates content_attributes with ContentAttributeValidator's rules
  (tests/support/chatwoot_fixtures.py); an invalid message is refused with 422.
- It delivers events as Chatwoot's agent-bot webhooks do: signed (v4.13.0+:
  X-Chatwoot-Signature "sha256=" + HMAC-SHA256 over "{timestamp}.{body}") or unsigned, to
  the bot's outgoing URL (which may carry a token).
- When the bot answers a message_created of a pending conversation with anything but 2xx,
  it opens the conversation for agents (lib/webhooks/trigger.rb handle_error), as Chatwoot
  does, and records why.
- Status events are flat (the conversation's own fields, no `conversation` key).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.integrations.signing import sign
from tests.support import chatwoot_fixtures as cw
from tests.support.receiver import Received, receiver

_PATH = re.compile(r"^/api/v1/accounts/(\d+)/conversations/(\d+)/(messages|toggle_status)$")


@dataclass
class FakeChatwoot:
    """Conversation statuses, what the bot posted, and how to deliver an event to the bot."""

    url: str
    token: str
    outgoing_url: str = ""
    secret: str | None = None  # None: an old Chatwoot that signs nothing
    statuses: dict[int, str] = field(default_factory=dict)
    posted: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    refused: list[tuple[int, list[str]]] = field(default_factory=list)
    opened_by_error: list[int] = field(default_factory=list)

    def answer(self, call: Received) -> int:
        match = _PATH.match(call.path)
        if match is None:
            return 404
        if call.headers.get("api_access_token") != self.token:
            return 401
        conversation_id, kind, body = int(match.group(2)), match.group(3), call.json()
        if kind == "toggle_status":
            self.statuses[conversation_id] = body["status"]
            return 200
        errors = cw.validate_content_attributes(body.get("content_type", "text"), body.get("content_attributes"))
        if len(body.get("content") or "") > cw.MAX_CONTENT_LENGTH:
            errors.append("content is too long")
        if errors:
            self.refused.append((conversation_id, errors))
            return 422
        self.posted.append((conversation_id, body))
        return 200

    def deliver(self, event: dict[str, Any]) -> httpx.Response:
        """POST an event to the bot as Chatwoot's webhook trigger does; apply handle_error."""
        body = json.dumps(event).encode()
        headers = {"content-type": "application/json"}
        if self.secret is not None:
            ts = str(int(time.time()))
            headers |= {"X-Chatwoot-Timestamp": ts, "X-Chatwoot-Signature": sign(self.secret, ts, body)}
        response = httpx.post(self.outgoing_url, content=body, headers=headers, timeout=30)
        conversation = event.get("conversation") or {}
        status = self.statuses.get(conversation.get("id"), conversation.get("status"))
        if event.get("event") == "message_created" and not response.is_success and status == "pending":
            self.statuses[conversation["id"]] = "open"  # "marked open by system due to an error"
            self.opened_by_error.append(conversation["id"])
        return response

    def incoming(self, conversation_id: int, contact_id: int, message_id: int, text: str) -> httpx.Response:
        """A shopper writes in a conversation (pending unless an agent or an error opened it)."""
        status = self.statuses.setdefault(conversation_id, "pending")
        return self.deliver(cw.message_created_incoming(conversation_id, contact_id, message_id, text, status))

    def set_status(self, conversation_id: int, contact_id: int, status: str) -> httpx.Response:
        """An agent changes the status in Chatwoot; the bot gets the flat status event."""
        previous = self.statuses.get(conversation_id, "pending")
        self.statuses[conversation_id] = status
        if status == "resolved":
            return self.deliver(cw.conversation_resolved(conversation_id, contact_id))
        return self.deliver(cw.conversation_status_changed(conversation_id, contact_id, status, previous))

    def wait_for_posts(self, conversation_id: int, n: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = [body for cid, body in self.posted if cid == conversation_id]
            if len(mine) >= n:
                return mine
            time.sleep(0.02)
        raise AssertionError(f"{len(self.posted)} posts, {self.refused} refused; wanted {n} in {conversation_id}")


@contextmanager
def fake_chatwoot(token: str) -> Iterator[FakeChatwoot]:
    with receiver() as server:
        fake = FakeChatwoot(url=server.url, token=token)
        server.answer = fake.answer
        yield fake
