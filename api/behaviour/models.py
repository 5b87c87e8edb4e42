"""The behaviour-event table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, utcnow


class BehaviourEvent(Base):
    """One shopper action on the shop; `event_id` makes retried deliveries idempotent."""

    __tablename__ = "behaviour_events"
    __table_args__ = (
        Index("ix_behaviour_events_session_time", "session_id", "occurred_at"),
        Index("ix_behaviour_events_customer_time", "customer_id", "occurred_at"),
        Index("ix_behaviour_events_product_type", "product_id", "type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(24))
    session_id: Mapped[str | None] = mapped_column(String(128))
    customer_id: Mapped[str | None] = mapped_column(String(128))
    product_id: Mapped[str | None] = mapped_column(String(128))
    query: Mapped[str | None] = mapped_column(String(512))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
