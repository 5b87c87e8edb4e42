"""POST /v1/chat on fakes: the turn is stored, bad input is refused, failures degrade."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.dialogue.fake import FakeDialogueEngine
from api.turns.service import UNAVAILABLE_REPLY


def _chat(client: TestClient, message: str, sender: str = "s1"):  # type: ignore[no-untyped-def]
    return client.post("/v1/chat", json={"sender": sender, "message": message})


def _stored(client: TestClient, conversation_id: str) -> list[dict]:
    return client.get(f"/v1/conversations/{conversation_id}/messages").json()


def test_greeting_returns_the_reply_and_stores_what_the_bot_understood(client: TestClient) -> None:
    body = _chat(client, "hi").json()
    shopper, reply = body["messages"]
    assert shopper["author"] == "shopper"
    assert shopper["nlu"]["intent"] == "greet"
    assert shopper["nlu"]["confidence"] == pytest.approx(0.97)
    assert reply["author"] == "bot"
    assert "shopping" in reply["text"]
    assert [m["id"] for m in _stored(client, body["conversation_id"])] == [shopper["id"], reply["id"]]


def test_product_search_reply_carries_product_cards(client: TestClient) -> None:
    body = _chat(client, "I'm looking for running shoes").json()
    reply = body["messages"][-1]
    assert reply["products"][0]["title"] == "Test Running Shoe"
    assert body["messages"][0]["nlu"]["entities"][0]["entity"] == "product"


def test_turns_of_one_sender_share_the_open_conversation(client: TestClient) -> None:
    first = _chat(client, "hi").json()["conversation_id"]
    second = _chat(client, "find shoes").json()["conversation_id"]
    other = _chat(client, "hi", sender="someone-else").json()["conversation_id"]
    assert first == second != other
    assert len(_stored(client, first)) == 4


@pytest.mark.parametrize(
    ("payload", "status", "says"),
    [
        ({"sender": "s1", "message": ""}, 422, "message must not be empty"),
        ({"sender": "s1", "message": "   \n\t"}, 422, "message must not be empty"),
        ({"sender": "s1", "message": "x" * 5000}, 413, "limit is 4096 bytes"),
        ({"sender": "s1", "message": 42}, 422, "message"),
        ({"message": "hi"}, 422, "sender"),
        ({"sender": "  ", "message": "hi"}, 422, "sender must not be blank"),
        ({"sender": "s1", "message": "hi", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_input_gets_a_clear_4xx_and_stores_nothing(
    client: TestClient, engine: FakeDialogueEngine, payload: dict, status: int, says: str
) -> None:
    response = client.post("/v1/chat", json=payload)
    assert response.status_code == status
    assert says in response.json()["detail"]
    assert engine.calls == []
    ok = _chat(client, "hi", sender="s1").json()
    assert len(_stored(client, ok["conversation_id"])) == 2  # nothing half-stored before


def test_non_json_body_is_refused_with_a_message(client: TestClient) -> None:
    response = client.post("/v1/chat", content=b"not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_dialogue_down_gives_a_polite_reply_and_keeps_the_message(
    client: TestClient, engine: FakeDialogueEngine
) -> None:
    engine.down = True
    response = _chat(client, "where is my order 12345?")
    assert response.status_code == 200
    shopper, reply = response.json()["messages"]
    assert shopper["status"] == "dialogue_unavailable"
    assert reply["text"] == UNAVAILABLE_REPLY
    stored = _stored(client, response.json()["conversation_id"])
    assert stored[0]["text"] == "where is my order 12345?"


def test_unknown_conversation_is_404_with_message(client: TestClient) -> None:
    response = client.get("/v1/conversations/nope/messages")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


def test_catalog_search_endpoint_explains_and_relaxes(client: TestClient) -> None:
    body = client.get("/v1/products/search", params={"q": "running shoes", "color": "green"}).json()
    assert body["relaxed"] == ["color"]
    assert {h["product_id"] for h in body["hits"][:2]} == {"shoe-1", "shoe-2"}
    assert any("matches" in w for w in body["hits"][0]["why"])


def test_catalog_search_says_how_it_read_misspelt_words(client: TestClient) -> None:
    body = client.get("/v1/products/search", params={"q": "waterprof hikng boots under 5000"}).json()
    assert body["spelling"] == [
        {"typed": "waterprof", "read_as": "waterproof"},
        {"typed": "hikng", "read_as": "hiking"},
    ]
    assert body["query"] == "waterproof hiking boots"
    assert body["hits"][0]["product_id"] == "boot-1"
    assert body["hits"][0]["why"][0] == "matches 'boots hiking waterproof'"


def test_catalog_search_rejects_bad_parameters(client: TestClient) -> None:
    response = client.get("/v1/products/search", params={"q": "x", "limit": 0})
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


def test_chat_page_is_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "/v1/chat" in page.text
