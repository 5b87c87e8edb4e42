"""The `zh` rows of the retrieval bench: Chinese queries (bench/data/search_zh) over the demo shop.

Every row searches through `ProductSearcher.search`, as the API does: the query parser
(a Chinese price becomes a filter and leaves the searched words), the speller, the
multilingual vector for CJK text, BM25 over jieba's words, fusion. The filter is the
shopper's alone (no in-stock default: the judges graded relevance, not stock).

- `zh`: the demo catalog with its Chinese titles and descriptions (266 of 997 products);
- `zh_crosslingual`: the same products with every Chinese text removed (an English-only
  shop), searched with the same Chinese queries.

Rows (ROWS): `hybrid` is what the API serves; the others are named for what they change.
The multilingual passage text and the glossary were chosen on the development set
(bench/data/search_zh_dev, `python -m bench.retrieval_zh`), never on this one.
nDCG@10 averages over the in-catalog queries; MRR@10 and recall@50 count grade >= 2 as
relevant; `judged@10` is the share of each row's top 10 that the judges saw.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bench.common import ROOT, table, write_results
from bench.metrics import mrr_at, ndcg_at, recall_at
from bench.search_zh_pool import CATALOG, SET, english_only, passage_with_translations, read_queries
from retrieval.chinese import Glossary
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.cache import CachedDenseEncoder
from retrieval.encoders.e5_multilingual import E5MultilingualEncoder
from retrieval.encoders.port import DenseEncoder
from retrieval.index.edge import EdgeProductIndex
from retrieval.index.port import Fusion, SearchMode
from retrieval.loaders import load_catalog
from retrieval.product import Product
from retrieval.search import ProductSearcher
from retrieval.spelling import english_words

# row -> (index search mode, fusion, glossary). `hybrid` is what the API serves (DBSF, the
# glossary on); each other row is named for what it changes. `bm25_jieba` is BM25 over
# jieba's words alone, the baseline the targets are a ratio of.
ROWS: dict[str, tuple[SearchMode, Fusion, bool]] = {
    "bm25_jieba": ("sparse", "dbsf", False),
    "bm25": ("sparse", "dbsf", True),
    "dense": ("dense", "dbsf", True),
    "hybrid": ("hybrid", "dbsf", True),
    "hybrid_rrf": ("hybrid", "rrf", True),
    "hybrid_no_glossary": ("hybrid", "dbsf", False),
}
RELEVANT = 2  # grade at which a product counts as relevant for MRR and recall


def read_qrels(path: Path = SET / "qrels.jsonl") -> dict[str, dict[str, float]]:
    """Return qid -> product id -> grade."""
    judged: dict[str, dict[str, float]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            judged[row["qid"]][row["product_id"]] = float(row["grade"])
    return dict(judged)


def cached_e5() -> CachedDenseEncoder:
    """multilingual-e5 on one thread, its product embeddings cached across bench runs."""
    return CachedDenseEncoder(E5MultilingualEncoder(threads=1), ROOT / "var" / "models" / "bench-embeddings-e5.sqlite")


def build_searcher(
    products: list[Product],
    dense: DenseEncoder,
    query_dense: DenseEncoder,
    e5: DenseEncoder,
    folder: Path,
    passage: Callable[[Product], str] = Product.multilingual_text,
    glossary: Glossary | None = None,
) -> ProductSearcher:
    """Index the products with both dense vectors and BM25; return the API's searcher over them."""
    sparse = Bm25Encoder()
    index = EdgeProductIndex(folder, dense.dim, search_threads=1, multilingual_dim=e5.dim)
    vectors = dense.encode_documents([p.search_text() for p in products])
    second = e5.encode_documents([passage(p) for p in tqdm(products, desc="e5 passages", leave=False)])
    index.rebuild(products, vectors, [sparse.encode_document(p.lexical_text()) for p in products], second)
    searcher = ProductSearcher(
        index, query_dense, sparse, protected_words=english_words(), multilingual=e5, glossary=glossary
    )
    searcher.refresh_vocabulary()
    return searcher


def score(searcher: ProductSearcher, queries: list[dict[str, Any]], judged: dict[str, dict[str, float]]) -> dict:
    """Return each row's metrics and query latency (parse + spell + encode + search, one thread)."""
    rows: dict[str, dict[str, float]] = {}
    served_fusion, glossary = searcher.fusion, searcher.glossary
    for name, (mode, fusion, expand) in ROWS.items():
        searcher.fusion, searcher.glossary = fusion, glossary if expand else None
        ndcg, mrr, recall, seen, ms = [], [], [], [], []
        for q in tqdm(queries, desc=name, leave=False):
            started = time.perf_counter()
            hits = searcher.search(q["query"], None, limit=50, mode=mode, relax=True).hits
            ms.append((time.perf_counter() - started) * 1000)
            ranked = [h.product_id for h in hits]
            grades = judged.get(q["qid"], {})
            seen.append(sum(1 for d in ranked[:10] if d in grades) / max(1, len(ranked[:10])))
            if not q["in_catalog"]:
                continue
            relevant = {d for d, g in grades.items() if g >= RELEVANT}
            ndcg.append(ndcg_at(ranked, grades, 10))
            mrr.append(mrr_at(ranked, relevant, 10))
            recall.append(recall_at(ranked, relevant, 50))
        rows[name] = {
            "ndcg@10": float(np.mean(ndcg)),
            "mrr@10": float(np.mean(mrr)),
            "recall@50": float(np.mean(recall)),
            "judged@10": float(np.mean(seen)),
            "latency_p50_ms": float(statistics.median(ms)),
            "latency_p99_ms": float(np.percentile(ms, 99)),
        }
    searcher.fusion, searcher.glossary = served_fusion, glossary
    base = rows["bm25_jieba"]["ndcg@10"]
    for row in rows.values():
        row["ndcg_vs_bm25"] = row["ndcg@10"] / base if base else 0.0
    return rows


def run(dense: DenseEncoder, query_dense: DenseEncoder, tmp: Path) -> dict[str, Any]:
    """Return the `zh` and `zh_crosslingual` sections of the retrieval results."""
    products = load_catalog(CATALOG).products
    queries, judged = read_queries(), read_qrels()
    e5 = cached_e5()
    out: dict[str, Any] = {}
    for section, catalog in (("zh", products), ("zh_crosslingual", english_only(products))):
        searcher = build_searcher(catalog, dense, query_dense, e5, tmp / section, glossary=Glossary.load())
        try:
            out[section] = score(searcher, queries, judged)
        finally:
            searcher.index.close()
    out["zh_set"] = {
        "queries": len(queries),
        "in_catalog": sum(1 for q in queries if q["in_catalog"]),
        "judged_pairs": sum(len(j) for j in judged.values()),
        "products": len(products),
        "with_chinese_title": sum(1 for p in products if p.translations),
    }
    return out


PASSAGES: dict[str, Callable[[Product], str]] = {
    "with_translations": passage_with_translations,
    "source_language": Product.multilingual_text,  # served
}


def compare_on_dev(dense: DenseEncoder, query_dense: DenseEncoder, tmp: Path) -> dict[str, Any]:
    """Score each multilingual passage text on the development set (bench/data/search_zh_dev)."""
    dev = ROOT / "bench" / "data" / "search_zh_dev"
    products = load_catalog(CATALOG).products
    queries, judged = read_queries(dev / "queries.jsonl"), read_qrels(dev / "qrels.jsonl")
    e5 = cached_e5()
    out: dict[str, Any] = {}
    for name, passage in PASSAGES.items():
        searcher = build_searcher(products, dense, query_dense, e5, tmp / name, passage, Glossary.load())
        try:
            out[name] = score(searcher, queries, judged)
        finally:
            searcher.index.close()
    return out


def main() -> None:
    """Choose the multilingual passage text on the development set (never on the test set)."""
    import tempfile

    from bench.retrieval_bench import encoders

    argparse.ArgumentParser(description=compare_on_dev.__doc__).parse_args()
    bulk, query_encoders = encoders(ROOT / "var" / "models")
    with tempfile.TemporaryDirectory() as tmp:
        results = compare_on_dev(bulk, query_encoders["int8"], Path(tmp))
    path = write_results("retrieval_zh_dev", results)
    keys = ["ndcg@10", "mrr@10", "recall@50", "judged@10", "ndcg_vs_bm25"]
    print(
        table(
            [[v, m, *(r[k] for k in keys)] for v, rows in results.items() for m, r in rows.items()],
            ["passage", "method", *keys],
        )
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
