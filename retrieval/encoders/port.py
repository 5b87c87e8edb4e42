"""The encoder ports: what retrieval needs from a text encoder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class SparseVec:
    """A sparse term-weight vector (indices are term hashes)."""

    indices: list[int]
    values: list[float]


class DenseEncoder(Protocol):
    """Turns texts into L2-normalised dense vectors."""

    dim: int
    name: str

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised row per text (float32, shape [n, dim])."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """Return the normalised vector of one query (shape [dim])."""
        ...


class SparseEncoder(Protocol):
    """Turns texts into sparse lexical vectors for keyword matching."""

    def encode_document(self, text: str) -> SparseVec:
        """Return the term weights of a document."""
        ...

    def encode_query(self, text: str) -> SparseVec:
        """Return the term weights of a query."""
        ...
