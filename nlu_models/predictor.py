"""Serve the fine-tuned model: batched prediction with ONNX Runtime (torch as a fallback).

Output per message: the intent ranking with calibrated confidences (out-of-scope when the
confidence is below the learned threshold), entities with price bounds normalised, and
the purchase-funnel stage with its score (the probability mass on purchase-stage intents).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from i18n.language import CHINESE, ENGLISH, detect
from nlu_models.calibration import softmax
from nlu_models.encoding import TextEncoder, decode_batch, lookup_features
from nlu_models.lookups import Gazetteer
from nlu_models.model import CONFIG_FILE
from nlu_models.onnx_export import LOOKUP_INPUT, ONNX_FILE, ONNX_INT8_FILE
from nlu_models.prices import normalise_price
from nlu_models.taxonomy import PURCHASE_STAGE
from nlu_models.zh_head import ChineseHead

log = logging.getLogger(__name__)
OUT_OF_SCOPE = "out_of_scope"


@dataclass
class Prediction:
    """What the model understood from one message."""

    intent: str
    confidence: float
    ranking: List[Dict[str, Any]]
    entities: List[Dict[str, Any]]
    stage: str
    stage_score: float
    out_of_scope: bool
    truncated: bool = False
    language: str = ENGLISH


class Predictor:
    """Loads a trained model folder once and predicts in batches."""

    def __init__(
        self,
        folder: Path,
        stages: Dict[str, str],
        threads: int = 1,
        prefer_onnx: bool = True,
        ranking_length: int = 10,
    ) -> None:
        self.folder = Path(folder)
        self.meta = json.loads((self.folder / CONFIG_FILE).read_text())
        self.intents: List[str] = list(self.meta["intents"])
        self.tags: List[str] = list(self.meta["tags"])
        self.temperature = float(self.meta["temperature"])
        self.threshold = float(self.meta["oos_threshold"])
        self.stages = stages
        self.ranking_length = ranking_length
        self.text = TextEncoder(self.folder / "tokenizer.json", int(self.meta["max_length"]))
        self.gazetteer = Gazetteer(self.meta.get("lookups") or {})
        self.crf = self.meta.get("crf")
        self.purchase_mask = np.array([stages.get(i) == PURCHASE_STAGE for i in self.intents])
        self.scope_mask = np.array([i != OUT_OF_SCOPE for i in self.intents])
        self._session = None
        self._torch_model = None
        # the Chinese path, when the model was trained with Chinese examples
        self.zh = ChineseHead(self.folder, threads) if ChineseHead.exists(self.folder) else None
        self._zh_scope = None if self.zh is None else np.array([i != OUT_OF_SCOPE for i in self.zh.intents])
        self._zh_purchase = (
            None if self.zh is None else np.array([stages.get(i) == PURCHASE_STAGE for i in self.zh.intents])
        )
        onnx_file = next((self.folder / f for f in (ONNX_INT8_FILE, ONNX_FILE) if (self.folder / f).exists()), None)
        if prefer_onnx and onnx_file is not None:
            try:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
                self.backend = f"onnxruntime:{onnx_file.name}"
            except Exception as exc:  # noqa: BLE001 - any ONNX failure falls back to torch
                log.warning("nlu.predictor.onnx_unavailable error=%s", type(exc).__name__)
        if self._session is None:
            import torch

            from nlu_models.model import IntentEntityModel

            torch.set_num_threads(threads)
            self._torch_model, _ = IntentEntityModel.load(self.folder)
            self.backend = "torch"

    def _logits(self, ids: np.ndarray, mask: np.ndarray, lookup: np.ndarray) -> "tuple[np.ndarray, np.ndarray]":
        if self._session is not None:
            feed = {"input_ids": ids, "attention_mask": mask}
            if self.gazetteer.width:
                feed[LOOKUP_INPUT] = lookup
            intent, entity = self._session.run(None, feed)
            return np.asarray(intent), np.asarray(entity)
        import torch

        with torch.no_grad():
            intent_t, entity_t = self._torch_model(  # type: ignore[misc]
                torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(lookup)
            )
        return intent_t.numpy(), entity_t.numpy()

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> List[Prediction]:
        """Return one prediction per text; empty or odd input never raises.

        Each text goes down the path of the language it is written in (`i18n.language`):
        Chinese to the Chinese head when the model has one, everything else to the
        fine-tuned English model."""
        chinese = [i for i, t in enumerate(texts) if self.zh is not None and detect(t) == CHINESE]
        if not chinese:
            return self._predict_en(texts, batch_size)
        taken = set(chinese)
        english = [i for i in range(len(texts)) if i not in taken]
        results: List[Optional[Prediction]] = [None] * len(texts)
        for i, p in zip(english, self._predict_en([texts[i] for i in english], batch_size), strict=True):
            results[i] = p
        for i, p in zip(chinese, self._predict_zh([texts[i] for i in chinese]), strict=True):
            results[i] = p
        return [p for p in results if p is not None]

    def _predict_zh(self, texts: Sequence[str]) -> List[Prediction]:
        assert self.zh is not None and self._zh_scope is not None and self._zh_purchase is not None
        probs = self.zh.probabilities(texts)
        out = []
        for row, text in enumerate(texts):
            prediction = self._decide(
                text,
                probs[row],
                self.zh.entities.extract(text),
                self.zh.intents,
                self.zh.threshold,
                self._zh_scope,
                self._zh_purchase,
            )
            prediction.language = CHINESE
            out.append(prediction)
        return out

    def _predict_en(self, texts: Sequence[str], batch_size: int) -> List[Prediction]:
        results: List[Prediction] = []
        for start in range(0, len(texts), batch_size):
            chunk = [t if t.strip() else " " for t in texts[start : start + batch_size]]
            batch = self.text.encode(chunk)
            lookup = lookup_features(chunk, batch, self.gazetteer)
            intent_logits, entity_logits = self._logits(batch.input_ids, batch.attention_mask, lookup)
            probs = softmax(intent_logits, self.temperature)
            found = decode_batch(chunk, batch, entity_logits, self.tags, self.crf)
            for row, text in enumerate(chunk):
                prediction = self._one(text, probs[row], found[row])
                prediction.truncated = batch.truncated[row]
                results.append(prediction)
        return results

    def _one(self, text: str, probs: np.ndarray, entities: List[Dict[str, Any]]) -> Prediction:
        return self._decide(text, probs, entities, self.intents, self.threshold, self.scope_mask, self.purchase_mask)

    def _decide(
        self,
        text: str,
        probs: np.ndarray,
        entities: List[Dict[str, Any]],
        intents: List[str],
        threshold: float,
        scope_mask: np.ndarray,
        purchase_mask: np.ndarray,
    ) -> Prediction:
        """Rank the intents, refuse below the out-of-scope threshold, normalise prices."""
        order = np.argsort(-probs)[: self.ranking_length]
        ranking = [{"name": intents[i], "confidence": float(probs[i])} for i in order]
        best = int(order[0])
        confidence = float(probs[best])
        in_scope_best = float(probs[scope_mask].max()) if scope_mask.any() else confidence
        out_of_scope = intents[best] == OUT_OF_SCOPE or in_scope_best < threshold or not text.strip()
        intent = OUT_OF_SCOPE if out_of_scope else intents[best]
        if out_of_scope and intents[best] != OUT_OF_SCOPE:
            confidence = 1.0 - in_scope_best if text.strip() else 1.0
        for entity in list(entities):
            if entity["entity"] == "price":
                for key, value in normalise_price(entity["value"]).items():
                    entity[key] = value
                    entities.append(
                        {
                            "entity": key,
                            "value": value,
                            "start": entity["start"],
                            "end": entity["end"],
                            "confidence_entity": entity["confidence_entity"],
                        }
                    )
        stage = self.stages.get(intent, "conversation")
        return Prediction(intent, confidence, ranking, entities, stage, float(probs[purchase_mask].sum()), out_of_scope)
