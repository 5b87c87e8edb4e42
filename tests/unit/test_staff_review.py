"""Staff review on fakes: the inbox filters, one conversation's view, tags, notes, corrections and their export."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from tests.support.staff import staff_headers


def _chat(client: TestClient, sender: str, message: str) -> dict:
    response = client.post("/v1/chat", json={"sender": sender, "message": message})
    assert response.status_code == 200, response.text
    return response.json()


def _inbox(client: TestClient, headers: dict, **params: object) -> dict:
    response = client.get("/v1/staff/conversations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_inbox_filters_low_confidence_handed_off_fallback_and_text(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    sure = _chat(client, "sure", "hi")["conversation_id"]  # greet 0.97
    unsure = _chat(client, "unsure", "blorp zzz")["conversation_id"]  # nlu_fallback 0.2
    human = _chat(client, "human", "I want a human")["conversation_id"]  # contact_human_agent -> handoff

    def ids(**params: object) -> set[str]:
        return {r["id"] for r in _inbox(client, agent, **params)["rows"]}

    assert ids() == {sure, unsure, human}
    assert ids(confidence_below=0.5) == {unsure}
    assert ids(fallback="true") == {unsure}
    assert ids(handed_off="true") == {human}
    assert ids(status="waiting_for_agent") == {human}
    assert ids(intent="greet") == {sure}
    assert ids(q="BLORP") == {unsure}
    assert ids(channel="ws") == set()
    row = next(r for r in _inbox(client, agent)["rows"] if r["id"] == unsure)
    assert row["min_confidence"] == 0.2 and row["fallbacks"] == 1 and row["last_intent"] == "nlu_fallback"


def test_inbox_is_paginated_and_sorted(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    for i in range(5):
        _chat(client, f"s{i}", "hi")
    first = _inbox(client, agent, limit=2, sort="updated_desc")
    second = _inbox(client, agent, limit=2, offset=2, sort="updated_desc")
    assert first["total"] == second["total"] == 5
    assert [r["shopper"] for r in first["rows"] + second["rows"]] == ["s4", "s3", "s2", "s1"]


def test_inbox_sorts_by_lowest_confidence_with_each_rows_own_figures(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    _chat(client, "sure", "hi")  # greet 0.97
    _chat(client, "unsure", "hi")
    _chat(client, "unsure", "blorp zzz")  # nlu_fallback 0.2
    page = _inbox(client, agent, sort="confidence_asc", limit=1)
    assert page["total"] == 2
    [row] = page["rows"]
    assert row["shopper"] == "unsure" and row["min_confidence"] == 0.2 and row["fallbacks"] == 1
    assert row["messages"] == 4  # two shopper messages and two bot replies
    [second] = _inbox(client, agent, sort="confidence_asc", limit=1, offset=1)["rows"]
    assert second["shopper"] == "sure" and second["fallbacks"] == 0 and second["messages"] == 2


def test_inbox_refuses_bad_filters_with_a_message(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    response = client.get("/v1/staff/conversations", params={"confidence_below": 3}, headers=agent)
    assert response.status_code == 422 and "confidence_below" in response.json()["detail"]
    response = client.get("/v1/staff/conversations", params={"status": "sleeping"}, headers=agent)
    assert response.status_code == 422 and "status" in response.json()["detail"]


def test_conversation_view_shows_nlu_behaviour_tags_and_notes(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    turn = _chat(client, "web-9", "I'm looking for running shoes")
    cid = turn["conversation_id"]
    client.post(
        "/v1/events",
        json=[
            {
                "event_id": "e1",
                "type": "view",
                "session_id": "web-9",
                "product_id": "P1",
                "source": "recommendation",
                "conversation_id": cid,
            },
            {"event_id": "e2", "type": "add_to_cart", "session_id": "web-9", "product_id": "P1"},
        ],
    )
    assert client.post(f"/v1/staff/conversations/{cid}/tags", json={"tag": "Running "}, headers=agent).json() == [
        "running"
    ]
    note = client.post(f"/v1/staff/conversations/{cid}/notes", json={"text": "wants size 44"}, headers=agent)
    assert note.status_code == 201
    detail = client.get(f"/v1/staff/conversations/{cid}", headers=agent).json()
    shopper = detail["messages"][0]
    assert shopper["nlu"]["intent"] == "search_product" and shopper["nlu"]["confidence"] == 0.91
    assert [e["type"] for e in detail["behaviour"]] == ["add_to_cart", "view"]
    assert detail["recommendation_clicks"] == 1
    assert detail["tags"] == ["running"] and detail["notes"][0]["text"] == "wants size 44"
    assert detail["purchase_intent"]["history"], "the purchase-intent history is shown"
    assert _inbox(client, agent, tag="running")["rows"][0]["id"] == cid
    assert client.delete(f"/v1/staff/conversations/{cid}/tags/running", headers=agent).json() == []


def test_notes_stay_private(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    cid = _chat(client, "web-9", "hi")["conversation_id"]
    client.post(f"/v1/staff/conversations/{cid}/notes", json={"text": "secret note"}, headers=agent)
    shopper_view = client.get(f"/v1/conversations/{cid}/messages").json()
    assert "secret note" not in str(shopper_view)


def test_a_correction_is_stored_and_exported_as_rasa_nlu_yaml(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    turn = _chat(client, "web-9", "do you have it in blue [x] {y}")  # the fake falls back
    message = turn["messages"][0]
    text = message["text"]
    start = text.index("blue")
    fix = client.post(
        f"/v1/staff/messages/{message['id']}/correction",
        json={"intent": "check_availability", "entities": [{"entity": "color", "start": start, "end": start + 4}]},
        headers=agent,
    )
    assert fix.status_code == 201 and fix.json()["intent"] == "check_availability"
    detail = client.get(f"/v1/staff/conversations/{turn['conversation_id']}", headers=agent).json()
    assert detail["messages"][0]["correction"]["author"] == "ana"
    exported = client.get("/v1/staff/corrections/export", headers=agent)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-yaml")
    data = yaml.safe_load(exported.text)
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "check_availability", "examples": "- do you have it in [blue](color) (x) (y)\n"}]
    later = client.get("/v1/staff/corrections/export", params={"since": "2999-01-01T00:00:00Z"}, headers=agent)
    assert yaml.safe_load(later.text)["nlu"] == []


def test_a_chinese_correction_keeps_its_spans_and_language_in_the_export(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    turn = _chat(client, "web-zh", "亲，有没有500以内的[跑步鞋]啊")
    message = turn["messages"][0]
    text = message["text"]
    assert message["language"] == "zh"
    price, shoe = text.index("500以内"), text.index("跑步鞋")
    entities = [
        {"entity": "price", "start": price, "end": price + 5, "value": "500"},
        {"entity": "product", "start": shoe, "end": shoe + 3},
    ]
    fix = client.post(
        f"/v1/staff/messages/{message['id']}/correction",
        json={"intent": "search_product", "entities": entities},
        headers=agent,
    )
    assert fix.status_code == 201, fix.text
    detail = client.get(f"/v1/staff/conversations/{turn['conversation_id']}", headers=agent).json()
    assert detail["language"] == "zh" and detail["messages"][0]["language"] == "zh"
    exported = yaml.safe_load(client.get("/v1/staff/corrections/export", headers=agent).text)
    price_markup = '[500以内]{"entity": "price", "value": "500"}'
    line = f"- 亲，有没有{price_markup}的([跑步鞋](product))啊\n"
    assert exported["nlu"] == [{"intent": "search_product", "examples": line}]


def test_corrections_with_unknown_intents_or_bad_spans_are_refused(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    turn = _chat(client, "web-9", "hello there")
    shopper, bot = turn["messages"]
    url = f"/v1/staff/messages/{shopper['id']}/correction"
    unknown = client.post(url, json={"intent": "fly_to_mars"}, headers=agent)
    assert unknown.status_code == 422 and "unknown intent 'fly_to_mars'" in unknown.json()["detail"]
    span = client.post(
        url, json={"intent": "greet", "entities": [{"entity": "color", "start": 3, "end": 99}]}, headers=agent
    )
    assert span.status_code == 422 and "outside the message" in span.json()["detail"]
    entity = client.post(
        url, json={"intent": "greet", "entities": [{"entity": "mood", "start": 0, "end": 2}]}, headers=agent
    )
    assert entity.status_code == 422 and "unknown entity 'mood'" in entity.json()["detail"]
    not_shopper = client.post(f"/v1/staff/messages/{bot['id']}/correction", json={"intent": "greet"}, headers=agent)
    assert not_shopper.status_code == 422
    missing = client.post("/v1/staff/messages/nope/correction", json={"intent": "greet"}, headers=agent)
    assert missing.status_code == 404


def test_the_newest_correction_of_a_message_wins_in_the_export(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    message = _chat(client, "web-9", "the thing please")["messages"][0]
    url = f"/v1/staff/messages/{message['id']}/correction"
    client.post(url, json={"intent": "product_info"}, headers=agent)
    client.post(url, json={"intent": "add_to_cart"}, headers=agent)
    data = yaml.safe_load(client.get("/v1/staff/corrections/export", headers=agent).text)
    assert [block["intent"] for block in data["nlu"]] == ["add_to_cart"]


def test_support_analytics_report_rates_intents_and_funnel(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    _chat(client, "a", "hi")
    _chat(client, "b", "blorp")
    _chat(client, "c", "I want a human")
    _chat(client, "d", "I'm looking for running shoes")
    data = client.get("/v1/staff/analytics", headers=agent).json()
    assert data["conversations"] == 4
    assert data["handoff_rate"] == 0.25 and data["containment_rate"] == 0.75
    assert data["fallback_rate"] == 0.25
    assert data["intents"] == {"greet": 1, "nlu_fallback": 1, "contact_human_agent": 1, "search_product": 1}
    today = data["days"][-1]
    assert today["conversations"] == 4 and today["handed_off"] == 1
    assert sum(today["stages"].values()) == 4, "each conversation counted once, at its last stage of the day"
    assert data["recommendations"]["cards_shown"] == 1
    bad = client.get("/v1/staff/analytics", params={"since": "2026-02-01", "until": "2026-01-01"}, headers=agent)
    assert bad.status_code == 422 and "before" in bad.json()["detail"]


def test_the_shop_reads_one_product_and_404s_unknown_ones(client: TestClient) -> None:
    found = client.get("/v1/products/shoe-1")
    assert found.status_code == 200
    assert found.json()["title"] == "Trail Running Shoes" and "grip" in found.json()["description"]
    missing = client.get("/v1/products/nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "product nope not found"


def test_pages_are_served_and_the_widget_is_one_script(client: TestClient) -> None:
    assert client.get("/shop").headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js"' in client.get("/shop/products/P1").text
    widget = client.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript") and "/v1/ws" in widget.text
    assert client.get("/console/login").status_code == 200
    assert client.get("/console/assets/console.js").status_code == 200
    assert client.get("/console/assets/../config.py").status_code == 404
