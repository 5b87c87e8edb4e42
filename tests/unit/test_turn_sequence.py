"""A turn stores its message without reading for an earlier one; a retry is still told by the
unique client id; sequence numbers are reserved atomically, so a message racing another one
of its conversation, or stored while the bot is thinking, is never lost, and a `last_seq`
left behind by a writer that did not keep it heals itself."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from api.conversations import service as conversations
from api.conversations.models import Conversation, Message
from api.dialogue.fake import FakeDialogueEngine
from api.dialogue.port import BotMessage
from api.turns.service import _store_inbound


def _factory(client: TestClient) -> Any:
    return client.app.state.services.session_factory  # type: ignore[attr-defined]


def test_a_retry_with_the_same_client_id_answers_the_stored_turn(client: TestClient) -> None:
    body = {"sender": "seq-retry", "message": "hi", "client_message_id": "c-1"}
    first = client.post("/v1/chat", json=body).json()
    again = client.post("/v1/chat", json=body).json()
    assert [m["id"] for m in again["messages"]] == [m["id"] for m in first["messages"]]
    with _factory(client)() as session:
        stored = session.scalars(select(Message.client_id).where(Message.client_id == "c-1")).all()
    assert stored == ["c-1"]


def test_a_first_attempt_reads_no_earlier_message(client: TestClient) -> None:
    client.post("/v1/chat", json={"sender": "seq-reads", "message": "hi"}).raise_for_status()
    engine = _factory(client).kw["bind"]
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        body = {"sender": "seq-reads", "message": "thanks", "client_message_id": "c-9"}
        client.post("/v1/chat", json=body).raise_for_status()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert not [s for s in statements if s.startswith("SELECT") and "FROM messages" in s]
    assert all(
        s.startswith("UPDATE conversations") for s in statements if "max(messages.seq)" in s
    )  # in the reservation


def test_a_message_racing_another_of_its_conversation_takes_the_next_number(client: TestClient) -> None:
    client.post("/v1/chat", json={"sender": "seq-race", "message": "hi"}).raise_for_status()
    factory = _factory(client)
    with factory() as a, factory() as b:
        _, mine = conversations.open_for_sender(session=a, sender="seq-race", channel="rest")
        _, theirs = conversations.open_for_sender(session=b, sender="seq-race", channel="rest")
        assert mine.last_seq == theirs.last_seq  # both read the same row
        other = conversations.add_shopper_message(session=b, conversation=theirs, text="from the other tab")
        b.commit()
        inbound, replayed = _store_inbound(a, mine, "from this tab", "c-race", resume_after_s=15.0)
        assert replayed is None
        assert inbound.seq == other.seq + 1
    with factory() as session:
        texts = session.scalars(
            select(Message.text).where(Message.conversation_id == mine.id).order_by(Message.seq)
        ).all()
    assert texts[-2:] == ["from the other tab", "from this tab"]


def test_a_last_seq_left_behind_heals_on_the_next_message(client: TestClient) -> None:
    client.post("/v1/chat", json={"sender": "seq-stale", "message": "hi"}).raise_for_status()
    factory = _factory(client)
    with factory() as session:  # an older replica stored messages without keeping last_seq
        session.execute(update(Conversation).values(last_seq=0))
        session.commit()
    r = client.post("/v1/chat", json={"sender": "seq-stale", "message": "thanks", "client_message_id": "s-1"})
    r.raise_for_status()
    seqs = [m["seq"] for m in r.json()["messages"]]
    assert seqs[0] > 2 and seqs == sorted(seqs)


def test_a_message_stored_while_the_bot_thinks_does_not_break_the_reply(
    client: TestClient, engine: FakeDialogueEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/v1/chat", json={"sender": "seq-agent", "message": "hi"}).raise_for_status()
    factory = _factory(client)
    handle = engine.handle

    def meanwhile(**kwargs: Any) -> Any:  # an agent (or a second tab) writes during the engine call
        with factory() as other:
            _, conversation = conversations.open_for_sender(session=other, sender="seq-agent", channel="rest")
            conversations.add_reply(
                session=other, conversation=conversation, reply=BotMessage(text="agent"), author="agent"
            )
            other.commit()
        return handle(**kwargs)

    monkeypatch.setattr(engine, "handle", meanwhile)
    r = client.post("/v1/chat", json={"sender": "seq-agent", "message": "thanks"})
    r.raise_for_status()
    with factory() as session:
        cid = r.json()["conversation_id"]
        rows = session.execute(
            select(Message.seq, Message.author).where(Message.conversation_id == cid).order_by(Message.seq)
        ).all()
    seqs = [seq for seq, _ in rows]
    assert seqs == list(range(1, len(seqs) + 1))  # no clash, no gap
    assert [a for _, a in rows][-3:] == ["shopper", "agent", "bot"]
