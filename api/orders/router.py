"""GET /v1/orders: a shopper's orders, for the bot's order-status answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.conversations.service import shopper_keys
from api.deps import ServiceDep, SessionDep
from api.errors import DomainError
from api.orders.service import Order, find_orders

router = APIRouter(prefix="/v1", tags=["orders"])


@router.get("/orders", response_model=list[Order])
def orders(
    session: SessionDep,
    _service: ServiceDep,
    session_id: Annotated[str | None, Query(max_length=128)] = None,
    customer_id: Annotated[str | None, Query(max_length=128)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[Order]:
    """Return the shopper's orders (newest first), or the one order asked for.

    Server-to-server: the shop's API key or the action server's key. A session's orders
    are those reported under it or under the customer the shop verified it belongs to.
    """
    if not (session_id or customer_id):
        raise DomainError("one of session_id or customer_id is required")
    return find_orders(session, shopper_keys(session, session_id, customer_id), order_id)
