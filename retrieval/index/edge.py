"""The embedded default: Qdrant's own engine in-process (qdrant-edge-py), in a folder.

Layout of the folder: `shards/<name>/` holds shard data and `CURRENT` names the live
shard. A rebuild fills a new shard and switches `CURRENT` with an atomic rename only
once it is complete, so readers never see a half-built index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from retrieval.encoders.port import SparseVec
from retrieval.filters import INDEXED_FIELDS, ProductFilter
from retrieval.index.port import (
    DENSE,
    MULTILINGUAL,
    PREFETCH,
    RRF_K,
    SPARSE,
    DenseVector,
    Fusion,
    IndexHit,
    SearchMode,
    build_payload,
    lists_to_search,
    point_batches,
)
from retrieval.product import Product

log = logging.getLogger(__name__)


def to_edge_filter(flt: ProductFilter | None) -> qe.Filter | None:
    """Translate a product filter into a Qdrant Edge filter."""
    if flt is None:
        return None
    f = flt.normalised()
    must: list[Any] = []
    must_not: list[Any] = []
    if f.categories:
        must.append(qe.FieldCondition(key="category_terms", match=qe.MatchAny(list(f.categories))))
    if f.brands:
        must.append(qe.FieldCondition(key="brand", match=qe.MatchAny(list(f.brands))))
    if f.colors:
        must.append(qe.FieldCondition(key="color", match=qe.MatchAny(list(f.colors))))
    if f.price_min is not None or f.price_max is not None:
        must.append(qe.FieldCondition(key="price", range=qe.RangeFloat(gte=f.price_min, lte=f.price_max)))
    if f.in_stock is not None:
        # A range on `stock`: qdrant-edge 0.9's MatchValue(bool) matches no point at all.
        in_stock = qe.RangeFloat(gte=1.0) if f.in_stock else qe.RangeFloat(lt=1.0)
        must.append(qe.FieldCondition(key="stock", range=in_stock))
    if f.exclude_colors:
        must_not.append(qe.FieldCondition(key="color", match=qe.MatchAny(list(f.exclude_colors))))
    if f.exclude_brands:
        must_not.append(qe.FieldCondition(key="brand", match=qe.MatchAny(list(f.exclude_brands))))
    if f.exclude_categories:
        must_not.append(qe.FieldCondition(key="category_terms", match=qe.MatchAny(list(f.exclude_categories))))
    if not must and not must_not:
        return None
    return qe.Filter(must=must or None, must_not=must_not or None)


class EdgeProductIndex:
    """ProductIndex on qdrant-edge-py, persisted under `root`."""

    def __init__(
        self,
        root: Path,
        dim: int,
        hnsw_m: int = 16,
        ef_construct: int = 128,
        search_threads: int | None = None,
        multilingual_dim: int | None = None,
    ) -> None:
        self.root = Path(root)
        self.dim = dim
        self.multilingual_dim = multilingual_dim  # a new shard gets the multilingual vector when set
        self._search_threads = search_threads
        self._hnsw = qe.HnswIndexConfig(m=hnsw_m, ef_construct=ef_construct, full_scan_threshold=10_000)
        self._lock = threading.RLock()
        (self.root / "shards").mkdir(parents=True, exist_ok=True)
        current = self._current_name()
        if current is None:
            current = self._create_shard()
            self._publish(current)
        self._name = current
        self._shard = qe.EdgeShard.load(str(self._shard_dir(current)))
        self._vectors = self._shard_vectors(current)

    # --- shard files -----------------------------------------------------------------
    def _shard_dir(self, name: str) -> Path:
        return self.root / "shards" / name

    def _current_name(self) -> str | None:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        name = pointer.read_text().strip()
        return name if self._shard_dir(name).exists() else None

    def _publish(self, name: str) -> None:
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")

    def _shard_vectors(self, name: str) -> frozenset[str]:
        """Return the dense vectors a shard was created with (a shard made before the
        multilingual vector existed has only `dense` until the next rebuild)."""
        config = json.loads((self._shard_dir(name) / "edge_config.json").read_text())
        return frozenset(config.get("vectors", {}))

    def vectors(self) -> frozenset[str]:
        """Return the names of the live shard's dense vectors."""
        return self._vectors

    def _config(self) -> qe.EdgeConfig:
        vectors: dict[str, qe.EdgeVectorParams] = {
            DENSE: qe.EdgeVectorParams(size=self.dim, distance=qe.Distance.Cosine)
        }
        if self.multilingual_dim:
            vectors[MULTILINGUAL] = qe.EdgeVectorParams(size=self.multilingual_dim, distance=qe.Distance.Cosine)
        return qe.EdgeConfig(
            vectors=vectors,
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=self._hnsw,
            max_search_threads=self._search_threads,
        )

    def _create_shard(self) -> str:
        name = f"s{time.time_ns()}"
        shard = qe.EdgeShard.create(str(self._shard_dir(name)), self._config())
        for key in INDEXED_FIELDS.keyword:
            shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
        for key in INDEXED_FIELDS.number:
            shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Float))
        shard.flush()
        shard.close()
        return name

    # --- writes ------------------------------------------------------------------------
    @staticmethod
    def _fill(
        shard: qe.EdgeShard,
        vectors: frozenset[str],
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None,
    ) -> None:
        for batch in point_batches(products, dense, sparse, multilingual, vectors):
            points = [
                qe.Point(
                    id=row.product.point_id,
                    vector=row.named_vectors(qe.SparseVector(row.sparse.indices, row.sparse.values)),
                    payload=build_payload(row.product),
                )
                for row in batch
            ]
            shard.update(qe.UpdateOperation.upsert_points(points))

    def upsert(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Insert or replace products by id, in batches, and flush."""
        with self._lock:
            self._fill(self._shard, self._vectors, products, dense, sparse, multilingual)
            self._shard.flush()

    def delete(self, product_ids: Sequence[str]) -> None:
        """Remove products by id."""
        ids: list[Any] = [Product(id=p, title="").point_id for p in product_ids]
        with self._lock:
            self._shard.update(qe.UpdateOperation.delete_points(ids))
            self._shard.flush()

    def rebuild(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Fill a new shard, optimise it, then switch to it atomically."""
        name = self._create_shard()
        shard = qe.EdgeShard.load(str(self._shard_dir(name)))
        vectors = self._shard_vectors(name)
        self._fill(shard, vectors, products, dense, sparse, multilingual)
        shard.optimize()
        shard.flush()
        with self._lock:
            self._publish(name)
            old_name, old = self._name, self._shard
            self._name, self._shard, self._vectors = name, shard, vectors
        old.close()
        shutil.rmtree(self._shard_dir(old_name), ignore_errors=True)
        log.info("retrieval.index.rebuilt shard=%s products=%d", name, len(products))

    def optimize(self) -> None:
        """Build the HNSW and payload indexes now rather than on the first queries."""
        with self._lock:
            self._shard.optimize()
            self._shard.flush()

    # --- reads -------------------------------------------------------------------------
    def count(self, flt: ProductFilter | None = None) -> int:
        """Return how many products match."""
        return int(self._shard.count(qe.CountRequest(filter=to_edge_filter(flt), exact=True)))

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
        """Return the best products: HNSW dense, BM25 sparse, or both fused (RRF or DBSF)."""
        edge_filter = to_edge_filter(flt)
        params = qe.SearchParams(exact=True) if exact else None
        queries: list[Any] = []
        wants_dense, wants_sparse = lists_to_search(dense, sparse, mode, using, self._vectors)
        if wants_dense and dense is not None:
            queries.append(qe.Query.Nearest(np.asarray(dense).tolist(), using=using))
        if wants_sparse and sparse is not None:
            queries.append(qe.Query.Nearest(qe.SparseVector(sparse.indices, sparse.values), using=SPARSE))
        if not queries:
            return []
        if mode == "hybrid" and len(queries) == 2:
            depth = max(PREFETCH, offset + limit)
            request = qe.QueryRequest(
                limit=limit,
                offset=offset,
                prefetches=[qe.Prefetch(limit=depth, query=q, filter=edge_filter, params=params) for q in queries],
                query=qe.Fusion.Rrf(k=RRF_K) if fusion == "rrf" else qe.Fusion.Dbsf(),  # type: ignore[arg-type]
                with_payload=True,
            )
        else:
            request = qe.QueryRequest(
                limit=limit, offset=offset, query=queries[0], filter=edge_filter, with_payload=True, params=params
            )
        points = self._shard.query(request)
        return [IndexHit(str(p.payload["product_id"]), float(p.score), dict(p.payload)) for p in points if p.payload]

    def get(self, product_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return payloads of known ids, in the order asked."""
        ids: list[Any] = [Product(id=p, title="").point_id for p in product_ids]
        records = self._shard.retrieve(ids, with_payload=True, with_vector=False)
        by_id = {str(r.payload["product_id"]): dict(r.payload) for r in records if r.payload}
        return [by_id[p] for p in product_ids if p in by_id]

    def scroll(self, fields: Sequence[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Yield the named payload fields of every product, a page of `batch` at a time."""
        selector = qe.PayloadSelector.Include(list(fields))
        offset: Any = None
        while True:
            with self._lock:
                records, offset = self._shard.scroll(
                    qe.ScrollRequest(offset=offset, limit=batch, with_payload=selector, with_vector=False)
                )
            yield from (dict(r.payload) for r in records if r.payload is not None)
            if offset is None:
                return

    def close(self) -> None:
        """Flush and close the shard."""
        with self._lock:
            self._shard.flush()
            self._shard.close()
