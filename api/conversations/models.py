"""Conversation tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, new_id, utcnow


class Shopper(Base):
    """A shopper: an anonymous sender id, later linked to the shop's customer id."""

    __tablename__ = "shoppers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    external_id: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    # set when the shop vouched for the link (a signature or its API key); only then is it followed
    customer_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conversation(Base):
    """A conversation on one channel; status says who answers (bot, agent)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_status_updated", "status", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="rest")
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="bot")
    assignee: Mapped[str | None] = mapped_column(String(128))
    purchase_stage: Mapped[str | None] = mapped_column(String(24), index=True)
    purchase_score: Mapped[float | None] = mapped_column(Float)
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)  # first handoff
    # "en" or "zh": what replies are written in (i18n.language); source "page" (stated by the
    # widget, kept) or "text" (the shopper's latest message)
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    language_source: Mapped[str | None] = mapped_column(String(8))
    # the seq of its newest message, reserved atomically with the conversation's update
    # (conversations.service.take_seqs): no max(seq) read per message
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    shopper: Mapped[Shopper] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.seq", cascade="all, delete-orphan"
    )


class Message(Base):
    """One message: the shopper's (with what the NLU understood) or the bot's/agent's."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_seq", "conversation_id", "seq", unique=True),
        Index("ix_messages_intent_confidence", "intent", "confidence"),
        Index("ix_messages_conversation_client_id", "conversation_id", "client_id", unique=True),
        Index("ix_messages_stage", "stage"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str | None] = mapped_column(String(64))  # the sender's id for the message: retries dedupe
    direction: Mapped[str] = mapped_column(String(8))  # "in" (shopper) or "out"
    author: Mapped[str] = mapped_column(String(16))  # shopper, bot, agent, system
    text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24), default="received")
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    stage: Mapped[str | None] = mapped_column(String(24))
    stage_score: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))  # the language the text is written in
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class PurchaseIntentSnapshot(Base):
    """The conversation's fused purchase intent after a turn: kept over time for staff."""

    __tablename__ = "purchase_intent_snapshots"
    __table_args__ = (Index("ix_purchase_intent_conversation_time", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(24))
    score: Mapped[float] = mapped_column(Float)
    nlu_score: Mapped[float | None] = mapped_column(Float)
    behaviour_score: Mapped[float] = mapped_column(Float)
    signals: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
