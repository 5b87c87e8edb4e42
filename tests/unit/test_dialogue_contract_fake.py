"""The fake dialogue engine honours the same contract as the Rasa adapter (tests/e2e)."""

from api.dialogue.fake import FakeDialogueEngine
from tests.support.dialogue_contract import check_dialogue_contract


def test_fake_engine_meets_the_dialogue_contract() -> None:
    check_dialogue_contract(FakeDialogueEngine())
