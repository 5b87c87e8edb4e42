"""A turn interrupted by a crash gets an apology after restart; nothing is dropped."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.config import Settings
from api.conversations import service as conversations
from api.conversations.models import Message
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from api.turns.recovery import INTERRUPTED_REPLY
from tests.support.credentials import as_shop
from tests.unit.conftest import make_searcher


def test_a_message_left_unanswered_by_a_dead_process_is_answered_at_restart(settings: Settings) -> None:
    # recovery waits past the longest Rasa call (rasa_timeout_s + 1 s), so make that short too
    settings = settings.model_copy(update={"turn_recovery_after_s": 0.01, "rasa_timeout_s": 0.001})
    app = create_app(settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    # The first process stores a message, then "dies" before asking the bot.
    with TestClient(app), app.state.services.session_factory() as session:
        _, conversation = conversations.open_for_sender(session=session, sender="crash-1", channel="rest")
        conversations.add_shopper_message(session=session, conversation=conversation, text="where is my order?")
        session.commit()
        conversation_id = conversation.id
        # the message arrived a while ago: longer than any Rasa call could still be running
        session.execute(update(Message).values(created_at=datetime.now(UTC) - timedelta(seconds=5)))
        session.commit()
    restarted = create_app(settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    with TestClient(restarted) as client:
        as_shop(client)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            messages = client.get(f"/v1/conversations/{conversation_id}/messages").json()
            if len(messages) == 2:
                break
            time.sleep(0.05)
        assert [m["author"] for m in messages] == ["shopper", "bot"]
        assert messages[0]["status"] == "interrupted" and messages[1]["text"] == INTERRUPTED_REPLY
        with restarted.state.services.session_factory() as session:
            assert session.scalar(select(Message).where(Message.status == "received")) is None


def test_a_retry_after_a_crash_finishes_the_interrupted_turn(client: TestClient) -> None:
    app = client.app
    with app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        _, conversation = conversations.open_for_sender(session=session, sender="crash-2", channel="rest")
        conversations.add_shopper_message(session=session, conversation=conversation, text="hi", client_id="m-1")
        session.commit()
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    with app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(update(Message).values(created_at=datetime.now(UTC) - timedelta(seconds=30)))
        session.commit()
    retry = client.post("/v1/chat", json={"sender": "crash-2", "message": "hi", "client_message_id": "m-1"}).json()
    assert [m["author"] for m in retry["messages"]] == ["shopper", "bot"]
    again = client.post("/v1/chat", json={"sender": "crash-2", "message": "hi", "client_message_id": "m-1"}).json()
    assert [m["id"] for m in again["messages"]] == [m["id"] for m in retry["messages"]]
    stored = client.get(f"/v1/conversations/{retry['conversation_id']}/messages").json()
    assert [m["author"] for m in stored] == ["shopper", "bot"]


def test_a_turn_still_waiting_for_a_slow_rasa_is_never_run_twice() -> None:
    # issue 23: the retry window was a fixed 15 s while RASA_TIMEOUT_S may be up to 120
    from api.config import Settings as AppSettings

    slow = AppSettings(shoptalk_env="test", rasa_timeout_s=120, turn_recovery_after_s=60)
    assert slow.turn_retry_after_s > 120 and slow.turn_recovery_threshold_s > 120
    quick = AppSettings(shoptalk_env="test", rasa_timeout_s=10, turn_recovery_after_s=60)
    assert (quick.turn_retry_after_s, quick.turn_recovery_threshold_s) == (11.0, 60)


def test_the_app_wires_the_retry_window_from_the_rasa_timeout(settings: Settings) -> None:
    app = create_app(
        settings.model_copy(update={"rasa_timeout_s": 90}), dialogue=FakeDialogueEngine(), searcher=make_searcher()
    )
    with TestClient(app):
        assert app.state.services.turns.resume_after_s == 91.0
