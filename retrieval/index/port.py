"""The product index port: what search needs from a vector store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from retrieval.encoders.port import SparseVec
from retrieval.filters import ProductFilter
from retrieval.product import Product

SearchMode = Literal["hybrid", "dense", "sparse"]
# The named dense vectors a product may have: the catalog-language encoder's ("dense", MiniLM)
# and the multilingual encoder's (e5), which Chinese queries search, also across languages.
DenseVector = Literal["dense", "multilingual"]
DENSE: DenseVector = "dense"
MULTILINGUAL: DenseVector = "multilingual"
SPARSE = "sparse"  # the BM25 vector's name
# How hybrid fuses its dense and sparse candidate lists: reciprocal rank fusion, or
# distribution-based score fusion (each list's scores scaled by its mean +- 3 std to 0..1,
# then summed; Qdrant's DBSF). Both are parameter-free; bench/retrieval_bench.py compares them.
Fusion = Literal["rrf", "dbsf"]
RRF_K = 60
PREFETCH = 100
# Bump when build_payload's output changes, so a stored index is re-ingested (shoptalk ingest --if-needed).
# 2: category terms read "watches" as "watch". 3: translated titles (title_zh) in the payload and BM25.
# 4: the multilingual named vector. 5: its text in the catalog's own language only.
PAYLOAD_VERSION = 5


@dataclass(frozen=True)
class IndexHit:
    """One product the index returned, with its fused score and stored payload."""

    product_id: str
    score: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class PointRow:
    """One product with its vectors, as an adapter writes it."""

    product: Product
    dense: list[float]
    sparse: SparseVec
    multilingual: list[float] | None

    def named_vectors(self, sparse: Any) -> dict[str, Any]:
        """Return the point's named vectors, with `sparse` in the store's own sparse type."""
        named: dict[str, Any] = {DENSE: self.dense, SPARSE: sparse}
        if self.multilingual is not None:
            named[MULTILINGUAL] = self.multilingual
        return named


def point_batches(
    products: Sequence[Product],
    dense: np.ndarray,
    sparse: Sequence[SparseVec],
    multilingual: np.ndarray | None,
    vectors: frozenset[str],
    size: int = 256,
) -> Iterator[list[PointRow]]:
    """Yield the products with their vectors, `size` at a time. The multilingual rows go only
    to an index that has that vector (one made before it existed stores the rest)."""
    second = multilingual if MULTILINGUAL in vectors else None
    if (
        len(dense) != len(products)
        or len(sparse) != len(products)
        or (second is not None and len(second) != len(products))
    ):
        raise ValueError("one vector of each kind per product")
    for start in range(0, len(products), size):
        yield [
            PointRow(p, dense[i].tolist(), sparse[i], None if second is None else second[i].tolist())
            for i, p in enumerate(products[start : start + size], start)
        ]


def lists_to_search(
    dense: np.ndarray | None, sparse: SparseVec | None, mode: SearchMode, using: str, vectors: frozenset[str]
) -> tuple[bool, bool]:
    """Return which lists a search runs (dense, BM25): the dense one when a vector is given, the
    mode wants it and the index holds `using`; BM25 when the query has terms and the mode wants it.
    Hybrid fuses both when both run, else the one that does."""
    wants_dense = dense is not None and mode in ("hybrid", "dense") and using in vectors
    wants_sparse = sparse is not None and bool(sparse.indices) and mode in ("hybrid", "sparse")
    return wants_dense, wants_sparse


def build_payload(product: Product) -> dict[str, Any]:
    """Return the stored payload of a product, with its filterable category terms."""
    from retrieval.filters import category_terms

    payload = product.to_payload()
    payload["category_terms"] = category_terms(product.category_path)
    return payload


class ProductIndex(Protocol):
    """A store of product vectors and payloads that answers filtered hybrid queries."""

    def vectors(self) -> frozenset[str]:
        """Return the names of the dense vectors the live index holds."""
        ...

    def upsert(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Insert or replace products by id (`multilingual`: rows of the second named vector,
        stored when the index has that vector)."""
        ...

    def rebuild(
        self,
        products: Sequence[Product],
        dense: np.ndarray,
        sparse: Sequence[SparseVec],
        multilingual: np.ndarray | None = None,
    ) -> None:
        """Replace the whole index atomically: the old one serves until the new is complete."""
        ...

    def delete(self, product_ids: Sequence[str]) -> None:
        """Remove products by id (unknown ids are ignored)."""
        ...

    def count(self, flt: ProductFilter | None = None) -> int:
        """Return how many products match the filter (all when None)."""
        ...

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
        """Return the best products for the query vectors under the filter (exact: no ANN).
        `using` names the dense vector `dense` is compared with; one the index lacks is skipped."""
        ...

    def get(self, product_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Return the payloads of the products that exist, in the order asked."""
        ...

    def scroll(self, fields: Sequence[str], batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Yield the named payload fields of every product, page by page (no order)."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
