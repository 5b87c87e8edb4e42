"""Integration API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from api.integrations.outbox import EVENT_TYPES


class ChatwootSettings(BaseModel):
    """Where the Chatwoot instance is and how the bot answers through its API."""

    model_config = ConfigDict(extra="forbid")

    base_url: AnyHttpUrl
    account_id: int = Field(ge=1)
    api_access_token: str = Field(min_length=8, max_length=256, description="The agent bot's token (stored encrypted)")
    auth: Literal["signature", "url_token"] = Field(
        default="signature",
        description="signature: X-Chatwoot-Signature (Chatwoot v4.13.0+); url_token: an unguessable token in the "
        "outgoing URL, for older Chatwoot, which signs nothing",
    )


class ChannelIn(BaseModel):
    """A new channel. For Chatwoot, `secret` is the agent bot's webhook secret from Chatwoot."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    kind: Literal["webhook", "chatwoot"] = "webhook"
    mode: Literal["sync", "async"] = "sync"
    callback_url: AnyHttpUrl | None = None
    secret: str | None = Field(default=None, min_length=16, max_length=256, description="Default: generated")
    chatwoot: ChatwootSettings | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ChannelIn:
        if self.mode == "async" and self.callback_url is None:
            raise ValueError("an async channel needs a callback_url")
        if self.kind == "chatwoot" and self.chatwoot is None:
            raise ValueError("a chatwoot channel needs chatwoot settings")
        return self


class ChannelOut(BaseModel):
    id: str
    name: str
    kind: str
    mode: str
    callback_url: str | None
    active: bool
    created_at: datetime
    inbound_url: str


class ChannelCreated(ChannelOut):
    secret: str = Field(description="Shown once; store it now. It is never returned again.")


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    event_types: list[str] = Field(min_length=1)

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(EVENT_TYPES) - {"*"})
        if unknown:
            raise ValueError(f"unknown event types {unknown}; known: {list(EVENT_TYPES)} or '*'")
        return sorted(set(value))


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Shown once; store it now. It is never returned again.")


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


class InboundMessage(BaseModel):
    """What an integrator posts to its channel."""

    model_config = ConfigDict(extra="forbid")

    sender: str = Field(min_length=1, max_length=100, description="The shopper's id on the integrator's side")
    message: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class AgentMessageIn(BaseModel):
    """An agent's reply to the shopper."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)
    agent: str | None = Field(
        default=None, min_length=1, max_length=128, description="Who is answering; default: the logged-in staff member"
    )
