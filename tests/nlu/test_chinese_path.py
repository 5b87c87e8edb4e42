"""The component's Chinese path: trained beside the English model, chosen by the text's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_models import rasa_component
from nlu_models.lookups import split_lookups
from nlu_models.rasa_component import PurchaseIntentClassifier
from tests.nlu.conftest import HERE, TAXONOMY
from tests.nlu.test_rasa_component import CONFIG

ZH_INTENTS = {"greet", "search_product", "add_to_cart", "out_of_scope"}


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="purchase_intent")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> PurchaseIntentClassifier:
    storage = LocalModelStorage(tmp_path_factory.mktemp("zh"))
    resource = Resource("purchase_intent")
    data = RasaYAMLReader().read(HERE / "tiny_nlu.yml").merge(RasaYAMLReader().read(HERE / "tiny_nlu_zh.yml"))
    component = PurchaseIntentClassifier.create({**CONFIG, "taxonomy": str(TAXONOMY)}, storage, resource, _context())
    component.train(data)
    return PurchaseIntentClassifier.load(CONFIG, storage, resource, _context())


def test_a_chinese_message_takes_the_chinese_path(trained: PurchaseIntentClassifier) -> None:
    [message] = trained.process([Message.build(text="有没有300以内的跑步鞋")])
    assert message.get("language") == "zh"
    ranking = message.get("intent_ranking")
    assert {r["name"] for r in ranking} == ZH_INTENTS  # the Chinese head's intents, out_of_scope included
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-4)
    entities = message.get("entities")
    assert {"entity": "language", "value": "zh"}.items() <= next(
        e for e in entities if e["entity"] == "language"
    ).items()
    for e in entities:
        if "start" in e:
            assert message.get("text")[e["start"] : e["end"]] == e["value"] or e["entity"] in ("price_min", "price_max")


def test_an_english_message_keeps_the_english_model(trained: PurchaseIntentClassifier) -> None:
    [message] = trained.process([Message.build(text="I want blue running shoes under 50 dollars")])
    assert message.get("language") == "en"
    assert {r["name"] for r in message.get("intent_ranking")} == {"greet", "search_product", "add_to_cart"}
    assert trained._predictor is not None and trained._predictor.gazetteer.names == ["brand", "color"]


def test_the_stated_language_fills_the_slot_whatever_the_text(trained: PurchaseIntentClassifier) -> None:
    message = Message.build(text="hi")
    message.set("metadata", {"language": "zh-CN"})
    [parsed] = trained.process([message])
    assert parsed.get("language") == "zh"
    assert {r["name"] for r in parsed.get("intent_ranking")} == {"greet", "search_product", "add_to_cart"}


def test_the_english_trainer_never_sees_chinese_examples(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict = {}

    class Stop(Exception):
        pass

    def capture(self, examples, **kwargs):  # type: ignore[no-untyped-def]
        seen["texts"], seen["lookups"] = [e.text for e in examples], kwargs["lookups"]
        raise Stop

    monkeypatch.setattr(rasa_component.Trainer, "train", capture)
    data: TrainingData = (
        RasaYAMLReader().read(HERE / "tiny_nlu.yml").merge(RasaYAMLReader().read(HERE / "tiny_nlu_zh.yml"))
    )
    component = PurchaseIntentClassifier.create(CONFIG, LocalModelStorage(tmp_path), Resource("p"), _context())
    with pytest.raises(Stop):
        component.train(data)
    assert seen["texts"] and not any("\u4e00" <= ch <= "\u9fff" for t in seen["texts"] for ch in t)
    assert sorted(seen["lookups"]) == ["brand", "color"] and "小米" not in seen["lookups"]["brand"]


def test_zh_tables_serve_the_chinese_path_only() -> None:
    english, chinese = split_lookups({"brand": ["Nike"], "brand_zh": ["小米"], "color_zh": ["黑色"]})
    assert english == {"brand": ["Nike"]}
    assert chinese == {"brand": ["Nike", "小米"], "color": ["黑色"]}
