"""Through the real stack: deleting a shopper also deletes their Rasa tracker."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.config import DEV_ADMIN_TOKEN
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def test_delete_reaches_rasas_tracker_store(stack: RunningStack) -> None:
    sender = f"e2e-forget-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "hi"}
    turn = httpx.post(f"{stack.api_url}/v1/chat", json=body, headers=stack.shop, timeout=60).json()
    conversation_id = turn["conversation_id"]
    tracker_url = f"{stack.rasa_url}/conversations/{conversation_id}/tracker"
    before = httpx.get(tracker_url, params={"token": stack.token}, timeout=30).json()
    assert any(e.get("event") == "user" for e in before["events"])

    report = httpx.delete(
        f"{stack.api_url}/v1/admin/shoppers/{sender}",
        headers={"authorization": f"Bearer {DEV_ADMIN_TOKEN}"},
        timeout=60,
    ).json()
    assert report["deleted"]["rasa_trackers"] == 1 and report["rasa_trackers_not_reached"] == []
    after = httpx.get(tracker_url, params={"token": stack.token}, timeout=30).json()
    assert not any(e.get("event") == "user" for e in after["events"])
    unauthorised = httpx.delete(f"{stack.rasa_url}/webhooks/shoptalk/conversations/{conversation_id}", timeout=30)
    assert unauthorised.status_code == 401
