"""Render BENCHMARKS.md sections from bench/results/*.json (so figures are never typed by hand)."""

from __future__ import annotations

import json
import sys

from bench.common import RESULTS, table


def retrieval_section(r: dict) -> str:
    rows = []
    for ds, label in (("crowdflower", "CrowdFlower"), ("homedepot", "Home Depot")):
        for mode in ("bm25", "dense", "hybrid"):
            m = r[ds][mode]
            rows.append([label, mode, m["ndcg@10"], m["mrr@10"], m["recall@50"], f"{m['ndcg_vs_bm25']:.3f}x"])
    judged = [[m, r["crowdflower"][m]["judged_ndcg@10"]] for m in ("bm25", "dense", "hybrid")]
    return "\n\n".join(
        [
            table(rows, ["data set", "method", "nDCG@10", "MRR@10", "recall@50", "nDCG vs BM25"]),
            "CrowdFlower judged-only nDCG@10 (unjudged results removed before cutting at 10):\n\n"
            + table(judged, ["method", "judged nDCG@10"]),
            table(
                [
                    ["products in the index", r["products"]],
                    ["hybrid query latency p50 (encode + search, one thread)", f"{r['latency_ms']['p50']:.2f} ms"],
                    ["hybrid query latency p99", f"{r['latency_ms']['p99']:.2f} ms"],
                    ["query encoding p50 (MiniLM, ONNX Runtime, one thread)", f"{r['query_encode_ms_p50']:.2f} ms"],
                    ["HNSW recall@10 vs exact search (dense)", f"{r['ann_recall@10']:.4f}"],
                    ["ingest throughput (encode + index, 2 threads)", f"{r['ingest_products_per_s']:.0f} products/s"],
                    ["index size on disk", f"{r['index_size_mib']:.0f} MiB"],
                    ["peak memory of the benchmark process", f"{r['peak_rss_mib']:.0f} MiB"],
                ],
                ["measure", "value"],
            ),
            f"Machine: {r['machine']}.",
        ]
    )


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "retrieval"
    data = json.loads((RESULTS / f"{name}.json").read_text())
    print({"retrieval": retrieval_section}[name](data))
