"""Chatwoot's agent-bot payloads, built field by field from Chatwoot's source (chatwoot/chatwoot).

Read in the search tool's index (the versions stored there; commit ids in brackets):
- app/models/message.rb [0049df88] `webhook_data`: id, content, created_at, message_type,
  content_type, content_attributes, source_id, sender, contact, inbox, conversation,
  account. Newer Chatwoot adds `private` and sends the contact as `sender` for incoming
  messages (the older file puts the agent user there and the contact under `contact`).
- app/presenters/conversations/event_data_presenter.rb [01ff5794] `push_data` (lines 2-20;
  `push_meta` 28-36, the contact as meta.sender on line 30), the
  conversation's webhook payload: additional_attributes, can_reply, channel, contact_inbox,
  id (the display id), inbox_id, messages, labels, meta {sender (the contact), assignee,
  assignee_type, team, hmac_verified}, status, custom_attributes, snoozed_until,
  unread_count, first_reply_created_at, priority, waiting_since, timestamps.
- app/listeners/agent_bot_listener.rb [07c914a5]: conversation_resolved (lines 2-10) and
  conversation_opened (12-20) send `conversation.webhook_data.merge(event:)` (flat: the
  conversation's fields at the top level, no `conversation` key); message_created (22-30)
  and message_updated send `message.webhook_data.merge(event:)`; webwidget_triggered
  (42-50) sends `contact_inbox.webhook_data` with `event_info`. (Issue 20 reports that v4.16.2 also sends
  conversation_status_changed and conversation_updated the same flat way, with
  `changed_attributes`.)
- lib/webhooks/trigger.rb [05a4bd24] `execute` (lines 14-19) rescues and calls
  `handle_error` (34-48): when the POST to the bot raises
  (RestClient raises on a non-2xx answer, and on timeouts), for message_created and
  message_updated of a `pending` conversation Chatwoot marks the message failed and calls
  `conversation.open!`, handing it to agents. Issue 20 reports that v4.16.2 spares 429 and
  500, and signs deliveries from v4.13.0 (X-Chatwoot-Signature = "sha256=" + hex HMAC-SHA256
  over "{X-Chatwoot-Timestamp}.{body}"), which the stored file predates.
- app/models/concerns/content_attribute_validator.rb [0434b7cf]: the allowed keys (lines 2-4),
  `validate` (6-16), and the checks in validate_content_attributes below (21, 24-28, 30-41).
"""

from __future__ import annotations

from typing import Any

#: Chatwoot's limit on a message's content (issue 20: 150,000 characters).
MAX_CONTENT_LENGTH = 150_000
ACCOUNT = {"id": 3, "name": "Demo shop"}
INBOX = {"id": 9, "name": "Website"}

# content_attribute_validator.rb: ALLOWED_SELECT_ITEM_KEYS, ALLOWED_CARD_ITEM_KEYS, ALLOWED_CARD_ITEM_ACTION_KEYS
SELECT_ITEM_KEYS = {"title", "value"}
CARD_ITEM_KEYS = {"title", "description", "media_url", "actions"}
CARD_ACTION_KEYS = {"text", "type", "payload", "uri"}


def validate_content_attributes(content_type: str, attributes: dict[str, Any] | None) -> list[str]:
    """The errors ContentAttributeValidator#validate adds (same checks, same messages)."""
    items = (attributes or {}).get("items")
    errors: list[str] = []
    if content_type not in ("input_select", "cards"):
        return errors
    if not items:
        return ["At least one item is required."]  # validate_items!, line 21
    allowed = SELECT_ITEM_KEYS if content_type == "input_select" else CARD_ITEM_KEYS
    invalid = sorted({k for item in items for k in item} - allowed)
    if invalid:
        errors.append(f"contains invalid keys for items : {invalid}")  # validate_item_attributes!, 24-28
    if content_type == "cards":
        if any(not item.get("actions") for item in items):
            return [*errors, "contains items missing actions"]  # validate_item_actions!, 30-35
        bad_actions = sorted({k for item in items for action in item["actions"] for k in action} - CARD_ACTION_KEYS)
        if bad_actions:
            errors.append(f"contains invalid keys for actions:  {bad_actions}")  # lines 37-41
    return errors


def contact(contact_id: int) -> dict[str, Any]:
    """Contact#push_event_data / webhook_data (the fields the presenters put under meta.sender)."""
    return {
        "id": contact_id,
        "name": f"Shopper {contact_id}",
        "email": None,
        "phone_number": None,
        "thumbnail": "",
        "additional_attributes": {},
        "custom_attributes": {},
        "type": "contact",
    }


def conversation(conversation_id: int, contact_id: int, status: str = "pending") -> dict[str, Any]:
    """Conversations::EventDataPresenter#push_data (what conversation.webhook_data is)."""
    return {
        "additional_attributes": {},
        "can_reply": True,
        "channel": "Channel::WebWidget",
        "contact_inbox": {"contact_id": contact_id, "inbox_id": INBOX["id"], "source_id": f"src-{contact_id}"},
        "id": conversation_id,
        "inbox_id": INBOX["id"],
        "messages": [],
        "labels": [],
        "meta": {"sender": contact(contact_id), "assignee": None, "assignee_type": None, "team": None},
        "status": status,
        "custom_attributes": {},
        "snoozed_until": None,
        "unread_count": 1,
        "first_reply_created_at": None,
        "priority": None,
        "waiting_since": 1764000000,
        "agent_last_seen_at": 0,
        "contact_last_seen_at": 0,
        "last_activity_at": 1764000000,
        "timestamp": 1764000000,
        "created_at": 1764000000,
        "updated_at": 1764000000.0,
    }


def _message(
    kind: str, conversation_id: int, contact_id: int, message_id: int, content: str, status: str, **extra: Any
) -> dict[str, Any]:
    """Message#webhook_data merged with event: message_created (agent_bot_listener.rb)."""
    return {
        "event": "message_created",
        "id": message_id,
        "content": content,
        "created_at": "2026-12-02T10:00:00.000Z",
        "message_type": kind,
        "content_type": "text",
        "content_attributes": {},
        "source_id": None,
        "private": False,
        "sender": contact(contact_id) if kind == "incoming" else {"id": 1, "name": "Ana", "type": "user"},
        "inbox": INBOX,
        "conversation": conversation(conversation_id, contact_id, status),
        "account": ACCOUNT,
        **extra,
    }


def message_created_incoming(
    conversation_id: int, contact_id: int, message_id: int, content: str, status: str = "pending"
) -> dict[str, Any]:
    return _message("incoming", conversation_id, contact_id, message_id, content, status)


def message_created_outgoing(conversation_id: int, contact_id: int, message_id: int, content: str) -> dict[str, Any]:
    return _message("outgoing", conversation_id, contact_id, message_id, content, "open")


def message_created_private_note(
    conversation_id: int, contact_id: int, message_id: int, content: str
) -> dict[str, Any]:
    return _message("outgoing", conversation_id, contact_id, message_id, content, "open", private=True)


def message_created_template(conversation_id: int, contact_id: int, message_id: int, content: str) -> dict[str, Any]:
    return _message("template", conversation_id, contact_id, message_id, content, "pending")


def _status_event(event: str, conversation_id: int, contact_id: int, status: str, **extra: Any) -> dict[str, Any]:
    """conversation.webhook_data.merge(event:): flat, no `conversation` key."""
    return {**conversation(conversation_id, contact_id, status), "event": event, **extra}


def conversation_status_changed(conversation_id: int, contact_id: int, status: str, previous: str) -> dict[str, Any]:
    changed = [{"status": {"previous_value": previous, "current_value": status}}]
    return _status_event("conversation_status_changed", conversation_id, contact_id, status, changed_attributes=changed)


def conversation_updated(
    conversation_id: int, contact_id: int, status: str, changed_attributes: list[dict[str, Any]]
) -> dict[str, Any]:
    return _status_event(
        "conversation_updated", conversation_id, contact_id, status, changed_attributes=changed_attributes
    )


def conversation_opened(conversation_id: int, contact_id: int) -> dict[str, Any]:
    return _status_event("conversation_opened", conversation_id, contact_id, "open")


def conversation_resolved(conversation_id: int, contact_id: int) -> dict[str, Any]:
    return _status_event("conversation_resolved", conversation_id, contact_id, "resolved")


def webwidget_triggered(contact_id: int) -> dict[str, Any]:
    """contact_inbox.webhook_data with event_info (agent_bot_listener.rb webwidget_triggered)."""
    return {
        "event": "webwidget_triggered",
        "id": 40 + contact_id,
        "contact": contact(contact_id),
        "inbox": INBOX,
        "account": ACCOUNT,
        "current_conversation": None,
        "source_id": f"src-{contact_id}",
        "event_info": {"initiated_at": {"timestamp": "2026-12-02T10:00:00Z"}, "referer": "https://shop.example.com/"},
    }
