"""The ChannelAdapter port: deliver a message to a shopper's live channel.

Core code (staff replies, handoff) hands a message to `LiveChannels.deliver` with the
conversation's channel name and never names a channel itself. A channel whose socket lives
outside the hub (socket.io, rasa-webchat's protocol) registers an adapter at build time; the
WebSocket and REST channels follow the hub, and webhook channels get the outbox's callback.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)


class ChannelAdapter(Protocol):
    """Pushes a stored message to a shopper connected on one channel."""

    channel: str

    async def deliver(self, shopper_key: str, message: dict[str, Any]) -> None: ...


class LiveChannels:
    """The adapters by channel name; a channel without one is reached through the hub."""

    def __init__(self) -> None:
        self._adapters: dict[str, ChannelAdapter] = {}

    def register(self, adapter: ChannelAdapter) -> None:
        self._adapters[adapter.channel] = adapter

    async def deliver(self, channel: str, shopper_key: str, message: dict[str, Any]) -> None:
        """Deliver to the channel's adapter, if it has one; a failure is logged, never raised
        (the message is stored, and the shopper reads it on their next history fetch)."""
        adapter = self._adapters.get(channel)
        if adapter is None:
            return
        try:
            await adapter.deliver(shopper_key, message)
        except Exception:  # noqa: BLE001 - delivery is best effort over a stored message
            log.exception("channel.deliver_failed channel=%s", channel)
