"""ONNX serving agrees with torch, and odd input never breaks a parse."""

from __future__ import annotations

import json
import logging

import numpy as np
import onnxruntime as ort
import pytest
import torch

from nlu_models.encoding import TextEncoder, lookup_features
from nlu_models.lookups import Gazetteer
from nlu_models.model import IntentEntityModel
from nlu_models.onnx_export import LOOKUP_INPUT
from nlu_models.predictor import Predictor
from nlu_models.taxonomy import Taxonomy
from tests.nlu.conftest import TAXONOMY

TEXTS = ["hi", "I want blue running shoes under 50 dollars", "add two to my cart please", "show me watches"]


def test_onnx_fp32_matches_torch_and_int8_keeps_the_decisions(tiny_model_dir) -> None:  # type: ignore[no-untyped-def]
    model, meta = IntentEntityModel.load(tiny_model_dir)
    assert model.lookup_width == 4  # the tiny set's brand and colour tables (B and I features each)
    batch = TextEncoder(tiny_model_dir / "tokenizer.json", int(meta["max_length"])).encode(TEXTS)
    lookup = lookup_features(TEXTS, batch, Gazetteer(meta["lookups"]))
    assert lookup[1].sum() == 1  # "blue" in "I want blue running shoes ..."
    with torch.no_grad():
        ref_intent, ref_entity = (
            t.numpy()
            for t in model(
                torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask), torch.from_numpy(lookup)
            )
        )
    feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask, LOOKUP_INPUT: lookup}
    fp32 = ort.InferenceSession(str(tiny_model_dir / "model.onnx")).run(None, feeds)
    assert np.abs(fp32[0] - ref_intent).max() < 1e-3
    assert np.abs(fp32[1] - ref_entity).max() < 1e-3
    int8 = ort.InferenceSession(str(tiny_model_dir / "model.int8.onnx")).run(None, feeds)
    assert (int8[0].argmax(1) == ref_intent.argmax(1)).mean() >= 0.75
    assert (tiny_model_dir / "model.int8.onnx").stat().st_size < 0.4 * (tiny_model_dir / "model.onnx").stat().st_size


def test_onnx_and_torch_predictors_agree(tiny_model_dir) -> None:  # type: ignore[no-untyped-def]
    stages = Taxonomy.load(TAXONOMY).stages
    onnx = Predictor(tiny_model_dir, stages)
    fallback = Predictor(tiny_model_dir, stages, prefer_onnx=False)
    assert onnx.backend.startswith("onnxruntime") and fallback.backend == "torch"
    pairs = zip(onnx.predict(TEXTS), fallback.predict(TEXTS), strict=True)
    agree = [a.ranking[0]["name"] == b.ranking[0]["name"] for a, b in pairs]
    assert sum(agree) >= 3


def test_prediction_carries_stage_and_purchase_score(tiny_model_dir) -> None:  # type: ignore[no-untyped-def]
    stages = Taxonomy.load(TAXONOMY).stages
    [p] = Predictor(tiny_model_dir, stages).predict(["add it to my cart"])
    assert 0.0 <= p.stage_score <= 1.0
    assert p.stage == stages.get(p.intent, "conversation")
    assert abs(sum(r["confidence"] for r in p.ranking) - 1.0) < 1e-3
    meta = json.loads((tiny_model_dir / "shoptalk_nlu.json").read_text())
    assert meta["temperature"] > 0 and 0 <= meta["oos_threshold"] <= 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "buy shoes " * 500,
        "x" * 5000,
        "😀😀🔥",
        "我想买 running shoes для бега",
        "hi\x00\x07there\x1b[31m",
        "\n\t",
    ],
    ids=["empty", "blank", "5000-chars", "one-5000-char-word", "emoji", "mixed-scripts", "control-chars", "whitespace"],
)
def test_odd_input_parses_without_error(tiny_model_dir, text: str, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    logger = logging.getLogger("nlu_models.encoding")
    logger.disabled = False  # rasa's logging setup disables loggers created before it
    with caplog.at_level(logging.INFO, logger="nlu_models.encoding"):
        [p] = Predictor(tiny_model_dir, {}).predict([text])
    assert p.intent
    assert 0.0 <= p.confidence <= 1.0
    assert p.truncated == (len(text.split()) > 100)
    if p.truncated:
        assert "nlu.encode.truncated" in caplog.text
    if not text.strip():
        assert p.out_of_scope and p.entities == []
