"""The Rasa adapter: trains through Rasa's graph API, persists to and loads from ModelStorage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from nlu_models.rasa_component import PurchaseIntentClassifier
from nlu_models.taxonomy import Taxonomy
from tests.nlu.conftest import HERE, TAXONOMY

CONFIG = {
    "taxonomy": str(TAXONOMY),
    "epochs": 4,
    "batch_size": 8,
    "min_examples_per_intent": 3,
    "validation_fraction": 0.2,
    "learning_rate": 1e-4,
    "head_learning_rate": 5e-3,
}


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="purchase_intent")


def test_train_persist_load_and_process(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("purchase_intent")
    component = PurchaseIntentClassifier.create(CONFIG, storage, resource, _context())
    data = RasaYAMLReader().read(HERE / "tiny_nlu.yml")
    component.train(data)
    loaded = PurchaseIntentClassifier.load(CONFIG, storage, resource, _context())
    [message] = loaded.process([Message.build(text="I want blue running shoes under 50 dollars")])
    intent = message.get("intent")
    assert intent["name"] in {"greet", "search_product", "add_to_cart", "out_of_scope"}
    assert 0 < intent["confidence"] <= 1
    ranking = message.get("intent_ranking")
    assert sorted(r["name"] for r in ranking) == ["add_to_cart", "greet", "search_product"]
    assert intent["name"] in (ranking[0]["name"], "out_of_scope")
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-4)
    # the stage is the taxonomy's stage of the intent found, and its score the purchase mass
    purchase = message.get("purchase_intent")
    assert purchase["stage"] == Taxonomy.load(TAXONOMY).stages.get(intent["name"], "conversation")
    add_to_cart = next(r["confidence"] for r in ranking if r["name"] == "add_to_cart")
    assert purchase["score"] == pytest.approx(add_to_cart, abs=1e-4)
    assert all(e["extractor"] == "PurchaseIntentClassifier" for e in message.get("entities"))
    assert loaded._predictor is not None and loaded._predictor.gazetteer.names == ["brand", "color"]
    assert "purchase_intent" in message.as_dict(only_output_properties=True)


def test_untrained_component_loads_and_skips(tmp_path: Path) -> None:
    loaded = PurchaseIntentClassifier.load(CONFIG, LocalModelStorage(tmp_path), Resource("nothing"), _context())
    [message] = loaded.process([Message.build(text="hi")])
    assert message.get("intent") is None


def test_too_few_examples_fails_training_with_a_clear_message(tmp_path: Path) -> None:
    component = PurchaseIntentClassifier.create(
        {**CONFIG, "min_examples_per_intent": 50}, LocalModelStorage(tmp_path), Resource("r"), _context()
    )
    with pytest.raises(RasaException, match="'add_to_cart' has 6"):
        component.train(RasaYAMLReader().read(HERE / "tiny_nlu.yml"))
