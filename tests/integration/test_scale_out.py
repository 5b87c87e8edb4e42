"""Two API replicas behind no shared memory: PostgreSQL and Redis are all they share.

An agent's reply posted to one replica reaches a shopper connected (WebSocket or
socket.io) to the other; the staff console's live stream hears turns taken on the other;
a rate limit holds across replicas; a staff login made on one works on the other.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator

import httpx
import pytest
import socketio
from sqlalchemy import create_engine, text
from websockets.sync.client import connect

from api.config import DEV_ADMIN_TOKEN, Settings
from api.main import create_app
from tests.support.net import free_port, serve_in_thread
from tests.support.redis_server import throwaway_redis

pytestmark = pytest.mark.integration
ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with throwaway_redis() as url:
        yield url


@pytest.fixture(scope="module")
def database(postgres_url: str) -> str:
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS shoptalk_scale"))
        conn.execute(text("CREATE DATABASE shoptalk_scale"))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/shoptalk_scale"


@pytest.fixture(scope="module")
def replicas(database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Start two API replicas (each its own process state and index folder) on the same database and Redis."""

    def settings(name: str) -> Settings:
        return Settings(
            shoptalk_env="test",
            var_dir=tmp_path_factory.mktemp(name),
            database_url=database,
            redis_url=redis_url,
            encoder="hashing",
            rasa_url=f"http://127.0.0.1:{free_port()}",  # no Rasa: turns get the polite fallback, messages are kept
            rasa_timeout_s=1,
            rate_limit_chat_per_shopper=8,  # burst of 2
            webhook_dispatcher=False,
        )

    with serve_in_thread(create_app(settings("a"))) as a, serve_in_thread(create_app(settings("b"))) as b:
        yield a, b


def _frames_until(ws, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    frames = []
    while True:
        frames.append(json.loads(ws.recv(timeout=15)))
        if frames[-1]["type"] == kind:
            return frames


def test_an_agent_reply_on_one_replica_reaches_a_websocket_shopper_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    with connect(b.replace("http", "ws") + "/v1/ws") as ws:
        ws.send(json.dumps({"type": "session_request", "session_id": "scale-ws-1"}))
        conversation_id = json.loads(ws.recv(timeout=15))["conversation_id"]
        ws.send(json.dumps({"type": "message", "text": "hello", "client_id": "m1"}))
        _frames_until(ws, "purchase_intent")
        staff = f"{a}/v1/staff/conversations/{conversation_id}"
        assert httpx.post(f"{staff}/takeover", headers=ADMIN).json()["status"] == "agent"
        reply = httpx.post(f"{staff}/messages", json={"text": "Hello from replica A"}, headers=ADMIN)
        assert reply.status_code == 200
        live = _frames_until(ws, "message")[-1]
        assert live["message"]["author"] == "agent" and live["message"]["text"] == "Hello from replica A"


def test_an_agent_reply_on_one_replica_reaches_a_socketio_shopper_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    client = socketio.Client()
    said: queue.Queue[dict] = queue.Queue()
    confirmed: queue.Queue[dict] = queue.Queue()
    client.on("bot_uttered", said.put)
    client.on("session_confirm", confirmed.put)
    client.connect(b, socketio_path="socket.io", transports=["websocket"])
    try:
        client.emit("session_request", {})
        session_id = confirmed.get(timeout=15)["session_id"]  # the API issues socket.io session ids
        client.emit("user_uttered", {"message": "hi there", "session_id": session_id})
        said.get(timeout=15)  # the bot's (degraded: no Rasa here) reply
        rows = httpx.get(f"{a}/v1/staff/conversations", params={"channel": "socketio"}, headers=ADMIN).json()["rows"]
        cid = next(r["id"] for r in rows if r["shopper"] == session_id)
        httpx.post(f"{a}/v1/staff/conversations/{cid}/messages", json={"text": "Agent on A"}, headers=ADMIN)
        assert said.get(timeout=15) == {"text": "Agent on A"}
    finally:
        client.disconnect()


def test_the_staff_stream_on_one_replica_hears_turns_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    with httpx.stream("GET", f"{a}/v1/staff/stream", headers=ADMIN, timeout=20) as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        turn = httpx.post(f"{b}/v1/chat", json={"sender": "scale-stream-1", "message": "hello"}, timeout=20).json()
        for line in lines:
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event["conversation_id"] == turn["conversation_id"]:
                    break
    assert event["type"] == "conversation"


def test_a_rate_limit_holds_across_replicas(replicas: tuple[str, str]) -> None:
    a, b = replicas
    codes, token = [], ""
    for i, url in enumerate((a, b, a, b)):  # one shopper session, its token checked on either replica
        body = {"sender": "scale-rl-1", "message": f"m{i}"}
        response = httpx.post(f"{url}/v1/chat", json=body, headers={"x-session-token": token}, timeout=20)
        token = response.json().get("session_token", token) if response.status_code == 200 else token
        codes.append(response.status_code)
    assert codes[:2] == [200, 200] and 429 in codes[2:], codes


def test_a_staff_login_on_one_replica_works_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    created = httpx.post(
        f"{a}/v1/admin/staff", json={"username": "scale-agent", "password": "scale-password-1"}, headers=ADMIN
    )
    assert created.status_code == 201
    token = httpx.post(f"{a}/v1/staff/login", json={"username": "scale-agent", "password": "scale-password-1"})
    me = httpx.get(f"{b}/v1/staff/me", headers={"authorization": f"Bearer {token.json()['token']}"})
    assert me.status_code == 200 and me.json()["username"] == "scale-agent"


def test_readiness_checks_redis(replicas: tuple[str, str]) -> None:
    a, _ = replicas
    checks = httpx.get(f"{a}/readyz").json()["checks"]
    assert checks["live_hub"] is True and checks["database"] is True
