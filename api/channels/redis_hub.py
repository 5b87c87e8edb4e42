"""The live hub across API replicas: Redis pub/sub in front of each replica's LocalHub.

`publish` is callable from any thread and never blocks a request: payloads go to a
queue that one background thread writes to Redis in order. One listener task per
replica subscribes to every topic and hands what arrives to the local subscribers, so
an agent's reply posted to one replica reaches a shopper connected to another. Redis
pub/sub is fire-and-forget, like the in-process hub: every message is stored first, and
a widget that missed a live copy re-syncs from history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
from typing import Any

import redis
import redis.asyncio as aioredis

from api.channels.hub import LocalHub

log = logging.getLogger(__name__)
PREFIX = "shoptalk:hub:"
_STOP = object()


class RedisHub:
    """Hub port on Redis pub/sub (same contract as LocalHub)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = LocalHub()
        self._outbox: queue.Queue[Any] = queue.Queue(maxsize=100_000)
        self._writer = threading.Thread(target=self._write, name="redis-hub-writer", daemon=True)
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Start the writer thread and the listener task; return once subscribed."""
        self._writer.start()
        self._listener = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        """Stop listening and flush what is queued."""
        self._outbox.put(_STOP)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await asyncio.to_thread(self._writer.join, 5)

    def subscribe(self, conversation_id: str) -> asyncio.Queue[dict[str, Any]]:
        return self.local.subscribe(conversation_id)

    def unsubscribe(self, conversation_id: str, q: asyncio.Queue[dict[str, Any]]) -> None:
        self.local.unsubscribe(conversation_id, q)

    def publish(self, conversation_id: str, payload: dict[str, Any]) -> None:
        """Queue the payload for every replica (this one included, through Redis)."""
        try:
            self._outbox.put_nowait((PREFIX + conversation_id, json.dumps(payload)))
        except queue.Full:
            log.warning("hub.redis.outbox_full dropped_live_copy=1 (the message is stored; widgets re-sync)")

    def ready(self) -> bool:
        """Return True when Redis answers a PING (within half a second)."""
        try:
            client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False

    def _write(self) -> None:
        client = redis.Redis.from_url(self.url)
        while True:
            item = self._outbox.get()
            if item is _STOP:
                break
            channel, data = item
            for attempt in range(3):
                try:
                    client.publish(channel, data)
                    break
                except redis.RedisError as exc:
                    log.warning("hub.redis.publish_failed attempt=%d error=%s", attempt + 1, type(exc).__name__)
                    threading.Event().wait(0.2 * (attempt + 1))
        client.close()

    async def _listen(self) -> None:
        while True:
            try:
                client = aioredis.Redis.from_url(self.url)
                pubsub = client.pubsub()
                await pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    topic = message["channel"].decode()[len(PREFIX) :]
                    self.local.publish(topic, json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis restarts: resubscribe
                log.warning("hub.redis.listen_failed error=%s; resubscribing", type(exc).__name__)
                await asyncio.sleep(1.0)
