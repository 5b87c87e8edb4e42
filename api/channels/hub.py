"""Live delivery to connected widgets: who listens to which conversation.

In-process by default (one API process). Behind a load balancer with several API
replicas, the same port is served by Redis pub/sub so an agent's reply on one replica
reaches a shopper connected to another.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any, Protocol

log = logging.getLogger(__name__)
STAFF_TOPIC = "staff:inbox"  # every conversation change, for the staff console's live inbox


class Hub(Protocol):
    """Publish a payload to every live connection of a conversation."""

    def subscribe(self, conversation_id: str) -> asyncio.Queue[dict[str, Any]]: ...

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None: ...

    def publish(self, conversation_id: str, payload: dict[str, Any]) -> None:
        """Deliver to every subscriber; callable from any thread."""
        ...

    def ready(self) -> bool:
        """Return True when live delivery works (for /readyz)."""
        ...


class LocalHub:
    """Subscribers are asyncio queues on this process's event loop."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, conversation_id: str) -> asyncio.Queue[dict[str, Any]]:
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._subscribers[conversation_id].add(queue)
        return queue

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers[conversation_id].discard(queue)
        if not self._subscribers[conversation_id]:
            del self._subscribers[conversation_id]

    def ready(self) -> bool:
        """In-process delivery is always there."""
        return True

    def listeners(self, conversation_id: str) -> int:
        """Return how many connections listen to the conversation."""
        return len(self._subscribers.get(conversation_id, ()))

    def publish(self, conversation_id: str, payload: dict[str, Any]) -> None:
        queues = list(self._subscribers.get(conversation_id, ()))
        if not queues or self._loop is None:
            return
        for queue in queues:
            self._loop.call_soon_threadsafe(self._offer, queue, payload)

    @staticmethod
    def _offer(queue: asyncio.Queue[dict[str, Any]], payload: dict[str, Any]) -> None:
        try:
            queue.put_nowait(payload)
        except asyncio.QueueFull:
            log.warning("hub.queue_full dropped_live_copy=1 (the message is stored; the widget re-syncs)")


def notify_staff(hub: Hub | None, conversation_id: str, status: str | None = None) -> None:
    """Tell live staff consoles that a conversation changed (they re-read what they show)."""
    if hub is not None:
        hub.publish(STAFF_TOPIC, {"type": "conversation", "conversation_id": conversation_id, "status": status})
