"""The bot's custom actions resolve "the second one" against the products shown last."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi.testclient import TestClient

_SPEC = importlib.util.spec_from_file_location(
    "action_references", Path(__file__).resolve().parents[2] / "bot" / "actions" / "references.py"
)
assert _SPEC and _SPEC.loader
references = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(references)

SHOWN = [{"product_id": p, "title": p.upper(), "price": float(i)} for i, p in enumerate(["a", "b", "c"], 1)]


def test_ordinals_numbers_and_last_point_at_shown_products() -> None:
    assert references.referenced("tell me about the second one", SHOWN) == [SHOWN[1]]
    assert references.referenced("compare #1 and the last", SHOWN) == [SHOWN[0], SHOWN[2]]
    assert references.referenced("number 3 please", SHOWN) == [SHOWN[2]]
    assert references.referenced("the fifth one", SHOWN) == []


def test_last_shown_takes_the_newest_cards() -> None:
    messages = [{"products": SHOWN[:1]}, {"products": []}, {"products": SHOWN[1:]}, {"text": "ok"}]
    assert references.last_shown(messages) == SHOWN[1:]


def test_asking_for_a_human_hands_the_conversation_to_staff(client: TestClient) -> None:
    turn = client.post("/v1/chat", json={"sender": "h1", "message": "I want a human"}).json()
    assert turn["messages"][-1]["text"] == "I'll get a member of our team."
    held = client.post("/v1/chat", json={"sender": "h1", "message": "hello?"}).json()
    assert [m["author"] for m in held["messages"]] == ["shopper"]  # the bot stays quiet
    assert held["messages"][0]["status"] == "awaiting_agent"
