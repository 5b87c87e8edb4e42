"""The trainer on a tiny data set: it learns, it is deterministic, it calibrates."""

from __future__ import annotations

import numpy as np
import torch

from nlu_models.calibration import expected_calibration_error, fit_oos_threshold, fit_temperature, nll, softmax
from nlu_models.data import Example
from nlu_models.trainer import Trainer
from tests.nlu.conftest import tiny_args

# Held out: none of these is in tiny_nlu.yml, so validation measures what was learned,
# not what was memorised.
HELD_OUT = [
    Example("hello!", "greet"),
    Example("hey there, good evening", "greet"),
    Example("show me green jackets", "search_product"),
    Example("I am looking for a red watch", "search_product"),
    Example("add this to my cart please", "add_to_cart"),
    Example("put it in the basket", "add_to_cart"),
]


def test_training_learns_the_tiny_set(tiny_examples) -> None:  # type: ignore[no-untyped-def]
    result = Trainer(tiny_args(epochs=6)).train(tiny_examples, validation=HELD_OUT)
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    # chance is 1/3; 4 of 6 unseen messages right means it learned the intents
    assert max(h["val_accuracy"] for h in result.history) >= 4 / 6
    assert result.temperature > 0


def test_same_seed_gives_the_same_model(tiny_examples) -> None:  # type: ignore[no-untyped-def]
    first = Trainer(tiny_args(epochs=1)).train(tiny_examples, validation=tiny_examples)
    second = Trainer(tiny_args(epochs=1)).train(tiny_examples, validation=tiny_examples)
    for (name, a), (_, b) in zip(first.model.state_dict().items(), second.model.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_temperature_scaling_fixes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, size=400)
    logits = rng.normal(size=(400, 5))
    logits[np.arange(400), labels] += 1.0  # right 50-60% of the time...
    logits *= 8.0  # ...but sure of itself
    t = fit_temperature(logits, labels)
    assert t > 2.0
    assert nll(logits, labels, t) < nll(logits, labels, 1.0)
    assert expected_calibration_error(softmax(logits, t), labels) < expected_calibration_error(softmax(logits), labels)


def test_oos_threshold_separates_out_of_scope_messages() -> None:
    in_conf = np.array([0.9, 0.8, 0.95, 0.7, 0.85])
    correct = np.array([True, True, True, False, True])
    oos_conf = np.array([0.3, 0.4, 0.2, 0.75])
    threshold = fit_oos_threshold(in_conf, correct, oos_conf, objective="balanced")
    assert 0.4 < threshold <= 0.8
    # Unbalanced: one confident out-of-scope message does not drag the threshold above
    # correct in-scope predictions.
    assert fit_oos_threshold(in_conf, correct, np.array([0.1, 0.82]), objective="accuracy") <= 0.8
    assert fit_oos_threshold(in_conf, correct, None, quantile=0.0) == 0.8


def test_the_bounded_threshold_gives_up_at_most_the_allowed_in_scope_accuracy() -> None:
    in_conf = np.linspace(0.5, 0.99, 100)  # 100 in-scope messages, all correct
    correct = np.ones(100, dtype=bool)
    oos_conf = np.array([0.3, 0.52, 0.6, 0.9])
    # No loss allowed: only what lies below every in-scope confidence is caught.
    assert 0.3 < fit_oos_threshold(in_conf, correct, oos_conf, max_accuracy_loss=0.0) <= 0.5
    # Five points allowed: the lowest five in-scope messages may go, catching 0.52 too.
    t = fit_oos_threshold(in_conf, correct, oos_conf, max_accuracy_loss=0.05)
    assert t > 0.52 and int(np.sum(in_conf < t)) <= 5
    assert int(np.sum(oos_conf < t)) == 2
