"""Render BENCHMARKS.md sections from bench/results/*.json (so figures are never typed by hand)."""

from __future__ import annotations

import json
import sys

from bench.common import RESULTS, table


def _latency(v: dict) -> str:
    alone = f" ({v['encode_alone_p50']:.2f} ms encoding alone)" if "encode_alone_p50" in v else ""
    return f"{v['p50']:.2f} / {v['p99']:.2f} ms, {v['encode_p50']:.2f} ms{alone}"


def retrieval_section(r: dict) -> str:
    rows = []
    for ds, label in (("crowdflower", "CrowdFlower"), ("homedepot", "Home Depot")):
        for mode, m in r[ds].items():
            rows.append([label, mode, m["ndcg@10"], m["mrr@10"], m["recall@50"], f"{m['ndcg_vs_bm25']:.3f}x"])
    judged = [[m, v["judged_ndcg@10"]] for m, v in r["crowdflower"].items()]
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
                    [
                        "query encoding p50 within search (MiniLM, ONNX Runtime, one thread)",
                        f"{r['query_encode_ms_p50']:.2f} ms",
                    ],
                    *(
                        [
                            [
                                "query encoding p50, encoder alone (query after query)",
                                f"{r['query_encode_alone_ms_p50']:.2f} ms",
                            ]
                        ]
                        if "query_encode_alone_ms_p50" in r
                        else []
                    ),
                    *(
                        [f"with {q} queries: latency p50 / p99, encode p50", _latency(v)]
                        for q, v in r.get("latency_by_query_encoder_ms", {}).items()
                    ),
                    ["HNSW recall@10 vs exact search (dense)", f"{r['ann_recall@10']:.4f}"],
                    [
                        "ingest throughput (encode + index, 2 threads)",
                        f"{r['ingest_products_per_s']:.0f} products/s"
                        + (
                            f" ({r['ingest_embeddings_from_cache']} of the embeddings from the text-hash cache)"
                            if r.get("ingest_embeddings_from_cache")
                            else ""
                        ),
                    ],
                    *(
                        [
                            [
                                "dense encoding with no cache (2 threads)",
                                f"{r['cold_encode_products_per_s']:.0f} products/s",
                            ]
                        ]
                        if "cold_encode_products_per_s" in r
                        else []
                    ),
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
        "ours_no_lookups": "ours without lookup tables (ablation)",
        "ours_bot_data": "ours as the bot serves it (bot/data messages, CRF + lookups)",
        "diet": "DIET (rasa init pipeline)",
        "frozen_lr": "frozen MiniLM + logistic regression",
    }
    for ds, keys in (
        ("banking77", ("accuracy", "macro_f1")),
        ("clinc150", ("in_scope_accuracy", "oos_recall")),
        ("crossval", ("accuracy", "macro_f1", "entity_f1", "entity_f1_unseen_values")),
    ):
        if ds not in r:
            parts.append(f"{ds}: not run yet.")
            continue
        rows = [
            [
                labels.get(s, s),
                *(v.get(k, "-") for k in keys),
                f"{v['train_seconds'] / 60:.1f}" if "train_seconds" in v else "-",
            ]
            for s, v in r[ds].items()
        ]
        parts.append(f"**{ds}**\n\n" + table(rows, ["system", *keys, "train min"]))
    latency = r.get("latency_ms", {})
    if latency:
        rows = [
            [
                labels.get(s, s),
                v["p50"],
                v["p99"],
                v.get("forward_p50", "-"),
                f"{v.get('batch_messages_per_s', 0):.0f}" if v.get("batch_messages_per_s") else "-",
                f"{v['size_mib']:.1f}",
            ]
            for s, v in latency.items()
        ]
        parts.append(
            "**single-message parse, one thread (ms)**\n\n"
            + table(rows, ["system", "p50", "p99", "forward pass p50", "batch msgs/s", "model MiB"])
        )
    parts.append(f"Machine: {r['machine']}.")
    return "\n\n".join(parts)


def recs_section(r: dict) -> str:
    d, f = r["diginetica"], r["fusion"]
    names = ("popularity", "item_knn", "session_knn", "ours")
    best_hr = max(d[n]["hr@20"] for n in names[:3])
    best_mrr = max(d[n]["mrr@20"] for n in names[:3])
    rows = [[n, d[n]["hr@20"], d[n]["mrr@20"]] for n in names]
    fusion = [[n, f[n]["hr@20"]] for n in ("behaviour_only", "chat_only", "merged")]
    return "\n\n".join(
        [
            f"**Diginetica sample, next item** ({d['split']['train_sessions']} training sessions, "
            f"{d['split']['test_sessions']} test sessions, {d['ours']['predictions']} predictions)\n\n"
            + table(rows, ["system", "HR@20", "MRR@20"]),
            f"ours vs the best baseline: HR@20 {d['ours']['hr@20'] / best_hr:.3f}x, "
            f"MRR@20 {d['ours']['mrr@20'] / best_mrr:.3f}x. Parameters chosen on the validation period: "
            f"`{d['ours_config']}`.",
            f"**Chat + behaviour fusion, Taobao sample** ({f['cases']} held-out next products)\n\n"
            + table(fusion, ["source", "HR@20"]),
            f"Machine: {r['machine']}.",
        ]
    )


def load_section(r: dict) -> str:
    rows = [
        [n, v["turns_per_s"], v["p50_ms"], v["p95_ms"], v["p99_ms"], v["errors"], v["lost"], v["duplicated"]]
        for n, v in r.items()
        if n.isdigit()
    ]
    return "\n\n".join(
        [
            table(rows, ["shoppers", "turns/s", "p50 ms", "p95 ms", "p99 ms", "errors", "lost", "duplicated"]),
            f"{r['seconds']:.0f} s per level; script: {r['script']}. Machine: {r['machine']}.",
        ]
    )


def _growth(life: dict) -> str:
    whole, late = life["mib_per_hour"], life["second_half_mib_per_hour"]
    return f"{life['growth_mib']:+.1f} MiB (fitted {whole:+.1f} MiB/h; second half of that life {late:+.1f} MiB/h)"


def soak_section(r: dict) -> str:
    faults = ", ".join(f"{f['service']} at {f['at_s']:.0f} s (back after {f['down_s']:.0f} s)" for f in r["faults"])
    rows = [
        ["turns served", r["turns"]],
        ["p50 / p95 turn latency (incl. retries)", f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms"],
        ["send retries while a service was down", r["retries"]],
        ["replies degraded (apology / polite fallback)", r["degraded_replies"]],
        ["messages lost", r["lost"]],
        ["messages duplicated", r["duplicated"]],
        ["shopper messages left unanswered", r["left_unanswered"]],
        *(
            [f"{service} memory, {life['from_s']}-{life['to_s']} s", _growth(life)]
            for service, lives in r["memory_growth_mib"].items()
            for life in lives
        ),
    ]
    return "\n\n".join(
        [
            table(rows, ["measure", "value"]),
            f"{r['shoppers']} shoppers for {r['minutes']:.0f} min; killed (SIGKILL) and restarted: {faults}. "
            f"Machine: {r['machine']}.",
        ]
    )


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "retrieval"
    data = json.loads((RESULTS / f"{name}.json").read_text())
    name = "soak" if name.startswith("soak") else name  # soak_long: the same section
    sections = {
        "retrieval": retrieval_section,
        "nlu": nlu_section,
        "recs": recs_section,
        "load": load_section,
        "soak": soak_section,
    }
    print(sections[name](data))
