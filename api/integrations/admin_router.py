"""The admin API for integrations: channels, subscriptions, deliveries (admin token)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from api.deps import AdminDep, SecretBoxDep, SessionDep, SettingsDep
from api.errors import NotFound
from api.integrations.chatwoot.links import require_absolute_product_urls
from api.integrations.models import Channel, Delivery, OutboxEvent, Subscription
from api.integrations.schemas import (
    ChannelCreated,
    ChannelIn,
    ChannelOut,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)
from api.integrations.secrets_box import new_secret

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
    body: ChannelIn, session: SessionDep, request: Request, box: SecretBoxDep, app_settings: SettingsDep
) -> ChannelCreated:
    """Create a channel. The signing secret is returned once and stored encrypted."""
    secret = body.secret or new_secret()
    settings = None
    url_token = None
    if body.chatwoot is not None:
        require_absolute_product_urls(app_settings.product_url_template)
        settings = {
            "base_url": str(body.chatwoot.base_url).rstrip("/"),
            "account_id": body.chatwoot.account_id,
            "token_sealed": box.seal(body.chatwoot.api_access_token),
            "auth": body.chatwoot.auth,
        }
        if body.chatwoot.auth == "url_token":
            url_token = secrets.token_urlsafe(32)
            settings["url_token_sealed"] = box.seal(url_token)
    channel = Channel(
        name=body.name,
        kind=body.kind,
        mode=body.mode,
        callback_url=str(body.callback_url) if body.callback_url else None,
        secret_sealed=box.seal(secret),
        settings=settings,
    )
    session.add(channel)
    session.commit()
    out = _channel_out(request, channel)
    if url_token is not None:  # shown once, like the secret: Chatwoot's outgoing URL for this bot
        out["inbound_url"] += f"?token={url_token}"
    return ChannelCreated(**out, secret=secret)


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(session: SessionDep, request: Request) -> list[ChannelOut]:
    """List channels (secrets are never returned)."""
    return [
        ChannelOut(**_channel_out(request, c)) for c in session.scalars(select(Channel).order_by(Channel.created_at))
    ]


@router.delete("/channels/{channel_id}", status_code=204)
def deactivate_channel(channel_id: str, session: SessionDep) -> None:
    """Deactivate a channel: its webhooks are refused from now on."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    channel.active = False
    session.commit()


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def create_subscription(body: SubscriptionIn, session: SessionDep, box: SecretBoxDep) -> SubscriptionCreated:
    """Subscribe a URL to event types. The signing secret is returned once."""
    secret = new_secret()
    sub = Subscription(url=str(body.url), event_types=body.event_types, secret_sealed=box.seal(secret))
    session.add(sub)
    session.commit()
    return SubscriptionCreated(**_sub_out(sub).model_dump(), secret=secret)


def _sub_out(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(id=s.id, url=s.url, event_types=s.event_types, active=s.active, created_at=s.created_at)


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(session: SessionDep) -> list[SubscriptionOut]:
    return [_sub_out(s) for s in session.scalars(select(Subscription).order_by(Subscription.created_at))]


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def deactivate_subscription(subscription_id: str, session: SessionDep) -> None:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound(f"subscription {subscription_id} not found")
    sub.active = False
    session.commit()


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The delivery log, newest first (filter by status, e.g. dead letters)."""
    query = select(Delivery, OutboxEvent.type).join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
    if status:
        query = query.where(Delivery.status == status)
    rows = session.execute(query.order_by(Delivery.created_at.desc()).limit(limit)).all()
    return [_delivery_out(d, t) for d, t in rows]


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
    from api.db import utcnow

    d = session.get(Delivery, delivery_id)
    if d is None:
        raise NotFound(f"delivery {delivery_id} not found")
    d.status, d.attempts, d.next_attempt_at = "pending", 0, utcnow()
    session.commit()
    event = session.get(OutboxEvent, d.event_id)
    return _delivery_out(d, event.type if event else "")
