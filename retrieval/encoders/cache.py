"""A persistent embedding cache keyed by text hash, so re-ingest encodes only changes."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.encoders.port import DenseEncoder


def text_key(model: str, text: str) -> str:
    """Return the cache key of a text under a model."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


class CachedDenseEncoder:
    """Wraps a dense encoder with an SQLite-backed cache of document embeddings."""

    def __init__(self, inner: DenseEncoder, path: Path) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.name = inner.name
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")
        self.hits = 0
        self.misses = 0

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return embeddings, encoding only the texts not seen before."""
        keys = [text_key(self.name, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = self.inner.encode_documents([texts[i] for i in missing])
            self._db.executemany(
                "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                [(keys[i], fresh[j].astype(np.float32).tobytes()) for j, i in enumerate(missing)],
            )
            self._db.commit()
            for j, i in enumerate(missing):
                found[keys[i]] = fresh[j]
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Return the query embedding (queries are not cached)."""
        return self.inner.encode_query(text)
