"""Cross-validation of the model (what `shoptalk retrain` reports before and after corrections)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu_models.crossval import arguments_from_rasa_config, cross_validate, intent_scores
from tests.nlu.conftest import tiny_args


def test_intent_scores_count_accuracy_and_macro_f1() -> None:
    scores = intent_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert scores["accuracy"] == 0.75
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def test_cross_validation_scores_every_example_once(tiny_examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = cross_validate(
        tiny_examples, ["product", "color", "price"], tiny_args(epochs=2, min_examples_per_intent=2), 2, tmp_path
    )
    assert report["examples"] == len(tiny_examples) and report["folds"] == 2
    assert len(report["fold_macro_f1"]) == 2  # type: ignore[arg-type]
    assert 0.0 <= report["accuracy"] <= 1.0 and 0.0 <= report["entity_f1"] <= 1.0  # type: ignore[operator]
    assert report["accuracy"] > 1 / 3, "better than chance on three intents"  # type: ignore[operator]


def test_cross_validation_needs_two_folds(tiny_examples, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="at least 2 folds"):
        cross_validate(tiny_examples, [], tiny_args(), 1, tmp_path)


def test_cross_validation_trains_with_the_served_components_arguments() -> None:
    config = Path(__file__).resolve().parents[2] / "bot" / "config.yml"
    args = arguments_from_rasa_config(config, epochs=1)
    assert (args.batch_size, args.max_length, args.epochs) == (32, 48, 1), "bot/config.yml's values, then overrides"
