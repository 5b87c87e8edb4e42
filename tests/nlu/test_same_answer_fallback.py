"""The fallback classifier keeps a near tie between intents answered alike, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from nlu_models.rasa_fallback import SameAnswerFallbackClassifier
from nlu_models.taxonomy import Taxonomy

GROUPS = [["search_product", "check_availability", "ask_recommendation"]]


def _parsed(*ranking: tuple[str, float], text: str = "x") -> Message:
    intents = [{"name": name, "confidence": conf} for name, conf in ranking]
    return Message(data={"text": text, "intent": intents[0], "intent_ranking": intents})


def _classify(message: Message, groups: list[list[str]] = GROUPS) -> str:
    config = {**SameAnswerFallbackClassifier.get_default_config(), "threshold": 0.3, "ambiguity_threshold": 0.05}
    config["same_answer"] = groups
    (out,) = SameAnswerFallbackClassifier(config).process([message])
    return str(out.data["intent"]["name"])


def test_a_near_tie_inside_a_group_keeps_the_top_intent() -> None:
    # the case that failed CI: "do you have blue sneakers?" at 0.509 against 0.471
    assert _classify(_parsed(("search_product", 0.509), ("check_availability", 0.471))) == "search_product"


def test_a_near_tie_across_groups_still_falls_back() -> None:
    assert _classify(_parsed(("search_product", 0.509), ("track_order", 0.471))) == "nlu_fallback"


def test_without_groups_it_is_rasas_fallback_classifier() -> None:
    tie = _parsed(("search_product", 0.509), ("check_availability", 0.471))
    assert _classify(tie, groups=[]) == "nlu_fallback"


@pytest.mark.parametrize("confidence", [0.1, 0.29])
def test_low_confidence_falls_back_even_inside_a_group(confidence: float) -> None:
    message = _parsed(("search_product", confidence), ("check_availability", confidence - 0.01))
    assert _classify(message) == "nlu_fallback"


@pytest.mark.parametrize("text", ["👟👟🔥", "??", "...", "❤️"])
def test_a_message_with_no_letter_or_digit_falls_back_however_sure_the_model_is(text: str) -> None:
    assert _classify(_parsed(("goodbye", 0.97), ("thank", 0.01), text=text)) == "nlu_fallback"


@pytest.mark.parametrize("text", ["ok", "42", "在吗", "👍 ok"])
def test_a_message_with_a_word_or_number_is_classified_as_usual(text: str) -> None:
    assert _classify(_parsed(("affirm", 0.97), ("thank", 0.01), text=text)) == "affirm"


def test_the_served_config_names_only_taxonomy_intents() -> None:
    config = yaml.safe_load(Path("bot/config.yml").read_text())
    (fallback,) = [c for c in config["pipeline"] if c["name"].endswith("SameAnswerFallbackClassifier")]
    intents = set(Taxonomy.load("bot/taxonomy.yml").stages)
    assert fallback["same_answer"] and all(set(group) <= intents for group in fallback["same_answer"])
