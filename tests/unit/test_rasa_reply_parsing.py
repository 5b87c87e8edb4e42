"""Rasa REST output becomes bot messages; rich parts keep a plain-text fallback."""

from __future__ import annotations

from api.dialogue.rasa import parse_latest_message, parse_rest_reply

CARD = {"product_id": "p1", "title": "Glacier Running Shoes", "price": 498.0, "currency": "INR"}


def test_custom_products_join_the_text_message_before_them() -> None:
    items = [
        {"recipient_id": "c", "text": "Here you go", "buttons": [{"title": "Cheaper", "payload": "cheaper"}]},
        {"recipient_id": "c", "custom": {"products": [CARD]}},
    ]
    [message] = parse_rest_reply(items)
    assert message.text == "Here you go"
    assert message.quick_replies[0].payload == "cheaper"
    assert message.products[0].title == "Glacier Running Shoes"


def test_cards_alone_get_a_text_fallback() -> None:
    [message] = parse_rest_reply([{"custom": {"products": [CARD]}}])
    assert "Glacier Running Shoes" in message.text
    assert "498" in message.text


def test_latest_message_yields_intent_entities_and_purchase_intent() -> None:
    nlu = parse_latest_message(
        {
            "intent": {"name": "add_to_cart", "confidence": 0.88},
            "entities": [{"entity": "color", "value": "blue", "start": 4, "end": 8, "extractor": "X"}],
            "purchase_intent": {"stage": "purchase", "score": 0.9},
        }
    )
    assert nlu is not None
    assert (nlu.intent, nlu.confidence, nlu.stage, nlu.stage_score) == ("add_to_cart", 0.88, "purchase", 0.9)
    assert nlu.entities[0]["value"] == "blue"
    assert parse_latest_message({}) is None
