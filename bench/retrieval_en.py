"""The English rows of the retrieval bench: CrowdFlower and Home Depot, through the API's searcher.

Every row searches through `ProductSearcher.search`, as `GET /v1/products/search` does: the
query parser (prices, colours, brands become filters and leave the searched words), the
catalog's speller, the dense and BM25 lists, fusion, relaxation, with the API's default
filter (`in_stock=true`; every product of these two sets is in stock).

Rows (ROWS): `hybrid` is exactly what the API serves (int8 query encoder, DBSF, spelling);
each other row is named for what it changes. `bm25` (BM25 over the query as typed) is the
baseline the `ndcg_vs_bm25` ratios divide by. `_adapted` rows use MiniLM adapted to that
catalog (`shoptalk adapt-encoder`) for both the products and the queries.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bench.metrics import mrr_at, ndcg_at, recall_at
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.port import DenseEncoder, SparseVec
from retrieval.filters import ProductFilter
from retrieval.index.edge import EdgeProductIndex
from retrieval.index.port import Fusion, SearchMode
from retrieval.product import Product
from retrieval.search import ProductSearcher
from retrieval.spelling import english_words


@dataclass(frozen=True)
class Row:
    """One configuration of the searcher: list(s) searched, query encoder, fusion, speller."""

    mode: SearchMode
    encoder: str  # "int8" (served) or "fp32"
    fusion: Fusion
    spelling: bool


SERVED = Row("hybrid", "int8", "dbsf", True)
ROWS: dict[str, Row] = {
    "bm25": Row("sparse", "int8", "dbsf", False),
    "bm25_spell": Row("sparse", "int8", "dbsf", True),
    "dense": Row("dense", "int8", "dbsf", True),
    "dense_fp32q": Row("dense", "fp32", "dbsf", True),
    "hybrid": SERVED,
    "hybrid_rrf": Row("hybrid", "int8", "rrf", True),
    "hybrid_fp32q": Row("hybrid", "fp32", "dbsf", True),
    "hybrid_no_spell": Row("hybrid", "int8", "dbsf", False),
    "hybrid_rrf_no_spell": Row("hybrid", "int8", "rrf", False),  # what was served before 2026-12-03
}
ADAPTED: dict[str, Row] = {"dense_adapted": ROWS["dense"], "hybrid_adapted": SERVED}
API_FILTER = ProductFilter(in_stock=True)  # GET /v1/products/search's default
API_LIMIT = 10  # its default page


def build_searcher(
    products: list[Product], bulk: DenseEncoder, queries: Mapping[str, DenseEncoder], folder: Path
) -> tuple[ProductSearcher, float]:
    """Index the products as `shoptalk ingest` does (dense over `search_text`, BM25 over
    `lexical_text`); return the API's searcher over them and the products indexed per second."""
    started = time.perf_counter()
    sparse = Bm25Encoder()
    vectors = np.zeros((len(products), bulk.dim), dtype=np.float32)
    sparse_vecs: list[SparseVec] = []
    for start in tqdm(range(0, len(products), 512), desc=f"encoding {len(products)} products", unit="batch"):
        chunk = products[start : start + 512]
        vectors[start : start + len(chunk)] = bulk.encode_documents([p.search_text() for p in chunk])
        sparse_vecs.extend(sparse.encode_document(p.lexical_text()) for p in chunk)
    index = EdgeProductIndex(folder, bulk.dim, search_threads=1)
    index.rebuild(products, vectors, sparse_vecs)  # optimised before it serves
    per_second = len(products) / (time.perf_counter() - started)
    searcher = ProductSearcher(
        index, queries["int8"], sparse, SERVED.fusion, protected_words=english_words(), vocabulary_ttl_s=float("inf")
    )
    searcher.refresh_vocabulary()
    return searcher, per_second


def configure(searcher: ProductSearcher, row: Row, queries: Mapping[str, DenseEncoder]) -> None:
    """Set the searcher to one row's configuration."""
    searcher.dense, searcher.fusion, searcher.spelling = queries[row.encoder], row.fusion, row.spelling


def score(
    searcher: ProductSearcher,
    query_encoders: Mapping[str, DenseEncoder],
    queries: dict[str, str],
    judged: dict[str, dict[str, float]],
    cutoff: float,
    rows: dict[str, Row],
    judged_only: bool = False,
) -> dict[str, dict[str, float]]:
    """Return nDCG@10, MRR@10 and recall@50 per row (and judged-only nDCG@10 if asked); the
    searcher is left in the served configuration."""
    out: dict[str, dict[str, float]] = {}
    for name, row in rows.items():
        configure(searcher, row, query_encoders)
        ndcg, mrr, recall, ndcg_judged = [], [], [], []
        for qid, text in tqdm(queries.items(), desc=name, leave=False):
            ranked = [h.product_id for h in searcher.search(text, API_FILTER, limit=50, mode=row.mode).hits]
            grades = judged[qid]
            relevant = {d for d, g in grades.items() if g >= cutoff}
            ndcg.append(ndcg_at(ranked, grades, 10))
            mrr.append(mrr_at(ranked, relevant, 10))
            recall.append(recall_at(ranked, relevant, 50))
            if judged_only:
                ndcg_judged.append(ndcg_at([d for d in ranked if d in grades], grades, 10))
        out[name] = {
            "ndcg@10": float(np.mean(ndcg)),
            "mrr@10": float(np.mean(mrr)),
            "recall@50": float(np.mean(recall)),
        }
        if judged_only:
            out[name]["judged_ndcg@10"] = float(np.mean(ndcg_judged))
    configure(searcher, SERVED, query_encoders)
    return out


def served_latency(
    searcher: ProductSearcher, query_encoders: Mapping[str, DenseEncoder], texts: list[str]
) -> tuple[dict[str, Any], list[float]]:
    """Time `ProductSearcher.search` with the API's defaults, one thread, per query encoder
    (the headline is the served int8 one); also the speller and the encoder alone. Returns
    the figures and the served configuration's timings."""
    by_encoder: dict[str, dict[str, float]] = {}
    served: list[float] = []
    for name in ("int8", "fp32"):
        configure(searcher, Row("hybrid", name, SERVED.fusion, True), query_encoders)
        for text in texts[:20]:  # warm up
            searcher.search(text, API_FILTER, limit=API_LIMIT)
        timings = []
        for text in tqdm(texts, desc=f"latency {name}", leave=False):
            started = time.perf_counter()
            searcher.search(text, API_FILTER, limit=API_LIMIT)
            timings.append((time.perf_counter() - started) * 1000)
        by_encoder[name] = {
            "p50": float(np.percentile(timings, 50)),
            "p99": float(np.percentile(timings, 99)),
            "encode_alone_p50": _median_ms(query_encoders[name].encode_query, texts),
        }
        if name == SERVED.encoder:
            served = timings
    configure(searcher, SERVED, query_encoders)
    spelling = [_ms(searcher.read, text) for text in texts]
    return {
        "latency_ms": {k: by_encoder[SERVED.encoder][k] for k in ("p50", "p99")},
        "query_encode_alone_ms_p50": by_encoder[SERVED.encoder]["encode_alone_p50"],
        "spelling_ms": {"p50": float(statistics.median(spelling)), "p99": float(np.percentile(spelling, 99))},
        "latency_by_query_encoder_ms": by_encoder,
        "latency_measures": "ProductSearcher.search(query, in_stock=true, limit=10): parse, spell, encode, "
        "search, relax, explain; one thread",
    }, served


def _ms(call: Any, text: str) -> float:
    started = time.perf_counter()
    call(text)
    return (time.perf_counter() - started) * 1000


def _median_ms(call: Any, texts: list[str]) -> float:
    return float(statistics.median(_ms(call, text) for text in texts))
