"""The dispatcher through its WebhookSender port: signed bodies, retries, dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import DEV_ADMIN_TOKEN, Settings
from api.integrations.dispatcher import Dispatcher, RetryPolicy
from api.integrations.models import Delivery
from api.integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_matches
from api.integrations.webhook_sender import SendFailed

ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app's own dispatcher stays off: each test drives one through a scripted sender."""
    return settings.model_copy(update={"webhook_dispatcher": False})


class ScriptedSender:
    """Answers each POST with the next scripted status code (or failure), and keeps the calls."""

    def __init__(self, script: list[int | str]) -> None:
        self.script, self.calls = list(script), []  # type: ignore[var-annotated]
        self.closed = False

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.calls.append((url, body, dict(headers)))
        answer = self.script.pop(0) if self.script else 204
        if isinstance(answer, str):
            raise SendFailed(answer)
        return answer

    async def close(self) -> None:
        self.closed = True


def _one_delivery(client: TestClient, sender: ScriptedSender, max_attempts: int) -> tuple[Dispatcher, str, str]:
    created = client.post(
        "/v1/admin/subscriptions",
        json={"url": "http://receiver.test/hook", "event_types": ["conversation.created"]},
        headers=ADMIN,
    ).json()
    client.post("/v1/chat", json={"sender": f"dispatch-{max_attempts}", "message": "hi"}).raise_for_status()
    services = client.app.state.services  # type: ignore[attr-defined]
    dispatcher = Dispatcher(
        services.session_factory, services.secret_box, RetryPolicy(max_attempts, 0.0, 0.0), sender=sender
    )
    with services.session_factory() as session:
        delivery_id = session.scalar(select(Delivery.id).where(Delivery.subscription_id == created["id"]))
    return dispatcher, delivery_id, created["secret"]


def _attempt(client: TestClient, dispatcher: Dispatcher) -> None:
    """One dispatch round on the app's own event loop (the TestClient's portal).

    Not asyncio.run: when the browser tests share the pytest process, Playwright's sync
    API keeps a loop running in the main thread and asyncio.run refuses to start.
    """

    async def once() -> None:
        await asyncio.gather(*(dispatcher._deliver(job) for job in dispatcher.claim()))

    assert client.portal is not None
    client.portal.call(once)


def _delivery(client: TestClient, delivery_id: str) -> Delivery:
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery


def test_a_failed_attempt_is_retried_and_the_body_is_signed(client: TestClient) -> None:
    sender = ScriptedSender([500, "ConnectError", 204])
    dispatcher, delivery_id, secret = _one_delivery(client, sender, max_attempts=5)
    _attempt(client, dispatcher)
    first = _delivery(client, delivery_id)
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "answered 500")
    _attempt(client, dispatcher)
    assert _delivery(client, delivery_id).last_error == "ConnectError"
    _attempt(client, dispatcher)
    done = _delivery(client, delivery_id)
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 3, 204)
    bodies = {body for _, body, _ in sender.calls}
    assert len(bodies) == 1  # every attempt sends the same bytes
    _, body, headers = sender.calls[-1]
    assert signature_matches(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])


def test_a_delivery_that_keeps_failing_becomes_a_dead_letter(client: TestClient) -> None:
    sender = ScriptedSender([503, 503, 503])
    dispatcher, delivery_id, _ = _one_delivery(client, sender, max_attempts=2)
    _attempt(client, dispatcher)
    _attempt(client, dispatcher)
    dead = _delivery(client, delivery_id)
    assert (dead.status, dead.attempts) == ("dead", 2)
    _attempt(client, dispatcher)
    assert len(sender.calls) == 2  # a dead letter is not sent again


def test_the_dispatcher_closes_its_sender_when_stopped(client: TestClient) -> None:
    sender = ScriptedSender([])
    dispatcher, _, _ = _one_delivery(client, sender, max_attempts=3)

    async def run_briefly() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        await asyncio.sleep(0)
        stop.set()
        await task

    assert client.portal is not None
    client.portal.call(run_briefly)
    assert sender.closed
