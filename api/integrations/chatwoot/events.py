"""Reading Chatwoot's agent-bot events (shapes from Chatwoot's source; see tests/support/chatwoot_fixtures.py).

- message_created: the message's fields at the top level (Message#webhook_data), the
  conversation under `conversation` (Conversations::EventDataPresenter), the contact under
  `sender` for incoming messages.
- conversation_status_changed, conversation_updated, conversation_opened,
  conversation_resolved: the conversation's own fields at the top level (id, status,
  meta.sender, contact_inbox, ...) plus `changed_attributes`; there is no `conversation` key.
"""

from __future__ import annotations

from typing import Any

STATUS_EVENTS = ("conversation_status_changed", "conversation_updated", "conversation_opened", "conversation_resolved")


def conversation_of(event: dict[str, Any]) -> dict[str, Any]:
    """The conversation an event is about: nested for messages, the event itself for status events."""
    if event.get("event") in STATUS_EVENTS:
        return event
    nested = event.get("conversation")
    return nested if isinstance(nested, dict) else {}


def contact_id(event: dict[str, Any]) -> Any:
    """The Chatwoot contact behind an event (None when the payload names none)."""
    conversation = conversation_of(event)
    sender = (conversation.get("meta") or {}).get("sender") or {}
    if not sender and event.get("message_type") in ("incoming", 0):
        sender = event.get("sender") or event.get("contact") or {}  # `contact` in Chatwoot before v2
    return sender.get("id") or (conversation.get("contact_inbox") or {}).get("contact_id")


def new_status(event: dict[str, Any]) -> str | None:
    """The status a status event set, or None when it changed something else (labels, assignee...)."""
    kind = event.get("event")
    if kind == "conversation_resolved":
        return "resolved"
    if kind == "conversation_opened":
        return "open"
    changed = event.get("changed_attributes") or {}
    if isinstance(changed, list):  # [{"status": {"previous_value": ..., "current_value": ...}}]
        changed = {k: v for item in changed if isinstance(item, dict) for k, v in item.items()}
    status_change = changed.get("status") if isinstance(changed, dict) else None
    if kind == "conversation_status_changed":
        return str(event.get("status") or (status_change or {}).get("current_value") or "") or None
    if kind == "conversation_updated" and status_change:
        return str(status_change.get("current_value") or event.get("status") or "") or None
    return None
