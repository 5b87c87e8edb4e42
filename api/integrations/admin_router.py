"""The admin API for integrations: channels, subscriptions, deliveries (admin token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.deps import AdminDep, SecretBoxDep, SessionDep, SettingsDep
from api.integrations import service as integrations
from api.integrations.chatwoot.links import require_absolute_product_urls
from api.integrations.models import Channel, Delivery, Subscription
from api.integrations.schemas import (
    ChannelCreated,
    ChannelIn,
    ChannelOut,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(prefix="/v1/admin", tags=["admin: integrations"], dependencies=[AdminDep])


def _channel_out(request: Request, c: Channel) -> dict:
    path = "chatwoot" if c.kind == "chatwoot" else "inbound"
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "mode": c.mode,
        "callback_url": c.callback_url,
        "active": c.active,
        "created_at": c.created_at,
        "inbound_url": str(request.base_url).rstrip("/") + f"/v1/webhooks/{path}/{c.id}",
    }


@router.post("/channels", response_model=ChannelCreated, status_code=201)
def create_channel(
    body: ChannelIn, session: SessionDep, request: Request, box: SecretBoxDep, settings: SettingsDep
) -> ChannelCreated:
    """Create a channel. The signing secret is returned once and stored encrypted."""
    if body.chatwoot is not None:
        require_absolute_product_urls(settings.product_url_template)
    created = integrations.create_channel(session, box, body)
    out = _channel_out(request, created.channel)
    if created.url_token is not None:  # shown once, like the secret: Chatwoot's outgoing URL for this bot
        out["inbound_url"] += f"?token={created.url_token}"
    return ChannelCreated(**out, secret=created.secret)


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(session: SessionDep, request: Request) -> list[ChannelOut]:
    """List channels (secrets are never returned)."""
    return [ChannelOut(**_channel_out(request, c)) for c in integrations.list_channels(session)]


@router.delete("/channels/{channel_id}", status_code=204)
def deactivate_channel(channel_id: str, session: SessionDep) -> None:
    """Deactivate a channel: its webhooks are refused from now on."""
    integrations.deactivate_channel(session, channel_id)


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def create_subscription(body: SubscriptionIn, session: SessionDep, box: SecretBoxDep) -> SubscriptionCreated:
    """Subscribe a URL to event types. The signing secret is returned once."""
    sub, secret = integrations.create_subscription(session, box, str(body.url), body.event_types)
    return SubscriptionCreated(**_sub_out(sub).model_dump(), secret=secret)


def _sub_out(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(id=s.id, url=s.url, event_types=s.event_types, active=s.active, created_at=s.created_at)


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(session: SessionDep) -> list[SubscriptionOut]:
    return [_sub_out(s) for s in integrations.list_subscriptions(session)]


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def deactivate_subscription(subscription_id: str, session: SessionDep) -> None:
    integrations.deactivate_subscription(session, subscription_id)


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The delivery log, newest first (filter by status, e.g. dead letters)."""
    return [_delivery_out(d, t) for d, t in integrations.list_deliveries(session, status, limit)]


def _delivery_out(d: Delivery, event_type: str) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_id=d.event_id,
        event_type=event_type,
        url=d.url,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
    )


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut)
def redeliver(delivery_id: str, session: SessionDep) -> DeliveryOut:
    """Send a delivery again now (a dead letter gets a fresh set of attempts)."""
    return _delivery_out(*integrations.redeliver(session, delivery_id))
