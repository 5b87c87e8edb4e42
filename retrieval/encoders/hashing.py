"""A deterministic hashing encoder: a fake for unit tests, behind the same port."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from retrieval.encoders.port import SparseVec

_TOKEN = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return [t.rstrip("s") or t for t in _TOKEN.findall(text.lower())]


def _bucket(token: str, size: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big") % size


class HashingDenseEncoder:
    """Bag-of-words hashed into a normalised vector: shared words mean similarity."""

    name = "hashing"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised hashed bag-of-words row per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _tokens(text):
                out[row, _bucket(token, self.dim)] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """Return the hashed vector of one query."""
        return self.encode_documents([text])[0]


class HashingSparseEncoder:
    """Term counts keyed by token hash."""

    def encode_document(self, text: str) -> SparseVec:
        """Return hashed term counts of a document."""
        counts: dict[int, float] = {}
        for token in _tokens(text):
            key = _bucket(token, 2**31 - 1)
            counts[key] = counts.get(key, 0.0) + 1.0
        keys = sorted(counts)
        return SparseVec(keys, [counts[k] for k in keys])

    def encode_query(self, text: str) -> SparseVec:
        """Return hashed query terms."""
        return self.encode_document(text)
