"""A Redis lock store whose ticket changes are atomic, for Rasa replicas that share conversations.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by GET, change in Python,
SET. Two replicas taking a ticket for the same conversation at the same moment both read
the same lock and the later SET wipes the other's ticket; one replica finishing can then
delete the lock while the other still waits, and that turn fails with "Could not acquire
lock for conversation_id" (seen in the two-replica end-to-end test). Here every change is
a Redis transaction (WATCH the key, read, change, MULTI/EXEC; retried when another
replica changed the key in between), so tickets are never lost and a turn waits its turn.

The key also carries a TTL a little past its last ticket's expiry, so a replica killed
mid-turn leaves no lock behind for longer than Rasa's lock lifetime.

Configure in bot/endpoints.yml: `lock_store: {type: bot.lock_store.AtomicRedisLockStore,
url: ..., port: ...}` (`LOCK_STORE_TYPE` does it for `shoptalk run` and docker-compose).
"""

import json
import logging
import math
import os
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
# How often a waiting turn looks again (Rasa polls once a second; a turn takes ~50 ms).
POLL_SECONDS = float(os.environ.get("LOCK_STORE_POLL_SECONDS", "0.05"))
TTL_MARGIN_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` with every read-change-write of a lock done as one Redis transaction."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _atomically(
        self,
        conversation_id: Text,
        change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]],
    ) -> T:
        """Apply `change` to the stored lock in one transaction; a None lock deletes the key."""
        key = self._key(conversation_id)

        def transaction(pipe: "object") -> T:
            raw = pipe.get(key)  # type: ignore[attr-defined]
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()  # type: ignore[attr-defined]
            if new_lock is None or not new_lock.tickets:
                pipe.delete(key)  # type: ignore[attr-defined]
            else:
                last_expiry = max(ticket.expires for ticket in new_lock.tickets)
                ttl = max(1, math.ceil(last_expiry - time.time()) + TTL_MARGIN_SECONDS)
                pipe.set(key, new_lock.dumps(), ex=ttl)  # type: ignore[attr-defined]
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, take)
        except Exception as error:  # the caller (Rasa's agent) expects LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give back `ticket_number`; the key goes when no ticket is left (in the same transaction)."""

        def give_back(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomically(conversation_id, give_back)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, polling every `POLL_SECONDS` instead of every second."""
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as ticket_lock:
            yield ticket_lock
