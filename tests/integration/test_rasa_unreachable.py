"""The real Rasa adapter against a dead or silent Rasa: bounded time, polite reply."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.dialogue.port import DialogueUnavailable
from api.dialogue.rasa import RasaDialogueEngine
from api.main import create_app
from api.turns.service import UNAVAILABLE_REPLY
from tests.support.net import free_port
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.integration


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


@pytest.mark.parametrize("kind", ["down", "silent"])
def test_unreachable_rasa_raises_within_the_timeout(kind: str, request: pytest.FixtureRequest) -> None:
    url = f"http://127.0.0.1:{free_port()}" if kind == "down" else request.getfixturevalue("silent_server")
    engine = RasaDialogueEngine(url, "token", timeout_s=1.0)
    started = time.monotonic()
    with pytest.raises(DialogueUnavailable):
        engine.handle(conversation_id="c1", text="hi", metadata={})
    assert time.monotonic() - started < 3.0
    assert engine.ready() is False


def test_chat_with_silent_rasa_answers_politely_in_bounded_time(silent_server: str, tmp_path: Path) -> None:
    settings = Settings(
        shoptalk_env="test", var_dir=tmp_path, rasa_url=silent_server, rasa_timeout_s=1.0, encoder="hashing"
    )
    with TestClient(create_app(settings, searcher=make_searcher())) as client:
        started = time.monotonic()
        response = client.post("/v1/chat", json={"sender": "s", "message": "hi"})
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        shopper, reply = response.json()["messages"]
        assert (shopper["status"], reply["text"]) == ("dialogue_unavailable", UNAVAILABLE_REPLY)
        assert elapsed < 5.0
        assert client.get("/readyz").status_code == 503
