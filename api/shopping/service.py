"""Cart and order actions a shopper asks for in the chat, done for the conversation's own shopper.

Each is recorded as a behaviour event (the shop's own record of the shopper) and announced to
the shop by webhook (`cart.item_added`, `order.cancelled`), so the shop's cart and order system
follow. Orders are only touched for a shopper the shop verified (issue 10).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.behaviour.schemas import EventIn
from api.behaviour.service import store_events
from api.conversations.service import shopper_keys, shopper_of_conversation, verified_customer
from api.errors import DomainError, Forbidden, NotFound
from api.integrations.outbox import emit
from api.orders.service import Order, find_orders
from api.shopping.schemas import CancelOut, CartItem
from retrieval.search import ProductSearcher

CANCELLABLE = {"placed", "pending", "paid", "confirmed", "processing"}
RETURNABLE = {"shipped", "out_for_delivery", "delivered"}


def _shopper(session: Session, conversation_id: str) -> str:
    sender = shopper_of_conversation(session, conversation_id)
    if sender is None:
        raise NotFound(f"no conversation {conversation_id}")
    return sender


def add_to_cart(
    session: Session, searcher: ProductSearcher, conversation_id: str, product_ids: Sequence[str], quantity: int
) -> list[CartItem]:
    """Record the products as the conversation's shopper's add_to_cart events; return what was added."""
    sender = _shopper(session, conversation_id)
    found = {p["product_id"]: p for p in searcher.index.get(list(dict.fromkeys(product_ids)))}
    missing = [p for p in product_ids if p not in found]
    if missing:
        raise NotFound(f"no such product: {', '.join(missing[:3])}")
    sold_out = [p for p in product_ids if not found[p].get("in_stock")]
    if sold_out:
        raise DomainError(f"out of stock: {', '.join(sold_out[:3])}")
    items = [CartItem(product_id=p, title=str(found[p].get("title", "")), price=found[p].get("price"),
                      currency=str(found[p].get("currency", ""))) for p in dict.fromkeys(product_ids)]  # fmt: skip
    events = [
        EventIn(
            event_id=f"chat-{uuid.uuid4().hex}",
            type="add_to_cart",
            session_id=sender,
            product_id=item.product_id,
            quantity=quantity,
            price=item.price,
            source="chat",
            conversation_id=conversation_id,
        )
        for item in items
    ]
    for item in items:
        emit(
            session,
            "cart.item_added",
            {"conversation_id": conversation_id, "session_id": sender, "product_id": item.product_id,
             "quantity": quantity},
        )  # fmt: skip
    store_events(session, events)  # commits, with the outbox rows
    return items


def cancel_order(session: Session, conversation_id: str, order_id: str) -> CancelOut:
    """Cancel the verified shopper's order if it has not shipped; otherwise say why not."""
    sender = _shopper(session, conversation_id)
    customer = verified_customer(session, sender)
    if customer is None:
        raise Forbidden("the shopper is not verified: the shop must identify them before an order is changed")
    orders = find_orders(session, shopper_keys(session, sender, customer), order_id)
    if not orders:
        raise NotFound(f"no order {order_id} for this shopper")
    order = orders[0]
    if order.status not in CANCELLABLE:
        why = "shipped: it can be returned once delivered" if order.status in RETURNABLE else order.status
        return CancelOut(order=order, cancelled=False, reason=f"the order is {why}")
    # the webhook's outbox row commits with the status change (store_events commits both)
    emit(session, "order.cancelled", {"conversation_id": conversation_id, "order_id": order.order_id,
                                      "customer_id": customer})  # fmt: skip
    _record_status(session, order, customer, conversation_id, "cancelled")
    return CancelOut(order=find_orders(session, [customer], order.order_id)[0], cancelled=True)


def _record_status(session: Session, order: Order, customer: str, conversation_id: str, status: str) -> None:
    """A purchase event carrying the order's new status (how the shop reports status changes too)."""
    first = order.items[0].product_id if order.items else None
    event = EventIn(
        event_id=f"chat-{uuid.uuid4().hex}",
        type="purchase",
        customer_id=customer,
        product_id=first,
        source="chat",
        conversation_id=conversation_id,
        extra={"order_id": order.order_id, "status": status},
    )
    store_events(session, [event])
