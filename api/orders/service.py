"""Orders as the shop reported them through purchase events.

A purchase event may carry `extra.order_id` and `extra.status` (placed, paid, shipped,
delivered, cancelled, refunded); a later event with the same order id and a new status
updates it. A shop with an order API can put an adapter behind the same function.
Only the asking shopper's own orders are ever returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.behaviour.service import as_utc


class OrderItem(BaseModel):
    product_id: str
    quantity: int
    price: float | None = None


class Order(BaseModel):
    """One order and where it stands."""

    order_id: str
    status: str
    placed_at: str
    updated_at: str
    items: list[OrderItem] = Field(default_factory=list)
    total: float | None = None


def find_orders(session: Session, keys: Sequence[str], order_id: str | None = None, limit: int = 20) -> list[Order]:
    """Return the shopper's orders, newest first (only the one asked for when order_id is given)."""
    if not keys:
        return []
    rows = session.scalars(
        select(BehaviourEvent)
        .where(
            BehaviourEvent.type == "purchase",
            or_(BehaviourEvent.session_id.in_(list(keys)), BehaviourEvent.customer_id.in_(list(keys))),
        )
        .order_by(BehaviourEvent.occurred_at, BehaviourEvent.id)
        .limit(5000)
    ).all()
    orders: dict[str, dict[str, Any]] = {}
    for event in rows:
        extra = event.extra or {}
        oid = str(extra.get("order_id") or event.event_id)
        at = as_utc(event.occurred_at).isoformat()
        order = orders.setdefault(oid, {"order_id": oid, "status": "placed", "placed_at": at, "items": {}})
        order["updated_at"] = at
        if extra.get("status"):
            order["status"] = str(extra["status"])
        if event.product_id and event.product_id not in order["items"]:
            order["items"][event.product_id] = OrderItem(
                product_id=event.product_id, quantity=event.quantity, price=event.price
            )
    out = []
    for o in orders.values():
        items = list(o["items"].values())
        priced = [i.price * i.quantity for i in items if i.price is not None]
        out.append(
            Order(
                order_id=o["order_id"],
                status=o["status"],
                placed_at=o["placed_at"],
                updated_at=o["updated_at"],
                items=items,
                total=round(sum(priced), 2) if priced else None,
            )
        )
    if order_id is not None:
        out = [o for o in out if o.order_id == order_id]
    out.sort(key=lambda o: o.placed_at, reverse=True)
    return out[:limit]
