"""`session_keys` (a shopper's history keys as SQL, read inside the events query) reads the same
events as `shopper_keys` on PostgreSQL and SQLite: a session's own, plus its customer's only
through a link the shop verified."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.behaviour.service import recent_events
from api.conversations.models import Shopper
from api.conversations.service import session_keys, shopper_keys
from api.db import make_engine
from api.migrate import upgrade

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "postgresql":
        yield request.getfixturevalue("session")  # rolled back after the test
        return
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _history(session: Session) -> None:
    verified_at = NOW - timedelta(days=1)
    session.add_all(
        [
            Shopper(external_id="k-phone", customer_id="k-cust", customer_verified_at=verified_at),
            Shopper(external_id="k-laptop", customer_id="k-cust", customer_verified_at=verified_at),
            Shopper(external_id="k-claims", customer_id="k-cust"),  # claimed, never verified
            Shopper(external_id="k-alone"),
        ]
    )
    for i, (sid, cid) in enumerate(
        [("k-phone", None), ("k-laptop", None), (None, "k-cust"), ("k-claims", None), ("k-alone", None)]
    ):
        session.add(
            BehaviourEvent(
                event_id=f"k-{i}",
                type="view",
                session_id=sid,
                customer_id=cid,
                product_id=f"p{i}",
                occurred_at=NOW - timedelta(minutes=i),
            )
        )
    session.flush()


@pytest.mark.parametrize("sid", ["k-phone", "k-laptop", "k-claims", "k-alone", "k-nobody"])
def test_the_sql_keys_read_the_same_events_as_the_listed_ones(db: Session, sid: str) -> None:
    _history(db)
    listed = [e.event_id for e in recent_events(db, shopper_keys(db, sid, None))]
    in_sql = [e.event_id for e in recent_events(db, session_keys(sid))]
    assert in_sql == listed
    if sid == "k-claims":  # a claimed, unverified link reads the session's own events alone
        assert in_sql == ["k-3"]
    if sid == "k-phone":
        assert set(in_sql) == {"k-0", "k-1", "k-2"}
