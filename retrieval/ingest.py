"""Ingest a catalog: load, encode (cached), and write the index, with progress."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoders.port import DenseEncoder, SparseEncoder, SparseVec
from retrieval.index.port import ProductIndex
from retrieval.loaders import LoadReport, load_catalog

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class IngestSummary:
    """What an ingest did."""

    loaded: int
    skipped: int
    skip_reasons: dict[str, int]
    encoded: int
    seconds: float
    first_skips: list[str]
    encoded_multilingual: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly view."""
        return self.__dict__.copy()


def ingest_catalog(
    path: str | Path,
    index: ProductIndex,
    dense: DenseEncoder,
    sparse: SparseEncoder,
    *,
    mapping: Mapping[str, str] | None = None,
    replace_all: bool = True,
    batch_size: int = 128,
    progress: Progress | None = None,
    multilingual: DenseEncoder | None = None,
) -> IngestSummary:
    """Load a catalog file and (re)build the index from it.

    Args:
        path: CSV, JSON Lines or Parquet export.
        index: the product index to write.
        dense: dense encoder (wrap it in CachedDenseEncoder to re-encode only changes).
        sparse: sparse encoder.
        mapping: product field -> source column.
        replace_all: rebuild into a fresh index and switch when complete; otherwise upsert.
        batch_size: products encoded per step.
        progress: called with (done, total) after each batch.
        multilingual: the second dense encoder (Product.multilingual_text), for CJK queries.
    """
    started = time.perf_counter()
    report: LoadReport = load_catalog(path, mapping)
    products = report.products
    texts = [p.search_text() for p in products]
    vectors = np.zeros((len(products), dense.dim), dtype=np.float32)
    second = None if multilingual is None else np.zeros((len(products), multilingual.dim), dtype=np.float32)
    sparse_vecs: list[SparseVec] = []
    for start in range(0, len(products), batch_size):
        batch = products[start : start + batch_size]
        vectors[start : start + len(batch)] = dense.encode_documents(texts[start : start + batch_size])
        if multilingual is not None and second is not None:
            second[start : start + len(batch)] = multilingual.encode_documents([p.multilingual_text() for p in batch])
        sparse_vecs.extend(sparse.encode_document(p.lexical_text()) for p in batch)
        if progress:
            progress(min(start + batch_size, len(products)), len(products))
    if replace_all:
        index.rebuild(products, vectors, sparse_vecs, second)
    else:
        index.upsert(products, vectors, sparse_vecs, second)
    summary = report.summary()
    misses = getattr(dense, "misses", len(products))
    result = IngestSummary(
        loaded=summary["loaded"],
        skipped=summary["skipped"],
        skip_reasons=summary["reasons"],
        encoded=int(misses),
        seconds=round(time.perf_counter() - started, 2),
        first_skips=[f"line {s.line}: {s.reason}" for s in report.skipped[:10]],
        encoded_multilingual=0 if multilingual is None else int(getattr(multilingual, "misses", len(products))),
    )
    log.info("retrieval.ingest.done loaded=%d skipped=%d", result.loaded, result.skipped)
    return result
