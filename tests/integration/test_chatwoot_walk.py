"""One Chatwoot conversation end to end, against a fake Chatwoot that behaves as the real one
(tests/support/fake_chatwoot.py): the shopper asks, the bot answers with cards and quick
replies, the shopper asks for a human, an agent resolves it, the same contact writes again
and the bot answers. Run with signed deliveries (Chatwoot v4.13.0+) and with a URL token
(older Chatwoot, which signs nothing)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.config import DEV_ADMIN_TOKEN, Settings
from api.conversations.models import Conversation, Shopper
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from tests.support import chatwoot_fixtures as cw
from tests.support.fake_chatwoot import FakeChatwoot, fake_chatwoot
from tests.support.net import serve_in_thread
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.integration
ADMIN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
TOKEN = "cw-bot-token-123"
SECRET = "chatwoot-bot-webhook-secret"
SHOP = "https://shop.example.com/products/{product_id}"


@contextmanager
def stack(tmp_path: Path, auth: str) -> Iterator[tuple[Any, FakeChatwoot]]:
    settings = Settings(shoptalk_env="test", var_dir=tmp_path, encoder="hashing", product_url_template=SHOP)
    app = create_app(settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    with fake_chatwoot(TOKEN) as chatwoot, serve_in_thread(app) as url:
        settings_in = {"base_url": chatwoot.url, "account_id": 3, "api_access_token": TOKEN, "auth": auth}
        body = {"name": "chatwoot inbox", "kind": "chatwoot", "secret": SECRET, "chatwoot": settings_in}
        created = httpx.post(f"{url}/v1/admin/channels", json=body, headers=ADMIN)
        assert created.status_code == 201, created.text
        chatwoot.outgoing_url = created.json()["inbound_url"]
        chatwoot.secret = SECRET if auth == "signature" else None
        yield app, chatwoot


def _shopper_conversations(app: Any, contact_id: int) -> list[Conversation]:
    with app.state.services.session_factory() as session:
        shopper = session.scalar(select(Shopper).where(Shopper.external_id.like(f"%:cw:{contact_id}")))
        return list(session.scalars(select(Conversation).where(Conversation.shopper_id == shopper.id)))


@pytest.mark.parametrize("auth", ["signature", "url_token"])
def test_a_chatwoot_conversation_from_question_to_resolution_and_back(tmp_path: Path, auth: str) -> None:
    with stack(tmp_path, auth) as (app, chatwoot):
        assert chatwoot.incoming(77, 5, 1, "I'm looking for shoes").status_code == 202
        text, cards = chatwoot.wait_for_posts(77, 2)[:2]
        assert text["content_type"] == "input_select", "quick replies go as an input_select"
        assert {"title", "value"} == set(text["content_attributes"]["items"][0])
        assert cards["content_type"] == "cards" and "Test Running Shoe" in cards["content"], "the text names them"
        uris = [a["uri"] for item in cards["content_attributes"]["items"] for a in item["actions"]]
        assert uris and all(u.startswith("https://shop.example.com/products/") for u in uris), "absolute links"
        assert chatwoot.refused == [], "everything the bot sent passes Chatwoot's validator"

        assert chatwoot.incoming(77, 5, 2, "I want a human").status_code == 202
        _wait(lambda: chatwoot.statuses.get(77) == "open")  # toggle_status -> open, for agents
        assert _shopper_conversations(app, 5)[0].status == "waiting_for_agent"

        assert chatwoot.set_status(77, 5, "resolved").status_code == 200
        assert [c.status for c in _shopper_conversations(app, 5)] == ["resolved"]

        # the same contact writes again, in a new Chatwoot conversation: the bot answers it
        assert chatwoot.incoming(78, 5, 3, "now I am looking for a watch").status_code == 202
        assert chatwoot.wait_for_posts(78, 1)
        assert sorted(c.status for c in _shopper_conversations(app, 5)) == ["bot", "resolved"]
        assert chatwoot.opened_by_error == [], "no delivery was answered with an error"


def _wait(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.02)


def test_pending_again_in_chatwoot_gives_the_conversation_back_to_the_bot(tmp_path: Path) -> None:
    with stack(tmp_path, "signature") as (app, chatwoot):
        chatwoot.incoming(80, 6, 1, "I want a human")
        _wait(lambda: chatwoot.statuses.get(80) == "open")
        labels = [{"labels": {"previous_value": [], "current_value": ["vip"]}}]
        other_change = chatwoot.deliver(cw.conversation_updated(80, 6, "open", labels))
        assert other_change.json()["done"] == "no status change", "a label change hands nothing back"
        assert _shopper_conversations(app, 6)[0].status == "waiting_for_agent"
        assert chatwoot.set_status(80, 6, "pending").json()["done"] == "handed back to the bot"
        assert _shopper_conversations(app, 6)[0].status == "bot"
        answered = len([body for cid, body in chatwoot.posted if cid == 80])
        chatwoot.incoming(80, 6, 2, "I'm looking for sandals")
        assert chatwoot.wait_for_posts(80, answered + 1), "the bot answers again"


def test_every_delivery_chatwoot_can_send_gets_a_2xx(tmp_path: Path) -> None:
    # any other answer makes Chatwoot open the conversation for agents (lib/webhooks/trigger.rb)
    with stack(tmp_path, "signature") as (_, chatwoot):
        assert chatwoot.incoming(90, 7, 1, "hi").status_code == 202
        assert chatwoot.incoming(90, 7, 1, "hi").status_code == 200, "a repeated delivery"
        long = "shoes " * (cw.MAX_CONTENT_LENGTH // 6)
        assert chatwoot.incoming(90, 7, 2, long).status_code == 202, "as long as Chatwoot allows"
        for event in (
            cw.message_created_outgoing(90, 7, 3, "from an agent"),
            cw.message_created_private_note(90, 7, 4, "a private note"),
            cw.message_created_template(90, 7, 5, "a template"),
            cw.conversation_opened(90, 7),
            cw.webwidget_triggered(7),
        ):
            assert chatwoot.deliver(event).is_success, event["event"]
        assert chatwoot.opened_by_error == []


def test_unsigned_or_wrong_token_deliveries_are_refused(tmp_path: Path) -> None:
    with stack(tmp_path, "url_token") as (_, chatwoot):
        good = chatwoot.outgoing_url
        assert "?token=" in good
        chatwoot.outgoing_url = good.split("?")[0] + "?token=guess"
        assert chatwoot.incoming(95, 8, 1, "hi").status_code == 401
        chatwoot.outgoing_url = good.split("?")[0]
        assert chatwoot.incoming(95, 8, 2, "hi").status_code == 401
    with stack(tmp_path / "signed", "signature") as (_, chatwoot):
        chatwoot.secret = None  # an old Chatwoot on a channel that expects signatures
        assert chatwoot.incoming(96, 9, 1, "hi").status_code == 401


def test_a_relative_product_link_is_refused_when_chatwoot_is_configured(tmp_path: Path) -> None:
    settings = Settings(shoptalk_env="test", var_dir=tmp_path, encoder="hashing")  # /shop/products/{id}
    app = create_app(settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    with serve_in_thread(app) as url:
        body = {
            "name": "cw",
            "kind": "chatwoot",
            "chatwoot": {"base_url": "https://chatwoot.example.com", "account_id": 1, "api_access_token": TOKEN},
        }
        refused = httpx.post(f"{url}/v1/admin/channels", json=body, headers=ADMIN)
        assert refused.status_code == 422 and "absolute URL" in refused.json()["detail"]
