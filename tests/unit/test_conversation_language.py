"""A conversation's language: read from the shopper's text, stated by the page, kept, and
carried by stored messages, the events, the staff inbox and the bot's own notices."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.dialogue.fake import FakeDialogueEngine
from api.turns.service import UNAVAILABLE_REPLY
from i18n.catalog import text
from tests.support.staff import staff_headers


def _chat(client: TestClient, message: str, sender: str = "s1", **metadata: object) -> dict:
    response = client.post("/v1/chat", json={"sender": sender, "message": message, "metadata": metadata})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_chinese_message_makes_a_chinese_conversation(client: TestClient, engine: FakeDialogueEngine) -> None:
    body = _chat(client, "有没有500以内的跑步鞋")
    shopper, reply = body["messages"]
    assert shopper["language"] == "zh" and reply["language"] == "zh"
    assert engine.calls[-1]["metadata"]["language"] == "zh"  # Rasa picks zh responses on it


def test_without_a_stated_language_the_conversation_follows_the_shopper(
    client: TestClient, engine: FakeDialogueEngine
) -> None:
    _chat(client, "hi there")
    assert engine.calls[-1]["metadata"]["language"] == "en"
    body = _chat(client, "iPhone 15 有货吗")  # mixed text with a Chinese question is Chinese
    assert body["messages"][0]["language"] == "zh" and engine.calls[-1]["metadata"]["language"] == "zh"
    _chat(client, "👍")  # no letters: the language stays
    assert engine.calls[-1]["metadata"]["language"] == "zh"


def test_the_page_language_overrides_the_text_and_is_kept(client: TestClient, engine: FakeDialogueEngine) -> None:
    body = _chat(client, "hello", language="zh-CN")
    assert body["messages"][0]["language"] == "en"  # what the text is written in
    assert engine.calls[-1]["metadata"]["language"] == "zh"  # what replies are written in
    _chat(client, "do you have shoes")
    assert engine.calls[-1]["metadata"]["language"] == "zh"
    _chat(client, "shoes please", language="fr-FR")  # a language we do not serve states nothing
    assert engine.calls[-1]["metadata"]["language"] == "zh"


def test_the_apology_is_in_the_conversations_language(client: TestClient, engine: FakeDialogueEngine) -> None:
    engine.down = True
    reply = _chat(client, "我的订单到哪了")["messages"][1]
    assert reply["text"] == text("zh", UNAVAILABLE_REPLY) != UNAVAILABLE_REPLY
    assert reply["language"] == "zh"


def test_staff_see_and_filter_the_language(client: TestClient) -> None:
    zh = _chat(client, "你好，在吗", sender="zh-shopper")["conversation_id"]
    en = _chat(client, "hello", sender="en-shopper")["conversation_id"]
    agent = staff_headers(client, "ana", "agent")
    rows = client.get("/v1/staff/conversations", params={"language": "zh"}, headers=agent).json()["rows"]
    assert [r["id"] for r in rows] == [zh] and rows[0]["language"] == "zh"
    both = client.get("/v1/staff/conversations", headers=agent).json()["rows"]
    assert {r["id"]: r["language"] for r in both} == {zh: "zh", en: "en"}
    detail = client.get(f"/v1/staff/conversations/{zh}", headers=agent).json()
    assert detail["language"] == "zh" and detail["messages"][0]["language"] == "zh"
    refused = client.get("/v1/staff/conversations", params={"language": "xx"}, headers=agent)
    assert refused.status_code == 422
