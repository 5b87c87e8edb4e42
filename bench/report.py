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


def nlu_section(r: dict) -> str:
    parts = []
    labels = {
        "ours": "ours (fine-tuned MiniLM, int8 ONNX)",
        "diet": "DIET (rasa init pipeline)",
        "frozen_lr": "frozen MiniLM + logistic regression",
    }
    for ds, keys in (
        ("banking77", ("accuracy", "macro_f1")),
        ("clinc150", ("in_scope_accuracy", "oos_recall")),
        ("crossval", ("accuracy", "macro_f1", "entity_f1")),
    ):
        if ds not in r:
            parts.append(f"{ds}: not run yet.")
            continue
        rows = [
            [labels.get(s, s), *(v.get(k, "-") for k in keys), f"{v.get('train_seconds', 0) / 60:.1f}"]
            for s, v in r[ds].items()
        ]
        parts.append(f"**{ds}**\n\n" + table(rows, ["system", *keys, "train min"]))
    latency = r.get("latency_ms", {})
    if latency:
        rows = [
            [labels.get(s, s), v["p50"], v["p99"], v.get("forward_p50", "-"), f"{v['size_mib']:.1f}"]
            for s, v in latency.items()
        ]
        parts.append(
            "**single-message parse, one thread (ms)**\n\n"
            + table(rows, ["system", "p50", "p99", "forward pass p50", "model MiB"])
        )
    parts.append(f"Machine: {r['machine']}.")
    return "\n\n".join(parts)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "retrieval"
    data = json.loads((RESULTS / f"{name}.json").read_text())
    print({"retrieval": retrieval_section, "nlu": nlu_section}[name](data))
