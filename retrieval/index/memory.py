"""An in-memory product index: a fake for unit tests, behind the same port."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from retrieval.encoders.port import SparseVec
from retrieval.filters import ProductFilter
from retrieval.index.port import (
    DENSE,
    MULTILINGUAL,
    PREFETCH,
    RRF_K,
    DenseVector,
    Fusion,
    IndexHit,
    SearchMode,
    build_payload,
    lists_to_search,
    point_batches,
)
from retrieval.product import Product


def _rrf(ranked: list[str]) -> dict[str, float]:
    return {key: 1.0 / (RRF_K + rank) for rank, key in enumerate(ranked)}


def _dbsf(scores: dict[str, float]) -> dict[str, float]:
    """Scale scores by their mean +- 3 standard deviations to 0..1 (Qdrant's DBSF)."""
    if not scores:
        return {}
    values = np.array(list(scores.values()))
    low, high = values.mean() - 3 * values.std(), values.mean() + 3 * values.std()
    span = high - low
    return {k: float(np.clip((v - low) / span, 0.0, 1.0)) if span else 0.5 for k, v in scores.items()}


class InMemoryProductIndex:
    """Exact search in Python, RRF fusion; the reference the contract tests compare to."""

    def __init__(self, multilingual: bool = False) -> None:
        self._multilingual = multilingual
        # id -> ({vector name: row}, sparse weights, payload)
        self._rows: dict[str, tuple[dict[str, np.ndarray], dict[int, float], dict[str, Any]]] = {}

    def vectors(self) -> frozenset[str]:
        """Return the dense vectors this index keeps."""
        return frozenset({DENSE, MULTILINGUAL} if self._multilingual else {DENSE})

    def upsert(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Insert or replace products by id."""
        vectors = self.vectors()
        for row in (r for batch in point_batches(products, dense, sparse, multilingual, vectors) for r in batch):
            weights = dict(zip(row.sparse.indices, row.sparse.values, strict=True))
            named: dict[str, np.ndarray] = {DENSE: np.asarray(row.dense, np.float32)}
            if row.multilingual is not None:
                named[MULTILINGUAL] = np.asarray(row.multilingual, np.float32)
            self._rows[row.product.id] = (named, weights, build_payload(row.product))

    def delete(self, product_ids: Sequence[str]) -> None:
        """Remove products by id."""
        for pid in product_ids:
            self._rows.pop(pid, None)

    def count(self, flt: ProductFilter | None = None) -> int:
        """Return how many products match."""
        return sum(1 for _, _, p in self._rows.values() if flt is None or flt.matches(p))

    def _ranked(self, scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda k: (-scores[k], k))[:PREFETCH]

    def search(
        self,
        *,
        dense: np.ndarray | None,
        sparse: SparseVec | None,
        flt: ProductFilter | None = None,
        limit: int = 10,
        offset: int = 0,
        mode: SearchMode = "hybrid",
        exact: bool = False,
        fusion: Fusion = "rrf",
        using: DenseVector = DENSE,
    ) -> list[IndexHit]:
        """Return the best products (always exact; RRF or DBSF for hybrid)."""
        rows = {k: r for k, r in self._rows.items() if flt is None or flt.matches(r[2])}
        lists: list[dict[str, float]] = []  # the lists asked for and possible, as the real adapters build them
        wants_dense, wants_sparse = lists_to_search(dense, sparse, mode, using, self.vectors())
        if wants_dense and dense is not None:
            lists.append({k: float(np.dot(r[0][using], dense)) for k, r in rows.items() if using in r[0]})
        if wants_sparse and sparse is not None:
            weights = list(zip(sparse.indices, sparse.values, strict=True))
            scored = {k: sum(r[1].get(i, 0.0) * v for i, v in weights) for k, r in rows.items()}
            lists.append({k: s for k, s in scored.items() if s > 0})
        if not lists:
            return []
        fused = lists[0]
        if len(lists) == 2:  # hybrid: both lists fused
            fused = {}
            for scores in lists:
                top = self._ranked(scores)
                contribution = _rrf(top) if fusion == "rrf" else _dbsf({k: scores[k] for k in top})
                for key, value in contribution.items():
                    fused[key] = fused.get(key, 0.0) + value
        ranked = sorted(fused, key=lambda k: (-fused[k], k))[offset : offset + limit]
        return [IndexHit(k, fused[k], dict(rows[k][2])) for k in ranked]

    def get(self, product_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return payloads of known ids, in order."""
        return [dict(self._rows[p][2]) for p in product_ids if p in self._rows]

    def scroll(self, fields: Sequence[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Yield the named payload fields of every product."""
        for _, _, payload in list(self._rows.values()):
            yield {k: payload[k] for k in fields if k in payload}

    def rebuild(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Replace everything at once."""
        fresh = InMemoryProductIndex(self._multilingual)
        fresh.upsert(products, dense, sparse, multilingual)
        self._rows = fresh._rows

    def close(self) -> None:
        """Nothing to release."""
