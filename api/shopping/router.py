"""POST /v1/conversations/{id}/cart and .../orders/{order_id}/cancel: the bot acting for its shopper."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import SearcherDep, ServiceDep, SessionDep
from api.shopping import service
from api.shopping.schemas import CancelOut, CartIn, CartOut

router = APIRouter(prefix="/v1/conversations", tags=["shopping"])


@router.post("/{conversation_id}/cart", response_model=CartOut)
def add_to_cart(
    conversation_id: Annotated[str, Path(max_length=36)],
    body: CartIn,
    session: SessionDep,
    searcher: SearcherDep,
    _caller: ServiceDep,
) -> CartOut:
    """Put products in the conversation's shopper's cart: server-to-server (the action server, or
    the shop's backend); a browser cannot, since it may speak only for itself."""
    return CartOut(added=service.add_to_cart(session, searcher, conversation_id, body.product_ids, body.quantity))


@router.post("/{conversation_id}/orders/{order_id}/cancel", response_model=CancelOut)
def cancel_order(
    conversation_id: Annotated[str, Path(max_length=36)],
    order_id: Annotated[str, Path(min_length=1, max_length=64)],
    session: SessionDep,
    _caller: ServiceDep,
) -> CancelOut:
    """Cancel the conversation's verified shopper's order unless it has shipped (then: why not)."""
    return service.cancel_order(session, conversation_id, order_id)
