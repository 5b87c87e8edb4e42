"""The DialogueEngine contract, run against the fake (unit) and real Rasa (e2e)."""

from __future__ import annotations

import uuid

from api.dialogue.port import DialogueEngine


def check_dialogue_contract(engine: DialogueEngine) -> None:
    """Assert the behaviour every DialogueEngine adapter must show."""
    conversation = f"contract-{uuid.uuid4()}"
    assert engine.ready()
    greeting = engine.handle(conversation_id=conversation, text="hi", metadata={"channel": "test"})
    assert greeting.messages and greeting.messages[0].text
    assert greeting.nlu is not None and greeting.nlu.intent == "greet"
    assert greeting.nlu.confidence is not None and 0.0 < greeting.nlu.confidence <= 1.0
    search = engine.handle(conversation_id=conversation, text="I'm looking for running shoes", metadata={})
    assert search.nlu is not None and search.nlu.intent == "search_product"
    cards = [p for m in search.messages for p in m.products]
    assert cards, "a product search must answer with product cards"
    assert all(m.text for m in search.messages), "every message keeps a plain-text part"
