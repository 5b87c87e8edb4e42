"""Personal data is masked before storage, Rasa, logs and webhook payloads; order ids survive."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import DEV_ADMIN_TOKEN
from api.conversations.models import Message
from api.dialogue.fake import FakeDialogueEngine
from api.integrations.models import OutboxEvent
from api.pii.masking import Masker, iban_valid, luhn_valid
from tests.support.pii_corpus import corpus

CASES = corpus()


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isalnum())


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 200


@pytest.mark.parametrize(("text", "personal", "keep"), CASES)
def test_every_personal_value_is_masked_and_order_ids_survive(text: str, personal: list[str], keep: list[str]) -> None:
    masked = Masker().mask(text)
    for value in personal:
        assert value not in masked and _digits(value) not in _digits(masked), masked
    for value in keep:
        assert value in masked


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB82 WEST 1234 5698 7654 32") and not iban_valid("GB82 WEST 1234 5698 7654 33")


def test_kinds_are_configurable() -> None:
    assert Masker(kinds=("email",)).mask("jane@example.com 415-555-0134") == "[email] 415-555-0134"
    assert Masker(kinds=(), extra_patterns=[r"\bVIP-\d+\b"]).mask("code VIP-123") == "code [redacted]"
    with pytest.raises(ValueError, match="unknown masking kinds"):
        Masker(kinds=("dna",))


def test_nothing_personal_reaches_the_database_rasa_logs_or_webhooks(
    client: TestClient, engine: FakeDialogueEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post(
        "/v1/admin/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["message.created"]},
        headers={"authorization": f"Bearer {DEV_ADMIN_TOKEN}"},
    ).raise_for_status()
    personal = [v for _, values, _ in CASES for v in values]
    for i, (text, _, _) in enumerate(CASES):
        assert client.post("/v1/chat", json={"sender": f"pii-{i % 7}", "message": text}).status_code == 200
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        stored = " ".join(session.scalars(select(Message.text)))
        payloads = " ".join(str(p) for p in session.scalars(select(OutboxEvent.payload)))
    sent_to_rasa = " ".join(call["text"] for call in engine.calls)
    for value in personal:
        for where, blob in (
            ("database", stored),
            ("webhooks", payloads),
            ("rasa", sent_to_rasa),
            ("logs", caplog.text),
        ):
            assert value not in blob, f"{value!r} leaked into {where}"
    assert "order 1234567890" in stored


def test_a_bracketed_area_code_is_masked_with_its_bracket() -> None:
    # was "call me at ([phone]" (issue 19)
    assert Masker().mask("call me at (212) 555-7890 after 6") == "call me at [phone] after 6"


def test_a_postcode_beside_a_masked_address_is_masked_and_the_city_kept() -> None:
    assert Masker().mask("ship it to 221B Baker Street, London NW1 6XE") == "ship it to [address], London [postcode]"
