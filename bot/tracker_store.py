"""Rasa's SQL tracker store with each conversation's latest session kept in memory.

Rasa 3.6's `SQLTrackerStore` rebuilds a conversation on every turn: it selects the session's
events through the ORM, parses each one's JSON and turns it into an `Event`, which grows
with the conversation and was about a third of Rasa's CPU per turn. Its `save` counts the
session's stored events, then inserts the new ones one statement each.

This store keeps, per conversation, the session's events exactly as a SQL read would
rebuild them (deserialised from the JSON it stored), with the count and the highest id of
the conversation's rows. A turn then costs:
- `retrieve`: one `SELECT count(id), max(id)`. When both match the memory, the tracker is
  replayed from the kept events (microseconds); otherwise it is read as Rasa reads it.
- `save`: one multi-row `INSERT` (with `RETURNING id` where the dialect has it, else a
  `SELECT count, max` after it) and the commit.

The database stays the only truth, so what Rasa promises holds: a restarted Rasa reads
everything back, and replicas sharing the database see each other's writes (the count or
the highest id moves, so the memory is not used). A delete, here or on another replica,
drops the count to 0. A new session, or a tracker that does not continue the kept events,
goes through Rasa's own code and the memory is refilled on the next read.

Configure in bot/endpoints.yml: `tracker_store: {type: bot.tracker_store.CachedSQLTrackerStore,
dialect: ..., url: ...}` (`TRACKER_STORE_TYPE` does it for `shoptalk run` and docker-compose).
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = int(os.environ.get("TRACKER_CACHE_SIZE", "2000"))


@dataclass
class _Kept:
    """One conversation as last read or written here: its rows' count and highest id, and
    the latest session's events as a SQL read would rebuild them."""

    count: int
    max_id: Optional[int]
    events: List[Event]


class CachedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that reads a conversation from memory when its rows did not change."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: "OrderedDict[Text, _Kept]" = OrderedDict()
        self._cache_size = max(0, int(cache_size))
        self._table = self.SQLEvent.__table__
        self._returning = bool(getattr(self.engine.dialect, "full_returning", False))

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session's tracker: from memory when the stored rows are the ones kept."""
        with self.engine.connect() as conn:
            count, max_id = self._rows_of(conn, sender_id)
        kept = self._kept.get(sender_id)
        if kept is not None and (kept.count, kept.max_id) == (count, max_id):
            self._kept.move_to_end(sender_id)
            return self._replay(sender_id, kept.events)
        self._kept.pop(sender_id, None)
        if count == 0:
            return None
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            # Rows written after the count was read make the next count differ: read again then.
            self._keep(sender_id, _Kept(count, max_id, list(tracker.events)))
            return self._replay(sender_id, tracker.events)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events after the kept ones in one statement; otherwise save as Rasa does."""
        sender_id = tracker.sender_id
        kept = self._kept.pop(sender_id, None)
        events = list(tracker.events)
        if kept is None or self.event_broker is not None or not _continues(kept.events, events):
            await super().save(tracker)
            return
        new = events[len(kept.events) :]
        if not new:
            self._keep(sender_id, kept)
            return
        rows = [self._row(sender_id, event) for event in new]
        with self.engine.begin() as conn:
            count, max_id = self._insert(conn, sender_id, kept, rows)
        if count != kept.count + len(rows) or any(isinstance(e, SessionStarted) for e in new):
            return  # someone else wrote too, or a new session began: the next read goes to SQL
        stored = deserialise_events([json.loads(row["data"]) for row in rows])
        self._keep(sender_id, _Kept(count, max_id, kept.events + stored))

    def forget(self, sender_id: Text) -> None:
        """Delete every stored event of the conversation (data-rights delete)."""
        self._kept.pop(sender_id, None)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(self._table).where(self._table.c.sender_id == sender_id))

    def _rows_of(self, conn: sa.engine.Connection, sender_id: Text) -> Tuple[int, Optional[int]]:
        column = self._table.c
        query = sa.select(sa.func.count(column.id), sa.func.max(column.id)).where(column.sender_id == sender_id)
        count, max_id = conn.execute(query).one()
        return int(count), max_id

    def _insert(
        self, conn: sa.engine.Connection, sender_id: Text, kept: _Kept, rows: List[Dict[str, Any]]
    ) -> Tuple[int, Optional[int]]:
        """Insert the rows; return the conversation's row count and highest id after it.

        With RETURNING the count is the kept one plus the rows: a writer that slipped in
        between (the lock store keeps turns of one conversation apart) moves the real count
        or the highest id, so the next read does not match and goes to SQL."""
        if self._returning:
            ids = conn.execute(sa.insert(self._table).values(rows).returning(self._table.c.id)).scalars().all()
            return kept.count + len(ids), max(ids)
        conn.execute(sa.insert(self._table), rows)
        return self._rows_of(conn, sender_id)

    def _row(self, sender_id: Text, event: Event) -> Dict[str, Any]:
        """The row Rasa's `SQLTrackerStore.save` writes for an event (same columns, same JSON)."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _keep(self, sender_id: Text, kept: _Kept) -> None:
        if self._cache_size == 0:
            return
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)

    def _replay(self, sender_id: Text, events: List[Event]) -> DialogueStateTracker:
        """A new tracker from the kept events, as `DialogueStateTracker.from_dict` builds one.

        Replaying shares the event objects, as Rasa's own `tracker.copy()` does, except user
        messages: later events change the latest one in place (`EntitiesAdded` appends to its
        entities, `DefinePrevUserUtteredFeaturization` sets a flag), so each tracker gets its own.
        """
        own = [_own_user_message(e) if isinstance(e, UserUttered) else e for e in events]
        return DialogueStateTracker.from_events(sender_id, own, self.domain.slots)


def _own_user_message(event: UserUttered) -> UserUttered:
    mine = copy.copy(event)
    mine.entities = list(event.entities)
    return mine


def _continues(kept: List[Event], events: List[Event]) -> bool:
    """True when the tracker's events start with the kept ones (checked at the seam: every
    tracker handed out was replayed from them, so the last kept event is the one to compare)."""
    n = len(kept)
    if len(events) < n:
        return False
    if n == 0:
        return True
    last, theirs = kept[n - 1], events[n - 1]
    return type(last) is type(theirs) and last.timestamp == theirs.timestamp
