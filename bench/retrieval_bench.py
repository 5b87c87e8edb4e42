"""Retrieval benchmark: BM25 vs dense vs hybrid (RRF, DBSF) on CrowdFlower and Home Depot,
with MiniLM frozen and adapted to each catalog (`retrieval.adapt`: no queries, no judgments).

Also: one-query latency (encode + search) on one thread at 55k products, HNSW recall@10
against exact search, ingest throughput, index size on disk and peak memory.
Run: make bench-retrieval (writes bench/results/retrieval.json and retrieval.png).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bench.common import DATA, ROOT, dir_size_mib, machine, peak_rss_mib, table, write_results
from bench.metrics import mrr_at, ndcg_at, recall_at
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.cache import CachedDenseEncoder
from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, encoder_name, ensure_onnx
from retrieval.index.edge import EdgeProductIndex
from retrieval.index.port import Fusion, SearchMode, build_payload
from retrieval.loaders import load_rows
from retrieval.product import Product
from retrieval.search import VOCABULARY_FIELDS, vocabulary_speller
from retrieval.spelling import QuerySpeller, Spelling, english_words

# method -> (index search mode, query encoder, fusion). "int8q": queries through the int8
# ONNX copy of MiniLM while documents stay fp32 (what the API serves).
METHODS: dict[str, tuple[SearchMode, str, Fusion]] = {
    "bm25": ("sparse", "fp32", "rrf"),
    "dense": ("dense", "fp32", "rrf"),
    "dense_int8q": ("dense", "int8", "rrf"),
    "hybrid": ("hybrid", "fp32", "rrf"),
    "hybrid_int8q": ("hybrid", "int8", "rrf"),
    "hybrid_dbsf": ("hybrid", "fp32", "dbsf"),
}
# The same again with the queries read by the catalog's speller (`retrieval.spelling`), as the
# API searches: the corrected text for the dense list, plus joined words for the BM25 list.
SPELLED: dict[str, tuple[SearchMode, str, Fusion]] = {
    f"{name}_spell": METHODS[name] for name in ("bm25", "dense_int8q", "hybrid", "hybrid_int8q", "hybrid_dbsf")
}
# The same dense methods again with MiniLM adapted to the catalog (BM25 does not change).
ADAPTED: dict[str, tuple[SearchMode, str, Fusion]] = {
    f"{name}_adapted": spec for name, spec in METHODS.items() if spec[0] != "sparse"
}
ADAPTED_SPELLED: dict[str, tuple[SearchMode, str, Fusion]] = {
    f"{name}_adapted": spec for name, spec in SPELLED.items() if spec[0] != "sparse"
}


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding, errors="replace") as fh:
        return list(csv.DictReader(fh))


def load_dataset(name: str) -> tuple[list[Product], dict[str, str], dict[str, dict[str, float]], float]:
    """Return products, queries, graded judgments (gain) and the relevance cut-off gain."""
    folder = DATA / "relevance" / name
    if name == "crowdflower":
        rows = read_csv(folder / "products.csv")
        mapping = {"id": "product_id", "title": "product_title", "description": "product_description"}
        judged: dict[str, dict[str, float]] = defaultdict(dict)
        for r in read_csv(folder / "qrels.csv"):
            judged[r["query_id"]][r["product_id"]] = float(r["grade"])
        cutoff = 2.0  # median rating >= 3 of 4
    else:
        rows = read_csv(folder / "products.csv", encoding="iso-8859-1")
        mapping = {"id": "product_uid", "title": "product_title"}
        judged = defaultdict(dict)
        for r in read_csv(folder / "qrels.csv", encoding="iso-8859-1"):
            judged[r["query_id"]][r["product_uid"]] = float(r["relevance"]) - 1.0  # 1..3 -> 0..2
        judged = defaultdict(dict, {q: j for q, j in judged.items() if len(j) >= 10})
        cutoff = 1.5  # mean relevance >= 2.5 of 3
    report = load_rows(((i + 2, r) for i, r in enumerate(rows)), mapping)
    enc = "utf-8" if name == "crowdflower" else "iso-8859-1"
    queries = {
        r["query_id"]: r["query"] for r in read_csv(folder / "queries.csv", encoding=enc) if r["query_id"] in judged
    }
    return report.products, queries, dict(judged), cutoff


def build_index(
    products: list[Product], dense: CachedDenseEncoder, sparse: Bm25Encoder, folder: Path
) -> tuple[EdgeProductIndex, float]:
    """Encode and index products; return the index and products per second."""
    started = time.perf_counter()
    texts = [p.search_text() for p in products]
    vectors = np.zeros((len(products), dense.dim), dtype=np.float32)
    sparse_vecs = []
    for start in tqdm(range(0, len(texts), 512), desc=f"encoding {len(texts)} products", unit="batch"):
        chunk = texts[start : start + 512]
        vectors[start : start + len(chunk)] = dense.encode_documents(chunk)
        sparse_vecs.extend(sparse.encode_document(t) for t in chunk)
    index = EdgeProductIndex(folder, dense.dim, search_threads=1)
    index.upsert(products, vectors, sparse_vecs)
    index.optimize()
    return index, len(products) / (time.perf_counter() - started)


def evaluate(
    index: EdgeProductIndex,
    query_encoders: dict[str, MiniLMOnnxEncoder],
    sparse: Bm25Encoder,
    queries: dict[str, str],
    judged: dict[str, dict[str, float]],
    cutoff: float,
    judged_only: bool,
    methods: dict[str, tuple[SearchMode, str, Fusion]] = METHODS,
    speller: QuerySpeller | None = None,
) -> dict[str, dict[str, float]]:
    """Return nDCG@10, MRR@10, recall@50 per method (and judged-only nDCG@10 if asked),
    with each query read by `speller` first when one is given."""
    reading = {qid: speller.read(text) if speller else Spelling(text, text) for qid, text in queries.items()}
    vectors = {
        name: {qid: enc.encode_query(r.text) for qid, r in tqdm(reading.items(), desc=f"encode {name}", leave=False)}
        for name, enc in query_encoders.items()
    }
    sparse_vecs = {qid: sparse.encode_query(r.lexical_text) for qid, r in reading.items()}
    out: dict[str, dict[str, float]] = {}
    for method, (mode, encoder, fusion) in methods.items():
        ndcg, mrr, recall, ndcg_judged = [], [], [], []
        for qid in tqdm(queries, desc=f"queries {method}", leave=False):
            hits = index.search(
                dense=vectors[encoder][qid], sparse=sparse_vecs[qid], limit=100, mode=mode, fusion=fusion
            )
            ranked = [h.product_id for h in hits]
            grades = judged[qid]
            relevant = {d for d, g in grades.items() if g >= cutoff}
            ndcg.append(ndcg_at(ranked, grades, 10))
            mrr.append(mrr_at(ranked, relevant, 10))
            recall.append(recall_at(ranked, relevant, 50))
            if judged_only:
                ndcg_judged.append(ndcg_at([d for d in ranked if d in grades], grades, 10))
        out[method] = {
            "ndcg@10": float(np.mean(ndcg)),
            "mrr@10": float(np.mean(mrr)),
            "recall@50": float(np.mean(recall)),
        }
        if judged_only:
            out[method]["judged_ndcg@10"] = float(np.mean(ndcg_judged))
    return out


def latency_and_ann(
    index: EdgeProductIndex,
    query_encoders: dict[str, MiniLMOnnxEncoder],
    sparse: Bm25Encoder,
    texts: list[str],
    served: str,
    speller: QuerySpeller,
) -> dict[str, Any]:
    """Return hybrid query latency (spelling + encode + search, one thread) per query encoder,
    and HNSW recall@10 vs exact search. The headline latency is the `served` encoder's."""
    by_encoder: dict[str, dict[str, float]] = {}
    all_timings: dict[str, list[float]] = {}
    overlap: list[float] = []
    for name, dense in query_encoders.items():
        for text in texts[:20]:  # warm up
            index.search(dense=dense.encode_query(text), sparse=sparse.encode_query(text), limit=10)
        timings, encode_ms, spell_ms = [], [], []
        for text in tqdm(texts, desc=f"latency {name}", leave=False):
            started = time.perf_counter()
            reading = speller.read(text)
            spelled = time.perf_counter()
            vec = dense.encode_query(reading.text)
            encoded = time.perf_counter()
            index.search(dense=vec, sparse=sparse.encode_query(reading.lexical_text), limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            encode_ms.append((encoded - spelled) * 1000)
            spell_ms.append((spelled - started) * 1000)
            if name == served:
                approx = {h.product_id for h in index.search(dense=vec, sparse=None, limit=10, mode="dense")}
                exact = {h.product_id for h in index.search(dense=vec, sparse=None, limit=10, mode="dense", exact=True)}
                overlap.append(len(approx & exact) / max(1, len(exact)))
        alone = []  # the encoder by itself, query after query (no search evicting its weights from cache)
        for text in texts:
            started = time.perf_counter()
            dense.encode_query(text)
            alone.append((time.perf_counter() - started) * 1000)
        by_encoder[name] = {
            "p50": float(np.percentile(timings, 50)),
            "p99": float(np.percentile(timings, 99)),
            "encode_p50": float(statistics.median(encode_ms)),
            "spelling_p50": float(statistics.median(spell_ms)),
            "spelling_p99": float(np.percentile(spell_ms, 99)),
            "encode_alone_p50": float(statistics.median(alone)),
            "encode_alone_p99": float(np.percentile(alone, 99)),
        }
        all_timings[name] = timings
    return {
        "latency_ms": {k: by_encoder[served][k] for k in ("p50", "p99")},
        "query_encode_ms_p50": by_encoder[served]["encode_p50"],
        "query_encode_alone_ms_p50": by_encoder[served]["encode_alone_p50"],
        "spelling_ms": {k: by_encoder[served][f"spelling_{k}"] for k in ("p50", "p99")},
        "latency_by_query_encoder_ms": by_encoder,
        "ann_recall@10": float(np.mean(overlap)),
        "timings": all_timings[served],
    }


def encoders(cache_dir: Path, source: Path | None = None) -> tuple[CachedDenseEncoder, dict[str, MiniLMOnnxEncoder]]:
    """Return the bulk document encoder (2 threads, embeddings cached) and the one-thread
    query encoders (fp32 and int8) of the packaged MiniLM or of an adapted copy in `source`."""
    onnx = ensure_onnx(cache_dir, source=source)
    name = encoder_name(source)
    bulk = CachedDenseEncoder(
        MiniLMOnnxEncoder(onnx, threads=2, batch_size=64, name=name), cache_dir / "bench-embeddings.sqlite"
    )
    int8 = ensure_onnx(cache_dir, int8=True, source=source)
    return bulk, {
        "fp32": MiniLMOnnxEncoder(onnx, threads=1, name=name),
        "int8": MiniLMOnnxEncoder(int8, threads=1, name=name),
    }


def evaluate_adapted(
    name: str,
    products: list[Product],
    queries: dict[str, str],
    judged: dict[str, dict[str, float]],
    cutoff: float,
    tmp: Path,
    args: argparse.Namespace,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Adapt MiniLM to this catalog (or reuse the adaptation of the same catalog and
    arguments), index the catalog with it and score the dense and hybrid methods again.
    Returns the scores and what the adaptation took (steps, seconds, losses)."""
    from retrieval.adapt import AdaptArguments, ensure_adapted

    cache_dir = ROOT / "var" / "models"
    folder = ensure_adapted(products, cache_dir, AdaptArguments(threads=args.adapt_threads))
    bulk, query_encoders = encoders(cache_dir, folder)
    index, _ = build_index(products, bulk, Bm25Encoder(), tmp / f"{name}-adapted")
    try:
        judged_only = name == "crowdflower"
        scores: dict[str, Any] = evaluate(
            index, query_encoders, Bm25Encoder(), queries, judged, cutoff, judged_only, ADAPTED
        )
        speller = catalog_speller(products)
        scores.update(
            evaluate(
                index, query_encoders, Bm25Encoder(), queries, judged, cutoff, judged_only, ADAPTED_SPELLED, speller
            )
        )
    finally:
        index.close()
    report = json.loads((folder / "adaptation.json").read_text())
    return scores, {k: report[k] for k in ("products", "steps", "seconds", "first_loss", "last_loss", "arguments")}


def catalog_speller(products: list[Product]) -> QuerySpeller:
    """Return the speller the API would build from this catalog (from the same payloads)."""
    return vocabulary_speller((build_payload(p) for p in products), english_words())


def spelling_report(speller: QuerySpeller, queries: dict[str, str]) -> dict[str, Any]:
    """How many queries the speller changed, with a few examples."""
    changed = [(text, r) for text in queries.values() if (r := speller.read(text)).lexical_text != text]
    return {
        "vocabulary": len(speller),
        "queries": len(queries),
        "corrected": sum(1 for _, r in changed if r.changes),
        "joined_only": sum(1 for _, r in changed if not r.changes),
        "examples": [f"{text} -> {r.text}" for text, r in changed if r.changes][:12],
    }


def vocabulary_load_seconds(index: EdgeProductIndex) -> float:
    """Seconds the API takes to read the speller's vocabulary from the index (scroll + build)."""
    started = time.perf_counter()
    vocabulary_speller(index.scroll(VOCABULARY_FIELDS), english_words())
    return time.perf_counter() - started


RESULTS_FILE = ROOT / "bench" / "results" / "retrieval.json"


def carry_adapted_rows(results: dict[str, Any]) -> None:
    """Copy the `_adapted` rows and the adaptation report from the last results file."""
    last = json.loads(RESULTS_FILE.read_text())
    for name in ("crowdflower", "homedepot"):
        results[name].update({m: v for m, v in last[name].items() if m.endswith("_adapted")})
    results["adaptation"] = last["adaptation"]
    results["adapted_rows_carried_over"] = True


def cold_encode_rate(encoder: Any, products: list[Product]) -> float:
    """Products per second the dense encoder manages with no cache (2 threads)."""
    started = time.perf_counter()
    encoder.encode_documents([p.search_text() for p in products])
    return len(products) / (time.perf_counter() - started)


def plot(results: dict[str, Any], timings: list[float], out: Path) -> None:
    """Write a PNG: nDCG@10 per mode and data set, and the latency distribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = [m for m in results["crowdflower"] if m in results["homedepot"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    width = 0.8 / len(modes)
    colours = plt.get_cmap("tab20").colors
    for i, mode in enumerate(modes):
        values = [results[ds][mode]["ndcg@10"] for ds in ("crowdflower", "homedepot")]
        hatch = "//" if mode.endswith("_adapted") else None
        left.bar(np.arange(2) + i * width, values, width, label=mode, color=colours[i % 20], hatch=hatch)
    left.set_xticks(np.arange(2) + 0.4 - width / 2, ["CrowdFlower", "Home Depot"])
    left.set_ylabel("nDCG@10")
    left.legend(fontsize=7, ncol=2)
    left.set_title("Ranking quality")
    right.hist(timings, bins=40, color="#1f6feb")
    right.set_xlabel("hybrid query latency, spelling + encode + search (ms, one thread)")
    right.set_title(f"{results['products']} products")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def run_english(args: argparse.Namespace, results: dict[str, Any], tmp: Path) -> list[float]:
    """Fill the CrowdFlower and Home Depot sections (and the adapted rows); return the latencies."""
    cache_dir = ROOT / "var" / "models"
    bulk, query_encoders = encoders(cache_dir)
    sparse = Bm25Encoder()
    timings: list[float] = []
    for name in ("crowdflower", "homedepot"):
        products, queries, judged, cutoff = load_dataset(name)
        print(f"{name}: {len(products)} products, {len(queries)} queries", flush=True)
        folder = tmp / name
        hits_before = bulk.hits
        index, per_second = build_index(products, bulk, sparse, folder)
        cached = bulk.hits - hits_before
        judged_only = name == "crowdflower"
        results[name] = evaluate(index, query_encoders, sparse, queries, judged, cutoff, judged_only)
        speller = catalog_speller(products)
        results[name].update(
            evaluate(index, query_encoders, sparse, queries, judged, cutoff, judged_only, SPELLED, speller)
        )
        results.setdefault("spelling", {})[name] = spelling_report(speller, queries)
        if name == "homedepot":
            sample = list(queries.values())[: args.latency_queries]
            extra = latency_and_ann(index, query_encoders, sparse, sample, served="int8", speller=speller)
            timings = extra.pop("timings")
            results.update(extra)
            results["products"] = len(products)
            results["ingest_products_per_s"] = per_second
            results["ingest_embeddings_from_cache"] = cached  # re-ingest: only changed texts are encoded
            results["cold_encode_products_per_s"] = cold_encode_rate(bulk.inner, products[:1024])
            results["index_size_mib"] = dir_size_mib(folder)
            results["spelling"][name]["vocabulary_load_s"] = vocabulary_load_seconds(index)
        index.close()
    results["peak_rss_mib"] = peak_rss_mib()  # before any adapting (torch training in this process)
    if args.reuse_adapted:
        carry_adapted_rows(results)
    for name in () if args.no_adapt or args.reuse_adapted else ("crowdflower", "homedepot"):
        products, queries, judged, cutoff = load_dataset(name)
        scores, adaptation = evaluate_adapted(name, products, queries, judged, cutoff, tmp, args)
        results[name].update(scores)
        results.setdefault("adaptation", {})[name] = adaptation
    for name in ("crowdflower", "homedepot"):
        base = results[name]["bm25"]["ndcg@10"]
        for mode in results[name]:
            results[name][mode]["ndcg_vs_bm25"] = results[name][mode]["ndcg@10"] / base if base else 0.0
    return timings


def run_chinese(results: dict[str, Any], tmp: Path) -> None:
    """Fill the `zh` sections: the Chinese set through the served searcher (bench.retrieval_zh)."""
    from bench.retrieval_zh import run

    bulk, query_encoders = encoders(ROOT / "var" / "models")
    results.update(run(bulk, query_encoders["int8"], tmp))


def print_tables(results: dict[str, Any], sections: set[str]) -> None:
    """Print the Markdown tables of what ran."""
    keys = ["ndcg@10", "mrr@10", "recall@50", "ndcg_vs_bm25"]
    sets = [
        *(("crowdflower", "homedepot") if "en" in sections else ()),
        *(("zh", "zh_crosslingual") if "zh" in sections else ()),
    ]
    rows = [[ds, mode, *(results[ds][mode][k] for k in keys)] for ds in sets for mode in results[ds]]
    print(table(rows, ["data set", "method", "nDCG@10", "MRR@10", "recall@50", "nDCG vs BM25"]))
    if "zh" in sections:
        extra = [
            [ds, m, r["judged@10"], r["latency_p50_ms"], r["latency_p99_ms"]]
            for ds in ("zh", "zh_crosslingual")
            for m, r in results[ds].items()
        ]
        print(table(extra, ["data set", "method", "judged@10", "p50 ms", "p99 ms"]))
    if "en" in sections:
        print(
            f"\nlatency p50 {results['latency_ms']['p50']:.1f} ms, p99 {results['latency_ms']['p99']:.1f} ms "
            f"({results['products']} products, one thread); query encode p50 {results['query_encode_ms_p50']:.2f} ms; "
            f"HNSW recall@10 {results['ann_recall@10']:.4f}; ingest {results['ingest_products_per_s']:.0f} products/s; "
            f"index {results['index_size_mib']:.0f} MiB; peak RSS {results['peak_rss_mib']:.0f} MiB"
        )


def main() -> None:
    """Run the benchmark and write results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-queries", type=int, default=500)
    parser.add_argument("--no-adapt", action="store_true", help="skip the catalog-adapted encoder rows")
    parser.add_argument(
        "--reuse-adapted",
        action="store_true",
        help="skip adapting; carry the adapted rows over from the last results file (the adapted encoder "
        "and its index do not depend on anything else this bench measures)",
    )
    parser.add_argument("--adapt-threads", type=int, default=2, help="torch threads while adapting")
    parser.add_argument(
        "--sections",
        default="en,zh",
        help="en: CrowdFlower and Home Depot; zh: the Chinese set over the demo shop. A section not run keeps "
        "its rows from the last results file",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    last = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else "{}"
    results: dict[str, Any] = json.loads(last)
    results["machine"] = machine()  # of this run; each section's own run is in machine_by_section
    for section in sections:
        results.setdefault("machine_by_section", {})[section] = results["machine"]
    timings: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        if "en" in sections:
            timings = run_english(args, results, Path(tmp))
        if "zh" in sections:
            run_chinese(results, Path(tmp))
    path = write_results("retrieval", results)
    if timings:
        plot(results, timings, path.with_suffix(".png"))
    print_tables(results, sections)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
