"""Integrations: channels, subscriptions and the delivery log (what the admin routes do)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import utcnow
from api.errors import DomainError, NotFound
from api.integrations.models import Channel, Delivery, InboundDelivery, OutboxEvent, Subscription
from api.integrations.outbox import emit_to_channel
from api.integrations.schemas import ChannelIn
from api.integrations.secrets_box import SecretBox, new_secret

log = logging.getLogger(__name__)


class Replayed(DomainError):
    status_code = 409


def remember_delivery(session: Session, channel_id: str, delivery_id: str) -> None:
    """Record a delivery id; a second time raises Replayed and nothing is processed."""
    session.add(InboundDelivery(channel_id=channel_id, delivery_id=delivery_id))
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        log.info("webhooks.refused reason=replay channel=%s delivery=%s", channel_id, delivery_id[:64])
        raise Replayed(f"delivery {delivery_id} was already received") from exc


@dataclass(frozen=True)
class NewChannel:
    """A created channel with what is shown once: its signing secret, and for a Chatwoot
    channel authenticated by URL, the token of its outgoing URL."""

    channel: Channel
    secret: str
    url_token: str | None


def create_channel(session: Session, box: SecretBox, spec: ChannelIn) -> NewChannel:
    """Create a channel; its secrets (signing secret, Chatwoot token) are stored sealed."""
    secret = spec.secret or new_secret()
    settings: dict[str, Any] | None = None
    url_token = None
    if spec.chatwoot is not None:
        settings = {
            "base_url": str(spec.chatwoot.base_url).rstrip("/"),
            "account_id": spec.chatwoot.account_id,
            "token_sealed": box.seal(spec.chatwoot.api_access_token),
            "auth": spec.chatwoot.auth,
        }
        if spec.chatwoot.auth == "url_token":
            url_token = secrets.token_urlsafe(32)
            settings["url_token_sealed"] = box.seal(url_token)
    channel = Channel(
        name=spec.name,
        kind=spec.kind,
        mode=spec.mode,
        callback_url=str(spec.callback_url) if spec.callback_url else None,
        secret_sealed=box.seal(secret),
        settings=settings,
    )
    session.add(channel)
    session.commit()
    return NewChannel(channel, secret, url_token)


def list_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.created_at)))


def deactivate_channel(session: Session, channel_id: str) -> None:
    """Deactivate a channel: its webhooks are refused from now on."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} not found")
    channel.active = False
    session.commit()


def create_subscription(session: Session, box: SecretBox, url: str, event_types: list[str]) -> tuple[Subscription, str]:
    """Subscribe a URL to event types; return it with its signing secret (shown once)."""
    secret = new_secret()
    subscription = Subscription(url=url, event_types=event_types, secret_sealed=box.seal(secret))
    session.add(subscription)
    session.commit()
    return subscription, secret


def list_subscriptions(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).order_by(Subscription.created_at)))


def deactivate_subscription(session: Session, subscription_id: str) -> None:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(f"subscription {subscription_id} not found")
    subscription.active = False
    session.commit()


def list_deliveries(session: Session, status: str | None, limit: int) -> list[tuple[Delivery, str]]:
    """The delivery log with each delivery's event type, newest first."""
    query = select(Delivery, OutboxEvent.type).join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
    if status:
        query = query.where(Delivery.status == status)
    return [(d, t) for d, t in session.execute(query.order_by(Delivery.created_at.desc()).limit(limit)).all()]


def redeliver(session: Session, delivery_id: str) -> tuple[Delivery, str]:
    """Send a delivery again now (a dead letter gets a fresh set of attempts)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, utcnow()
    session.commit()
    event = session.get(OutboxEvent, delivery.event_id)
    return delivery, event.type if event else ""


def active_channel(session: Session, channel_id: str, kind: str) -> Channel | None:
    """Return the channel when it exists, is active and is of this kind."""
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active or channel.kind != kind:
        return None
    return channel


def forward_to_channel(session: Session, channel_id: str | None, sender: str, payload: dict[str, Any]) -> bool:
    """Queue a message for a webhook channel's callback URL (an agent's reply reaches a
    shopper on an integrator's channel this way); False when the channel has no callback."""
    channel = session.get(Channel, channel_id) if channel_id else None
    if channel is None or not channel.callback_url or channel.kind != "webhook":
        return False
    emit_to_channel(session, channel, {**payload, "sender": sender})
    return True
