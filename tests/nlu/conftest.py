"""NLU tests run in the Rasa env (Python 3.10: torch, transformers, rasa)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="nlu tests run in the Rasa env: make test runs them there")

from nlu_models.data import Example, read_lookups, read_nlu  # noqa: E402
from nlu_models.io import save_trained  # noqa: E402
from nlu_models.trainer import Trainer  # noqa: E402
from nlu_models.training_args import TrainingArguments  # noqa: E402

HERE = Path(__file__).resolve().parent
TAXONOMY = HERE.parents[1] / "bot" / "taxonomy.yml"


def tiny_args(**overrides: object) -> TrainingArguments:
    """Return arguments that train on the tiny set in seconds."""
    values = {
        "epochs": 3,
        "batch_size": 8,
        "min_examples_per_intent": 3,
        "validation_fraction": 0.2,
        "early_stopping_patience": 5,
        "learning_rate": 1e-4,
        "head_learning_rate": 5e-3,
        **overrides,
    }
    return TrainingArguments.from_dict(values)


@pytest.fixture(scope="session")
def tiny_examples() -> list[Example]:
    """Return the tiny annotated data set (3 intents, 6 examples each)."""
    return read_nlu(HERE / "tiny_nlu.yml")


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_examples: list[Example], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train once on the tiny set, with its lookup tables, and save (weights, calibration,
    CRF transitions, ONNX fp32 and int8)."""
    args = tiny_args(epochs=6)
    trainer = Trainer(args)
    result = trainer.train(
        tiny_examples,
        validation=tiny_examples,
        entity_names=["product", "color", "price"],
        lookups=read_lookups(HERE / "tiny_nlu.yml"),
    )
    out = tmp_path_factory.mktemp("tiny-model")
    save_trained(result, args, trainer.encoder_dir, out)
    return out
