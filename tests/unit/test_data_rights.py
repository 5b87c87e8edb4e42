"""Data rights: export everything about a shopper; delete leaves no row mentioning them; retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select, update

from api.config import DEV_ADMIN_TOKEN
from api.conversations.models import Conversation
from api.dialogue.fake import FakeDialogueEngine

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


def _history(client: TestClient, sender: str) -> str:
    client.post(
        "/v1/admin/subscriptions", json={"url": "http://127.0.0.1:9/h", "event_types": ["*"]}, headers=ADMIN
    ).raise_for_status()
    turn = client.post("/v1/chat", json={"sender": sender, "message": "I'm looking for shoes"}).json()
    client.post("/v1/chat", json={"sender": sender, "message": "I'll take it"}).raise_for_status()
    client.post(
        "/v1/shoppers/identify", json={"session_id": sender, "customer_id": f"{sender}-customer"}
    ).raise_for_status()
    events = [
        {"event_id": f"{sender}-e1", "type": "view", "session_id": sender, "product_id": "shoe-1"},
        {"event_id": f"{sender}-e2", "type": "purchase", "customer_id": f"{sender}-customer", "product_id": "shoe-1"},
    ]
    assert client.post("/v1/events", json=events).json()["accepted"] == 2
    cid, message_id = turn["conversation_id"], turn["messages"][0]["id"]
    staff = f"/v1/staff/conversations/{cid}"
    client.post(f"{staff}/tags", json={"tag": "shoes"}, headers=ADMIN).raise_for_status()
    client.post(f"{staff}/notes", json={"text": "asked about shoes"}, headers=ADMIN).raise_for_status()
    client.post(
        f"/v1/staff/messages/{message_id}/correction", json={"intent": "search_product"}, headers=ADMIN
    ).raise_for_status()
    return cid


def _rows_mentioning(client: TestClient, needles: list[str]) -> list[str]:
    hits = []
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        meta = MetaData()
        meta.reflect(bind=session.get_bind())
        for table in meta.sorted_tables:
            for row in session.execute(select(table)):
                text = " ".join(str(v) for v in row)
                hits += [f"{table.name}: {n}" for n in needles if n in text]
    return hits


def test_export_holds_conversations_messages_and_events(client: TestClient) -> None:
    conversation_id = _history(client, "rights-1")
    export = client.get("/v1/admin/shoppers/rights-1/export", headers=ADMIN).json()
    assert export["conversations"][0]["id"] == conversation_id
    assert [m["author"] for m in export["conversations"][0]["messages"]][:2] == ["shopper", "bot"]
    assert {e["event_id"] for e in export["behaviour_events"]} == {"rights-1-e1", "rights-1-e2"}
    assert export["conversations"][0]["purchase_intent"]
    review = export["conversations"][0]
    assert [t["tag"] for t in review["conversation_tags"]] == ["shoes"]
    assert review["conversation_notes"][0]["text"] == "asked about shoes"
    assert review["annotations"][0]["intent"] == "search_product"


def test_delete_leaves_no_row_mentioning_the_shopper(client: TestClient, engine: FakeDialogueEngine) -> None:
    conversation_id = _history(client, "rights-2")
    other = _history(client, "bystander")
    report = client.delete("/v1/admin/shoppers/rights-2-customer", headers=ADMIN).json()
    assert report["conversation_ids"] == [conversation_id]
    assert report["deleted"]["rasa_trackers"] == 1
    assert _rows_mentioning(client, ["rights-2", conversation_id]) == []
    assert _rows_mentioning(client, [other]), "other shoppers keep their data"
    assert not [c for c in engine.calls if c["conversation_id"] == conversation_id]
    assert client.get("/v1/admin/shoppers/rights-2/export", headers=ADMIN).status_code == 404
    actions = [e["action"] for e in client.get("/v1/admin/audit", headers=ADMIN).json()["entries"]]
    assert "shopper.delete" in actions and "conversation.tag" in actions, "the audit trail stays, pseudonymised"


def test_retention_deletes_only_what_is_older(client: TestClient) -> None:
    old = _history(client, "old-shopper")
    _history(client, "new-shopper")
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Conversation).where(Conversation.id == old).values(updated_at=datetime.now(UTC) - timedelta(days=40))
        )
        session.commit()
    counts = client.post("/v1/admin/retention/run", params={"days": 30}, headers=ADMIN).json()
    assert counts["conversations"] == 1
    assert _rows_mentioning(client, [old]) == []
    assert _rows_mentioning(client, ["new-shopper"])


def test_data_rights_need_the_admin_token(client: TestClient) -> None:
    assert client.delete("/v1/admin/shoppers/x").status_code == 401


def test_an_erasure_reports_the_trackers_rasa_could_not_forget(client: TestClient) -> None:
    """Rasa down at erasure time (swapped in through the dialogue dependency): the database
    deletion stands, and the report names the conversations whose tracker is still there."""
    from api.deps import get_dialogue

    cid = _history(client, "erase-rasa-down")
    down = FakeDialogueEngine()
    down.down = True
    client.app.dependency_overrides[get_dialogue] = lambda: down  # type: ignore[attr-defined]
    try:
        report = client.delete("/v1/admin/shoppers/erase-rasa-down", headers=ADMIN).json()
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert report["rasa_trackers_not_reached"] == [cid]
    assert report["deleted"]["rasa_trackers"] == 0
    assert _rows_mentioning(client, ["erase-rasa-down"]) == []
