"""Shapes of the chat's cart and order actions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.orders.service import Order


class CartIn(BaseModel):
    """Products the shopper asked the bot to put in their cart."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[str] = Field(min_length=1, max_length=10)
    quantity: int = Field(default=1, ge=1, le=100)


class CartItem(BaseModel):
    product_id: str
    title: str
    price: float | None = None
    currency: str = ""


class CartOut(BaseModel):
    """What was added (recorded as add_to_cart events; the shop hears of each as cart.item_added)."""

    added: list[CartItem]


class CancelOut(BaseModel):
    """The order after the request: cancelled, or why not (a shipped order is returned instead)."""

    order: Order
    cancelled: bool
    reason: str = ""
