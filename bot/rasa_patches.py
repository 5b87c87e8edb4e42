"""Small, checked replacements of Rasa 3.6 internals that measured costly (bench/turn_cost.py).

Rasa offers no extension point for these, so each one checks that the code it replaces is
still the code it was written against, and raises at import (so `rasa run` fails to start)
if a Rasa upgrade changed it: a patch that silently stops matching is worse than none.

- `RemoteAction._validate_action_result` (rasa/core/actions/action.py:699-713 in 3.6.21)
  calls `jsonschema.validate(result, spec)` on every custom action's response.
  `validate` checks the schema itself against the meta-schema first (jsonschema
  validators.py:1114-1116, `cls.check_schema(schema)`) and builds a new validator, every
  call: that was over a third of Rasa's CPU per turn. The replacement checks the schema
  and builds the validator once, then raises exactly what `validate` raises (the
  `best_match` of the errors) with Rasa's own hint appended.

Imported by the ShopTalk channel (channels/shoptalk_rest.py), which every Rasa server of
this project loads through credentials.yml.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import Any, Dict, Text

import rasa
from jsonschema import exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# sha256 of the source of what each patch replaces, as shipped in Rasa 3.6.21.
REPLACED = {"RemoteAction._validate_action_result": "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"}
ORIGINALS: Dict[str, Any] = {}  # what each patch replaced, for the tests
RASA_SERIES = "3.6."


class RasaChanged(RuntimeError):
    """Rasa's code is not what a patch was written against: review the patch before upgrading."""


def source_digest(function: Any) -> str:
    """sha256 of a function's source, as `inspect` reads it."""
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def check_unchanged(name: str, function: Any) -> None:
    """Raise RasaChanged unless `function` is the code the patch `name` replaces."""
    if not rasa.__version__.startswith(RASA_SERIES):
        raise RasaChanged(f"rasa {rasa.__version__} is not {RASA_SERIES}x: review bot/rasa_patches.py ({name})")
    if source_digest(function) != REPLACED[name]:
        raise RasaChanged(f"{name} is not the code bot/rasa_patches.py replaces: review the patch")


@functools.lru_cache(maxsize=1)
def action_result_validator() -> Validator:
    """The validator of an action server's response, its schema checked once."""
    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does, with the validator built once."""
    error = exceptions.best_match(action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    """Install the patches (idempotent); raise RasaChanged if Rasa's code moved under one."""
    current = RemoteAction._validate_action_result
    if current is validate_action_result:
        return
    check_unchanged("RemoteAction._validate_action_result", current)
    ORIGINALS["RemoteAction._validate_action_result"] = current
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


apply()
