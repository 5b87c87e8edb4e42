"""Retrieval benchmark: BM25 vs dense vs hybrid (RRF, DBSF) on CrowdFlower and Home Depot,
with MiniLM frozen and adapted to each catalog (`retrieval.adapt`: no queries, no judgments),
and the Chinese set over the demo shop (`bench.retrieval_zh`).

Every row searches through the API's `ProductSearcher.search` (`bench.retrieval_en`); the row
named `hybrid` is the served configuration. Also: the served search's latency on one thread at
55k products, HNSW recall@10 against exact search, ingest throughput, index size on disk and
peak memory. Run: make bench-retrieval (writes bench/results/retrieval.json and retrieval.png).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import DATA, ROOT, dir_size_mib, machine, peak_rss_mib, table, write_results
from bench.retrieval_en import ADAPTED, ROWS, SERVED, build_searcher, score, served_latency
from retrieval.encoders.cache import CachedDenseEncoder
from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, encoder_name, ensure_onnx
from retrieval.encoders.port import DenseEncoder
from retrieval.index.port import ProductIndex
from retrieval.loaders import load_rows
from retrieval.product import Product
from retrieval.search import ProductSearcher


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
    arguments), index the catalog with it and score the adapted rows through the searcher.
    Returns the scores and what the adaptation took (steps, seconds, losses)."""
    from retrieval.adapt import AdaptArguments, ensure_adapted

    cache_dir = ROOT / "var" / "models"
    folder = ensure_adapted(products, cache_dir, AdaptArguments(threads=args.adapt_threads))
    bulk, query_encoders = encoders(cache_dir, folder)
    searcher, _ = build_searcher(products, bulk, query_encoders, tmp / f"{name}-adapted")
    try:
        scores = score(searcher, query_encoders, queries, judged, cutoff, ADAPTED, judged_only=name == "crowdflower")
    finally:
        searcher.index.close()
    report = json.loads((folder / "adaptation.json").read_text())
    return scores, {k: report[k] for k in ("products", "steps", "seconds", "first_loss", "last_loss", "arguments")}


def spelling_report(searcher: ProductSearcher, queries: dict[str, str]) -> dict[str, Any]:
    """How many queries the searcher's speller changed, with a few examples."""
    changed = [(text, r) for text in queries.values() if (r := searcher.read(text)).lexical_text != text]
    return {
        "queries": len(queries),
        "corrected": sum(1 for _, r in changed if r.changes),
        "joined_only": sum(1 for _, r in changed if not r.changes),
        "examples": [f"{text} -> {r.text}" for text, r in changed if r.changes][:12],
    }


def vocabulary_load_seconds(searcher: ProductSearcher) -> float:
    """Seconds the API takes to read the speller's vocabulary from the index (scroll + build)."""
    started = time.perf_counter()
    searcher.refresh_vocabulary()
    return time.perf_counter() - started


def ann_recall(index: ProductIndex, encoder: DenseEncoder, texts: list[str]) -> float:
    """HNSW recall@10 of the dense list against exact search, for these queries."""
    overlap = []
    for text in texts:
        vec = encoder.encode_query(text)
        approx = {h.product_id for h in index.search(dense=vec, sparse=None, limit=10, mode="dense")}
        exact = {h.product_id for h in index.search(dense=vec, sparse=None, limit=10, mode="dense", exact=True)}
        overlap.append(len(approx & exact) / max(1, len(exact)))
    return float(np.mean(overlap))


RESULTS_FILE = ROOT / "bench" / "results" / "retrieval.json"
MEASURED_THROUGH = "ProductSearcher.search"  # how the English rows are measured (carry_adapted_rows checks it)


def carry_adapted_rows(results: dict[str, Any]) -> None:
    """Copy the `_adapted` rows and the adaptation report from the last results file, if
    they were measured the way this version measures (through the API's searcher)."""
    last = json.loads(RESULTS_FILE.read_text())
    if last.get("en_measured_through") != MEASURED_THROUGH:
        raise SystemExit("the last results file's adapted rows were measured otherwise: run without --reuse-adapted")
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
    right.set_xlabel("ProductSearcher.search as served (ms, one thread)")
    right.set_title(f"{results['products']} products")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def run_english(args: argparse.Namespace, results: dict[str, Any], tmp: Path) -> list[float]:
    """Fill the CrowdFlower and Home Depot sections (and the adapted rows); return the
    served configuration's latencies."""
    bulk, query_encoders = encoders(ROOT / "var" / "models")
    timings: list[float] = []
    results.pop("adapted_rows_carried_over", None)
    for name in ("crowdflower", "homedepot"):
        products, queries, judged, cutoff = load_dataset(name)
        print(f"{name}: {len(products)} products, {len(queries)} queries", flush=True)
        hits_before = bulk.hits
        searcher, per_second = build_searcher(products, bulk, query_encoders, tmp / name)
        cached = bulk.hits - hits_before
        results[name] = score(
            searcher, query_encoders, queries, judged, cutoff, ROWS, judged_only=name == "crowdflower"
        )
        results.setdefault("spelling", {})[name] = spelling_report(searcher, queries)
        if name == "homedepot":
            sample = list(queries.values())[: args.latency_queries]
            figures, timings = served_latency(searcher, query_encoders, sample)
            results.update(figures)
            results["ann_recall@10"] = ann_recall(searcher.index, query_encoders[SERVED.encoder], sample)
            results["products"] = len(products)
            results["ingest_products_per_s"] = per_second
            results["ingest_embeddings_from_cache"] = cached  # re-ingest: only changed texts are encoded
            results["cold_encode_products_per_s"] = cold_encode_rate(bulk.inner, products[:1024])
            results["index_size_mib"] = dir_size_mib(tmp / name)
            results["spelling"][name]["vocabulary_load_s"] = vocabulary_load_seconds(searcher)
        searcher.index.close()
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
    results["en_measured_through"] = MEASURED_THROUGH
    for stale in ("query_encode_ms_p50",):  # figures of the raw-index latency this bench no longer measures
        results.pop(stale, None)
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
            f"({results['products']} products, one thread, ProductSearcher.search as served); query encode alone p50 "
            f"{results['query_encode_alone_ms_p50']:.2f} ms; "
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
