"""POST /v1/webhooks/inbound/{channel_id}: integrators send shopper messages, signed."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.conversations import service as conversations
from api.errors import DomainError, NotFound, Unauthorized
from api.integrations import service as integrations
from api.integrations.models import Channel
from api.integrations.outbox import emit_to_channel
from api.integrations.schemas import InboundMessage
from api.integrations.secrets_box import SecretBox
from api.integrations.service import remember_delivery
from api.integrations.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_matches,
    timestamp_fresh,
)
from api.services import Services, ServicesDep
from api.turns.service import validate_text

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
MAX_BODY_BYTES = 64 * 1024


class PayloadTooLarge(DomainError):
    status_code = 413


async def read_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """Return the raw body, refusing one over `max_bytes` (declared or read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"body is larger than {max_bytes} bytes")
    body = await request.body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"body is larger than {max_bytes} bytes")
    return body


def load_channel(services: Services, channel_id: str, kind: str) -> Channel:
    """Return the active channel of this kind, or raise NotFound."""
    with services.session_factory() as session:
        channel = integrations.active_channel(session, channel_id, kind)
        if channel is None:
            log.info("webhooks.refused reason=unknown_channel channel=%s", channel_id[:40])
            raise NotFound(f"no active {kind} channel {channel_id}")
        session.expunge(channel)
    return channel


def verify_signature(
    request: Request, box: SecretBox, channel: Channel, body: bytes, sig_header: str, ts_header: str
) -> str:
    """Check the HMAC signature and the timestamp's freshness; return the timestamp."""
    signature, timestamp = request.headers.get(sig_header), request.headers.get(ts_header)
    if not signature or not timestamp:
        log.info("webhooks.refused reason=unsigned channel=%s", channel.id)
        raise Unauthorized(f"{sig_header} and {ts_header} headers are required")
    secret = box.open(channel.secret_sealed)
    if not signature_matches(secret, timestamp, body, signature):
        log.info("webhooks.refused reason=bad_signature channel=%s", channel.id)
        raise Unauthorized("the signature does not match the body")
    if not timestamp_fresh(timestamp):
        log.info("webhooks.refused reason=stale_timestamp channel=%s", channel.id)
        raise Unauthorized("the timestamp is outside the 300 s window (or not Unix seconds)")
    return timestamp


async def read_verified(
    request: Request, services: Services, channel_id: str, kind: str, sig_header: str, ts_header: str
) -> tuple[Channel, bytes, str]:
    """Return (channel, raw body, timestamp) after size, channel, signature and freshness checks."""
    body = await read_body(request)
    channel = load_channel(services, channel_id, kind)
    return channel, body, verify_signature(request, services.secret_box, channel, body, sig_header, ts_header)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise DomainError("the body is not valid JSON") from exc


def _turn(services: Services, channel: Channel, message: InboundMessage) -> dict[str, Any]:
    with services.session_factory() as session:
        conversation, messages = services.turns.handle(
            session,
            sender=f"{channel.id}:{message.sender}",
            text=message.message,
            channel="webhook",
            metadata=message.metadata,
            channel_id=channel.id,
        )
        out = {
            "conversation_id": conversation.id,
            "sender": message.sender,
            "messages": [conversations.to_out(m).model_dump(mode="json") for m in messages[1:]],
        }
        if channel.mode == "async":
            emit_to_channel(session, channel, out)
            session.commit()
        return out


@router.post("/inbound/{channel_id}", status_code=200)
async def inbound(
    channel_id: str, request: Request, services: ServicesDep, background: BackgroundTasks
) -> JSONResponse:
    """A shopper message from an integrator's channel.

    Headers: `X-ShopTalk-Timestamp` (Unix seconds), `X-ShopTalk-Signature`
    (`sha256=` + hex HMAC-SHA256 of `{timestamp}.{body}` with the channel secret) and
    `X-ShopTalk-Delivery` (unique per delivery; a replay is refused with 409).
    Sync channels get the bot's replies in the response; async channels get 202 and the
    replies are POSTed, signed the same way, to their callback URL.
    """
    channel, body, _ = await read_verified(request, services, channel_id, "webhook", SIGNATURE_HEADER, TIMESTAMP_HEADER)
    delivery_id = request.headers.get(DELIVERY_HEADER)
    if not delivery_id or len(delivery_id) > 128:
        raise DomainError(f"the {DELIVERY_HEADER} header is required (at most 128 characters)")
    try:
        message = InboundMessage.model_validate(parse_json(body))
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        raise DomainError(f"invalid message: {detail}") from exc
    validate_text(message.message, services.settings.max_message_bytes)
    with services.session_factory() as session:
        remember_delivery(session, channel.id, delivery_id)
    if channel.mode == "async":
        background.add_task(run_in_threadpool, _turn, services, channel, message)
        return JSONResponse({"accepted": True, "delivery_id": delivery_id}, status_code=202)
    return JSONResponse(await run_in_threadpool(_turn, services, channel, message))
