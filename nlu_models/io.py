"""Save a trained model folder: weights, metadata, tokenizer, and the ONNX export."""

from __future__ import annotations

import shutil
from pathlib import Path

from nlu_models.onnx_export import export_onnx
from nlu_models.trainer import TrainResult
from nlu_models.training_args import TrainingArguments


def save_trained(result: TrainResult, args: TrainingArguments, encoder_dir: Path, out: Path) -> Path:
    """Write everything the predictor needs into `out` and return the served model file."""
    result.model.save(out, result.meta(args))
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if (encoder_dir / name).exists():
            shutil.copy(encoder_dir / name, out / name)
    return export_onnx(result.model, out, quantize=args.quantize)
