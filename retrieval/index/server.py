"""The production path: a Qdrant server or cluster through qdrant-client.

The live collection is reached through an alias; a rebuild fills a new collection and
switches the alias in one call, then drops the old collection. In tests the same code
runs against qdrant-client's local mode, which speaks the same client API.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

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
VECTORS_TTL_S = 30.0


def to_qdrant_filter(flt: ProductFilter | None) -> models.Filter | None:
    """Translate a product filter into a qdrant-client filter."""
    if flt is None:
        return None
    f = flt.normalised()
    must: list[Any] = []
    must_not: list[Any] = []

    def any_of(key: str, values: Sequence[str]) -> models.FieldCondition:
        return models.FieldCondition(key=key, match=models.MatchAny(any=list(values)))

    if f.categories:
        must.append(any_of("category_terms", f.categories))
    if f.brands:
        must.append(any_of("brand", f.brands))
    if f.colors:
        must.append(any_of("color", f.colors))
    if f.price_min is not None or f.price_max is not None:
        must.append(models.FieldCondition(key="price", range=models.Range(gte=f.price_min, lte=f.price_max)))
    if f.in_stock is not None:
        in_stock = models.Range(gte=1.0) if f.in_stock else models.Range(lt=1.0)
        must.append(models.FieldCondition(key="stock", range=in_stock))
    if f.exclude_colors:
        must_not.append(any_of("color", f.exclude_colors))
    if f.exclude_brands:
        must_not.append(any_of("brand", f.exclude_brands))
    if f.exclude_categories:
        must_not.append(any_of("category_terms", f.exclude_categories))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)


class ServerProductIndex:
    """ProductIndex on a Qdrant server (or qdrant-client local mode in tests)."""

    def __init__(
        self, client: QdrantClient, dim: int, alias: str = "products", multilingual_dim: int | None = None
    ) -> None:
        self.client = client
        self.dim = dim
        self.alias = alias
        self.multilingual_dim = multilingual_dim  # a new collection gets the multilingual vector when set
        if not self._alias_target():
            name = self._create_collection()
            self._point_alias(name, old=None)
        self._vectors = self._collection_vectors(self.alias)
        self._vectors_at = time.monotonic()

    @classmethod
    def connect(
        cls, url: str, api_key: str | None, dim: int, alias: str = "products", multilingual_dim: int | None = None
    ) -> ServerProductIndex:
        """Connect to a Qdrant server by URL (":memory:" gives qdrant-client's local mode)."""
        client = QdrantClient(location=url, api_key=api_key or None, timeout=10)
        return cls(client, dim, alias, multilingual_dim)

    def _collection_vectors(self, name: str) -> frozenset[str]:
        vectors = self.client.get_collection(name).config.params.vectors
        return frozenset(vectors) if isinstance(vectors, dict) else frozenset()

    def vectors(self) -> frozenset[str]:
        """Return the names of the live collection's dense vectors, re-read every VECTORS_TTL_S:
        another process (an ingest job, another replica) may switch the alias to a collection
        with other vectors."""
        if time.monotonic() - self._vectors_at > VECTORS_TTL_S:
            self._vectors, self._vectors_at = self._collection_vectors(self.alias), time.monotonic()
        return self._vectors

    def _alias_target(self) -> str | None:
        for a in self.client.get_aliases().aliases:
            if a.alias_name == self.alias:
                return a.collection_name
        return None

    def _create_collection(self) -> str:
        name = f"{self.alias}_{time.time_ns()}"
        vectors: dict[str, models.VectorParams] = {
            DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)
        }
        if self.multilingual_dim:
            vectors[MULTILINGUAL] = models.VectorParams(size=self.multilingual_dim, distance=models.Distance.COSINE)
        self.client.create_collection(
            name,
            vectors_config=vectors,
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        schema = models.PayloadSchemaType
        fields = [(k, schema.KEYWORD) for k in INDEXED_FIELDS.keyword]
        fields += [(k, schema.FLOAT) for k in INDEXED_FIELDS.number]
        for key, kind in fields:
            self.client.create_payload_index(name, key, field_schema=kind)
        return name

    def _point_alias(self, name: str, old: str | None) -> None:
        ops: list[Any] = []
        if old:
            ops.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=self.alias)))
        ops.append(
            models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=name, alias_name=self.alias))
        )
        self.client.update_collection_aliases(change_aliases_operations=ops)

    def _write(
        self,
        collection: str,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None,
    ) -> None:
        vectors = self._collection_vectors(collection)
        for batch in point_batches(products, dense, sparse, multilingual, vectors):
            points = [
                models.PointStruct(
                    id=row.product.point_id,
                    vector=row.named_vectors(models.SparseVector(indices=row.sparse.indices, values=row.sparse.values)),
                    payload=build_payload(row.product),
                )
                for row in batch
            ]
            self.client.upsert(collection, points=points, wait=True)

    def upsert(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Insert or replace products by id."""
        self._write(self.alias, products, dense, sparse, multilingual)

    def delete(self, product_ids: Sequence[str]) -> None:
        """Remove products by id."""
        ids: list[Any] = [Product(id=p, title="").point_id for p in product_ids]
        self.client.delete(self.alias, points_selector=models.PointIdsList(points=ids), wait=True)

    def rebuild(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Fill a new collection, then switch the alias to it in one call."""
        old = self._alias_target()
        name = self._create_collection()
        self._write(name, products, dense, sparse, multilingual)
        self._point_alias(name, old=old)
        self._vectors, self._vectors_at = self._collection_vectors(name), time.monotonic()
        if old:
            self.client.delete_collection(old)
        log.info("retrieval.index.rebuilt collection=%s products=%d", name, len(products))

    def count(self, flt: ProductFilter | None = None) -> int:
        """Return how many products match."""
        return int(self.client.count(self.alias, count_filter=to_qdrant_filter(flt), exact=True).count)

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
        """Return the best products: dense, sparse, or both fused (RRF or DBSF)."""
        qfilter = to_qdrant_filter(flt)
        params = models.SearchParams(exact=True) if exact else None
        queries: list[tuple[Any, str]] = []
        wants_dense, wants_sparse = lists_to_search(dense, sparse, mode, using, self.vectors())
        if wants_dense and dense is not None:
            queries.append((np.asarray(dense).tolist(), using))
        if wants_sparse and sparse is not None:
            queries.append((models.SparseVector(indices=sparse.indices, values=sparse.values), SPARSE))
        if not queries:
            return []
        if mode == "hybrid" and len(queries) == 2:
            depth = max(PREFETCH, offset + limit)
            result = self.client.query_points(
                self.alias,
                prefetch=[
                    models.Prefetch(query=q, using=u, limit=depth, filter=qfilter, params=params) for q, u in queries
                ],
                query=(
                    models.RrfQuery(rrf=models.Rrf(k=RRF_K))
                    if fusion == "rrf"
                    else models.FusionQuery(fusion=models.Fusion.DBSF)
                ),
                limit=limit,
                offset=offset,
                with_payload=True,
            )
        else:
            q, name = queries[0]
            result = self.client.query_points(
                self.alias,
                query=q,
                using=name,
                query_filter=qfilter,
                limit=limit,
                offset=offset,
                with_payload=True,
                search_params=params,
            )
        return [
            IndexHit(str(p.payload["product_id"]), float(p.score), dict(p.payload)) for p in result.points if p.payload
        ]

    def get(self, product_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return payloads of known ids, in the order asked."""
        ids: list[Any] = [Product(id=p, title="").point_id for p in product_ids]
        records = self.client.retrieve(self.alias, ids=ids, with_payload=True)
        by_id = {str(r.payload["product_id"]): dict(r.payload) for r in records if r.payload}
        return [by_id[p] for p in product_ids if p in by_id]

    def scroll(self, fields: Sequence[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Yield the named payload fields of every product, a page of `batch` at a time."""
        offset: Any = None
        while True:
            records, offset = self.client.scroll(
                self.alias, limit=batch, offset=offset, with_payload=list(fields), with_vectors=False
            )
            yield from (dict(r.payload) for r in records if r.payload is not None)
            if offset is None:
                return

    def close(self) -> None:
        """Close the client."""
        self.client.close()
