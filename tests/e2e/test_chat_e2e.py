"""A real conversation through API -> Rasa -> action server -> API search -> reply."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.dialogue.rasa import RasaDialogueEngine
from tests.e2e.conftest import RunningStack
from tests.support.dialogue_contract import check_dialogue_contract

pytestmark = pytest.mark.e2e


def _chat(stack: RunningStack, sender: str, message: str) -> dict:
    body = {"sender": sender, "message": message}
    response = httpx.post(f"{stack.api_url}/v1/chat", json=body, headers=stack.shop, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_conversation_greets_then_shows_product_cards(stack: RunningStack) -> None:
    greeting = _chat(stack, "e2e-shopper", "hi")
    shopper, *replies = greeting["messages"]
    assert shopper["nlu"]["intent"] == "greet"
    assert "shopping" in replies[0]["text"].lower()

    search = _chat(stack, "e2e-shopper", "I'm looking for running shoes")
    assert search["conversation_id"] == greeting["conversation_id"]
    assert search["messages"][0]["nlu"]["intent"] == "search_product"
    cards = [card for m in search["messages"][1:] for card in m["products"]]
    assert len(cards) >= 3
    assert any("running" in c["title"].lower() for c in cards)
    assert all(c["price"] and c["currency"] == "INR" for c in cards)
    assert search["messages"][1]["quick_replies"]


def _stored_first_message(stack: RunningStack, conversation_id: str):  # type: ignore[no-untyped-def]
    engine = create_engine(stack.database_url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT intent, confidence, entities, status FROM messages WHERE conversation_id = :c AND seq = 1"),
            {"c": conversation_id},
        ).one()
    engine.dispose()
    return row


def test_stored_shopper_messages_carry_what_rasa_understood(stack: RunningStack) -> None:
    # A message no model confuses with another intent: the test checks storage, not a borderline call.
    turn = _chat(stack, "e2e-annotations", "I'm looking for blue running shoes")
    row = _stored_first_message(stack, turn["conversation_id"])
    assert row.intent == "search_product"
    assert 0.3 <= row.confidence <= 1
    assert row.status == "answered"
    assert any(e["entity"] == "color" and e["value"] == "blue" for e in row.entities)


def test_a_fallback_is_stored_and_answered_with_the_how_can_i_help_reply(stack: RunningStack) -> None:
    # "/nlu_fallback" is Rasa's intent payload: the fallback path, whatever the model would say.
    # It goes through action_answer_in_context, which answers with utter_default when nothing is in context.
    turn = _chat(stack, "e2e-fallback", "/nlu_fallback")
    row = _stored_first_message(stack, turn["conversation_id"])
    assert row.intent == "nlu_fallback"
    assert row.status == "answered"
    reply = turn["messages"][1]["text"]
    assert "didn't quite get that" in reply and "How can I help?" in reply


def test_a_product_question_between_two_product_intents_is_answered_with_products(stack: RunningStack) -> None:
    # search_product and check_availability are one answer (bot/config.yml, same_answer): a near
    # tie between them must not become "did you mean?"; either way the shopper gets cards.
    turn = _chat(stack, "e2e-availability", "do you have blue sneakers?")
    assert turn["messages"][0]["nlu"]["intent"] in {"search_product", "check_availability", "ask_recommendation"}
    assert [card for m in turn["messages"][1:] for card in m["products"]]


def test_rasa_http_api_requires_its_token(stack: RunningStack) -> None:
    assert httpx.get(f"{stack.rasa_url}/status", timeout=10).status_code == 401
    assert httpx.get(f"{stack.rasa_url}/status", params={"token": stack.token}, timeout=10).status_code == 200


def test_real_rasa_meets_the_dialogue_contract(stack: RunningStack) -> None:
    check_dialogue_contract(RasaDialogueEngine(stack.rasa_url, stack.token, timeout_s=30))


def test_model_parse_returns_intent_entities_and_purchase_intent(stack: RunningStack) -> None:
    parsed = httpx.post(
        f"{stack.rasa_url}/model/parse",
        params={"token": stack.token},
        json={"text": "add the blue one to my cart, under 50 dollars"},
        timeout=30,
    ).json()
    # "add ... to my cart" is no borderline call: add_to_cart, whose taxonomy stage is purchase
    assert parsed["intent"]["name"] == "add_to_cart"
    assert len(parsed["intent_ranking"]) >= 3
    assert parsed["purchase_intent"]["stage"] == "purchase"
    assert parsed["purchase_intent"]["score"] >= parsed["intent"]["confidence"] - 1e-6  # add_to_cart's mass is in it
    by_type = {e["entity"]: e for e in parsed["entities"]}
    assert by_type["color"]["value"] == "blue"
    assert by_type["price_max"]["value"] == 50.0


def test_shopper_messages_carry_the_funnel_stage(stack: RunningStack) -> None:
    turn = _chat(stack, "e2e-stage", "I'm looking for running shoes")
    nlu = turn["messages"][0]["nlu"]
    assert nlu["stage"] == "browse"
    assert 0.0 <= nlu["stage_score"] <= 1.0


def test_rasas_channels_refuse_anyone_but_the_api(stack: RunningStack) -> None:
    # issue 19: both took any sender and raw, unmasked text from anyone who reached :5005
    body = {"sender": "attacker", "message": "my card is 4111 1111 1111 1111"}
    assert httpx.post(f"{stack.rasa_url}/webhooks/shoptalk/webhook", json=body, timeout=30).status_code == 401
    wrong = {"authorization": "Bearer not-the-token"}
    assert (
        httpx.post(f"{stack.rasa_url}/webhooks/shoptalk/webhook", json=body, headers=wrong, timeout=30).status_code
        == 401
    )
    assert httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30).status_code == 404
