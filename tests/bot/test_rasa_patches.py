"""bot/rasa_patches.py: the action-result validator is built once and behaves as Rasa's."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import rasa_patches
from rasa.core.actions.action import RemoteAction
from rasa_patches import RasaChanged, check_unchanged, validate_action_result

NAME = "RemoteAction._validate_action_result"
VALID: dict[str, Any] = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "language", "value": "zh"},
        {"event": "bot", "text": "hi", "data": {"custom": {"products": []}}},
    ],
    "responses": [{"text": "Here are some running shoes", "custom": {"products": [{"id": "p1"}]}}],
}
INVALID: list[Any] = [
    {"events": [{"timestamp": 1}]},  # an event without its name
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "slot", "name": 3}]},
    [],
]


def rasa_original(result: Any) -> jsonschema.ValidationError | None:
    """What Rasa's own code raises for this response (None if it accepts it)."""
    try:
        rasa_patches.ORIGINALS[NAME](object.__new__(RemoteAction), result)
    except jsonschema.ValidationError as e:
        return e
    return None


def test_the_channel_installs_the_patch() -> None:
    import channels.shoptalk_rest as channel  # what `rasa run` loads, through credentials.yml

    assert channel.rasa_patches is rasa_patches  # the channel's import is what applies it in a server
    assert RemoteAction._validate_action_result is validate_action_result


def test_a_valid_response_passes_as_in_rasa() -> None:
    assert rasa_original(VALID) is None
    assert validate_action_result(object.__new__(RemoteAction), VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_raises_what_rasa_raises(result: Any) -> None:
    expected = rasa_original(result)
    assert expected is not None
    with pytest.raises(jsonschema.ValidationError) as raised:
        validate_action_result(object.__new__(RemoteAction), result)
    assert raised.value.message == expected.message
    assert list(raised.value.absolute_path) == list(expected.absolute_path)
    assert "Failed to validate Action server response" in raised.value.message


def test_the_schema_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = rasa_patches.validator_for

    def counting(schema: Any) -> Any:
        calls.append(schema)
        return real(schema)

    monkeypatch.setattr(rasa_patches, "validator_for", counting)
    rasa_patches.action_result_validator.cache_clear()
    for _ in range(3):
        validate_action_result(object.__new__(RemoteAction), VALID)
    assert len(calls) == 1


def test_the_patch_refuses_code_it_was_not_written_for(monkeypatch: pytest.MonkeyPatch) -> None:
    check_unchanged(NAME, rasa_patches.ORIGINALS[NAME])  # the installed Rasa is the one it was written for

    def changed(self: Any, result: Any) -> bool:
        return True

    with pytest.raises(RasaChanged, match="review the patch"):
        check_unchanged(NAME, changed)
    monkeypatch.setattr(rasa_patches.rasa, "__version__", "3.7.0")
    with pytest.raises(RasaChanged, match="3.7.0"):
        check_unchanged(NAME, rasa_patches.ORIGINALS[NAME])
