"""Behaviour events, recommendations and purchase intent on real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.behaviour.models import BehaviourEvent
from api.behaviour.service import ingest
from api.conversations.models import PurchaseIntentSnapshot
from api.dialogue.fake import FakeDialogueEngine
from api.recommendations.schemas import RecommendationsIn
from api.recommendations.service import Recommender
from api.turns.service import handle_turn
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.integration


def _event(i: int, kind: str = "view", product: str = "watch-1", sid: str = "pg-s1") -> dict:
    return {"event_id": f"pg-{sid}-{i}", "type": kind, "session_id": sid, "product_id": product}


def test_a_batch_is_stored_once_with_on_conflict_and_bad_items_are_listed(session: Session) -> None:
    batch = [_event(i) for i in range(50)] + [{"event_id": "bad", "type": "view"}]
    first = ingest(session, batch)
    again = ingest(session, batch)
    assert (first.accepted, first.duplicates, len(first.rejected)) == (50, 0, 1)
    assert (again.accepted, again.duplicates) == (0, 50)
    assert session.scalar(select(func.count(BehaviourEvent.id)).where(BehaviourEvent.session_id == "pg-s1")) == 50


def test_recommendations_read_behaviour_from_postgres(session: Session) -> None:
    ingest(session, [_event(1, sid="pg-o", product="watch-1"), _event(2, sid="pg-o", product="mug-1")])
    ingest(session, [_event(3, product="watch-1"), _event(4, product="watch-1")])
    out = Recommender(make_searcher()).recommend(session, RecommendationsIn(session_id="pg-s1", limit=3))
    ids = [i.product_id for i in out.items]
    assert ids[0] == "watch-1" and "mug-1" in ids and not out.cold_start


def test_purchase_intent_is_stored_after_each_turn(session: Session) -> None:
    ingest(session, [_event(9, kind="add_to_cart", product="shoe-1", sid="pg-buyer")])
    conversation, _ = handle_turn(
        session=session,
        engine=FakeDialogueEngine(),
        sender="pg-buyer",
        text="I'll take it",
        channel="rest",
        metadata={},
        max_bytes=4096,
    )
    snapshots = session.scalars(
        select(PurchaseIntentSnapshot).where(PurchaseIntentSnapshot.conversation_id == conversation.id)
    ).all()
    assert [s.stage for s in snapshots] == ["purchase"]
    assert conversation.purchase_stage == "purchase"
