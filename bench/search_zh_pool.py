"""Pool the candidates to judge for the Chinese search set (bench/data/search_zh).

For each query: the union of the top DEPTH products from BM25 (jieba) over the demo catalog
with its Chinese titles, from multilingual-e5 over the same catalog, and from
multilingual-e5 over the catalog with the Chinese texts removed (the cross-lingual case).
Judges grade every pooled product against the query's `need`; nothing is tuned on it.
Run once: .venvs/api/bin/python -m bench.search_zh_pool (writes pool.jsonl beside queries);
`--set bench/data/search_zh_dev` pools the development set the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.common import ROOT
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.e5_multilingual import E5MultilingualEncoder
from retrieval.index.edge import EdgeProductIndex
from retrieval.loaders import load_catalog
from retrieval.product import Product

SET = ROOT / "bench" / "data" / "search_zh"
CATALOG = ROOT / "demo" / "catalog.jsonl"


def english_only(products: list[Product]) -> list[Product]:
    """Return the catalog as an English-only shop would export it (no translations)."""
    return [dataclasses.replace(p, translations={}) for p in products]


def passage_with_translations(product: Product) -> str:
    """The multilingual passage with the shop's translated titles too: what the pool's second
    list embedded (the first design; the served passage, Product.multilingual_text, has none)."""
    titles = [t.get("title", "") for t in product.translations.values()]
    parts = [product.title, *titles, product.brand, " ".join(product.category_path[-2:]), product.description[:200]]
    return ". ".join(p for p in parts if p)


def read_queries(path: Path = SET / "queries.jsonl") -> list[dict]:
    """Return the set's queries in file order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def card(p: Product) -> dict:
    """Return what a judge sees of a product."""
    zh = p.translations.get("zh", {})
    return {
        "product_id": p.id,
        "title": p.title,
        "title_zh": zh.get("title", ""),
        "category_path": " > ".join(p.category_path),
        "brand": p.brand,
        "price": p.price,
        "attributes": p.attributes,
        "description": p.description[:200],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--set", type=Path, default=SET, help="the folder of queries.jsonl")
    args = parser.parse_args()
    products = load_catalog(CATALOG).products
    queries = read_queries(args.set / "queries.jsonl")
    e5 = E5MultilingualEncoder(threads=2)
    bm25 = Bm25Encoder()
    zh_vectors = e5.encode_documents([passage_with_translations(p) for p in tqdm(products, desc="e5 zh catalog")])
    en_vectors = e5.encode_documents([p.multilingual_text() for p in english_only(products)])
    with tempfile.TemporaryDirectory() as tmp:
        index = EdgeProductIndex(Path(tmp), e5.dim)
        index.upsert(products, zh_vectors, [bm25.encode_document(p.lexical_text()) for p in products])
        by_id = {p.id: p for p in products}
        rows, sizes = [], []
        for q in tqdm(queries, desc="pooling"):
            qv = e5.encode_query(q["query"])
            lexical = [
                h.product_id
                for h in index.search(dense=None, sparse=bm25.encode_query(q["query"]), limit=args.depth, mode="sparse")
            ]
            dense_zh = [products[i].id for i in np.argsort(-(zh_vectors @ qv))[: args.depth]]
            dense_en = [products[i].id for i in np.argsort(-(en_vectors @ qv))[: args.depth]]
            pool = list(dict.fromkeys([*lexical, *dense_zh, *dense_en]))
            sizes.append(len(pool))
            rows.append({**q, "candidates": [card(by_id[pid]) for pid in pool]})
        index.close()
    out = args.set / "pool.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"pool: {len(rows)} queries, {sum(sizes)} pairs, mean {np.mean(sizes):.1f} a query -> {out}")


if __name__ == "__main__":
    main()
