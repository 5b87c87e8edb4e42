"""POST /v1/webhooks/chatwoot/{channel_id}: Chatwoot's agent-bot events.

Authentication, per channel: Chatwoot v4.13.0 and later sign each delivery
(`X-Chatwoot-Signature` over `{X-Chatwoot-Timestamp}.{body}` with the bot's secret);
older Chatwoot sends no signature, so a channel created with `"auth": "url_token"` is
authenticated by an unguessable token in its outgoing URL instead (compared in constant
time). Chatwoot opens the conversation for agents on any bot answer other than 2xx, 429
or 500 (lib/webhooks/trigger.rb: `execute` rescues the failed POST and `handle_error` calls
`conversation.open!` for a pending conversation), so every delivery we can take gets a 2xx: a repeat is
answered "duplicate", a long message is accepted and cut for the NLU.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.errors import DomainError, Unauthorized
from api.integrations.chatwoot.bot import answer, status_changed
from api.integrations.chatwoot.events import STATUS_EVENTS, conversation_of
from api.integrations.inbound_router import load_channel, parse_json, read_body, verify_signature
from api.integrations.models import Channel
from api.integrations.service import Replayed, remember_delivery
from api.services import Services, ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
SIGNATURE = "X-Chatwoot-Signature"
TIMESTAMP = "X-Chatwoot-Timestamp"
#: Chatwoot messages reach 150,000 characters; with the payload around them, a few hundred KiB.
MAX_CHATWOOT_BODY = 1024 * 1024


async def _authenticated(request: Request, services: Services, channel_id: str) -> tuple[Channel, bytes]:
    body = await read_body(request, MAX_CHATWOOT_BODY)
    channel = load_channel(services, channel_id, "chatwoot")
    settings = channel.settings or {}
    if settings.get("auth") == "url_token":
        expected = services.secret_box.open(settings["url_token_sealed"])
        if not hmac.compare_digest(request.query_params.get("token", "").encode(), expected.encode()):
            log.info("webhooks.refused reason=bad_url_token channel=%s", channel_id)
            raise Unauthorized("the token in the URL does not match this channel's")
        return channel, body
    verify_signature(request, services.secret_box, channel, body, SIGNATURE, TIMESTAMP)
    return channel, body


@router.post("/chatwoot/{channel_id}")
async def chatwoot_webhook(
    channel_id: str, request: Request, services: ServicesDep, background: BackgroundTasks
) -> JSONResponse:
    """Chatwoot agent-bot events for one Chatwoot channel."""
    channel, body = await _authenticated(request, services, channel_id)
    event = parse_json(body)
    if not isinstance(event, dict):
        raise DomainError("the body must be a JSON object")
    kind = event.get("event")
    if kind == "message_created":
        conversation = conversation_of(event)
        if event.get("message_type") != "incoming" or event.get("private") or conversation.get("status") != "pending":
            return JSONResponse({"ignored": "not an incoming message of a pending conversation"})
        if not isinstance(conversation.get("id"), int) or not str(event.get("content") or "").strip():
            return JSONResponse({"ignored": "no conversation id or no text"})
        try:
            with services.session_factory() as session:
                remember_delivery(session, channel.id, f"message-{event.get('id')}")
        except Replayed:
            return JSONResponse({"ignored": "duplicate delivery"})  # a 2xx: any other answer opens it for agents
        background.add_task(run_in_threadpool, answer, services, channel, event)
        return JSONResponse({"accepted": True}, status_code=202)
    if kind in STATUS_EVENTS:
        done = await run_in_threadpool(status_changed, services, channel, event)
        return JSONResponse({"accepted": True, "done": done})
    return JSONResponse({"ignored": f"event {kind!r} needs no answer"})
