"""Export the fine-tuned model to ONNX, with dynamic int8 quantisation for CPU serving."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Tuple

import torch

from nlu_models.model import IntentEntityModel

ONNX_FILE = "model.onnx"
ONNX_INT8_FILE = "model.int8.onnx"
LOOKUP_INPUT = "lookup_features"


def export_onnx(model: IntentEntityModel, out_dir: Path, quantize: bool = True) -> Path:
    """Write model.onnx (and model.int8.onnx when quantize) and return the file to serve."""
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[101, 2023, 2003, 1037, 7099, 102], [101, 7632, 102, 0, 0, 0]])
    mask = (ids != 0).long()
    inputs: Tuple[torch.Tensor, ...] = (ids, mask)
    names = ["input_ids", "attention_mask"]
    if model.lookup_width:  # the lookup features are a third input
        inputs += (torch.zeros(ids.shape + (model.lookup_width,)),)
        names.append(LOOKUP_INPUT)
    fp32 = out_dir / ONNX_FILE
    torch.onnx.export(
        model,
        inputs,
        str(fp32),
        input_names=names,
        output_names=["intent_logits", "entity_logits"],
        dynamic_axes={
            **{name: {0: "batch", 1: "seq"} for name in names},
            "intent_logits": {0: "batch"},
            "entity_logits": {0: "batch", 1: "seq"},
        },
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,  # the TorchScript exporter: no onnxscript dependency
    )
    if not quantize:
        return fp32
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = out_dir / ONNX_INT8_FILE
    tmp = out_dir / "model.int8.tmp.onnx"
    # Per-channel weight scales: on a model fine-tuned on bot/data they halved the int8
    # logit error against fp32 (mean |d| 0.20 -> 0.09) and kept every top intent (1,500
    # messages; per-tensor changed 1), at the same speed.
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, int8)
    return int8
