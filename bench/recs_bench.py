"""Recommendation benchmark: next-item prediction and chat + behaviour fusion.

- diginetica: ../shared/data/behavior/diginetica_sample_views.csv, sessions split
  chronologically (the newest 20% of sessions are the test period; the 20% before them are
  the validation period on which our recommender's parameters are chosen). Every step of
  every test session is a prediction of the next viewed item: HR@20 and MRR@20 for
  popularity, item-kNN, session-kNN and ours.
- fusion: ../shared/data/behavior/taobao_userbehavior_sample.csv (it has item categories).
  Per user, the newest 20% of events are held out; for each held-out new item the shopper's
  chat is simulated as a request for the item's category. HR@20 for behaviour only,
  chat only (popular items of the asked category, what a category search returns) and merged.
Run: make bench-recs (writes bench/results/recs.json and recs.png).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tqdm import tqdm

from api.behaviour.importer import TAOBAO_TYPES
from api.recommendations.cooccurrence import TUNED, TUNED_WEIGHTS
from api.recommendations.fusion import behaviour_scores, merge
from api.recommendations.history import Interaction, score_history
from api.recommendations.session_knn import Blend, ItemKNN, Popularity, SessionKNN, SessionKNNConfig
from bench.common import DATA, RESULTS, machine, table, write_results

K = 20


def diginetica_sessions(min_item_support: int = 2) -> list[tuple[str, list[str]]]:
    """Return (date, items in order) per session, oldest first; single-item sessions dropped."""
    rows: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    with (DATA / "behavior" / "diginetica_sample_views.csv").open(newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            rows[r["session_id"]].append((int(r["timeframe"]), r["item_id"], r["eventdate"]))
    support = Counter(item for events in rows.values() for _, item, _ in events)
    sessions = []
    for events in rows.values():
        events.sort()
        items = [item for _, item, _ in events if support[item] >= min_item_support]
        if len(items) >= 2:
            sessions.append((max(d for _, _, d in events), items))
    sessions.sort(key=lambda s: s[0])
    return sessions


def evaluate(model: Any, test: Sequence[Sequence[str]], known: set[str]) -> dict[str, float]:
    """Return HR@20 and MRR@20 over every next-item step of the test sessions."""
    hits = rr = steps = 0.0
    for session in test:
        for t in range(1, len(session)):
            target = session[t]
            if target not in known:
                continue
            ranked = list(model.scores(session[:t], K))[:K]
            steps += 1
            if target in ranked:
                hits += 1
                rr += 1.0 / (ranked.index(target) + 1)
    return {"hr@20": hits / max(steps, 1), "mrr@20": rr / max(steps, 1), "predictions": int(steps)}


def ours(config: SessionKNNConfig, weights: tuple[float, float, float]) -> Blend:
    return Blend(SessionKNN(config), ItemKNN(), Popularity(), weights)


def tune(train: list[list[str]], val: list[list[str]]) -> tuple[SessionKNNConfig, tuple[float, float, float]]:
    """Pick our parameters on the validation period (the test period is never looked at)."""
    known = {i for s in train for i in s}
    grid = list(itertools.product((50, 100, 200), (0.5, 1.0, 2.0), (False, True), ((1.0, 0.3, 0.05), (1.0, 0.6, 0.1))))
    best, best_key = None, (-1.0, -1.0)
    for k, decay, idf, weights in tqdm(grid, desc="tune on validation", unit="config"):
        config = SessionKNNConfig(k=k, decay=decay, idf=idf)
        result = evaluate(ours(config, weights).fit(train), val, known)
        key = (result["hr@20"] + result["mrr@20"], result["mrr@20"])
        if key > best_key:
            best, best_key = (config, weights), key
    assert best is not None
    return best


def run_diginetica() -> dict[str, Any]:
    sessions = diginetica_sessions()
    n = len(sessions)
    train_all = [s for _, s in sessions[: int(n * 0.8)]]
    test = [s for _, s in sessions[int(n * 0.8) :]]
    fit_part, val = train_all[: int(len(train_all) * 0.8)], train_all[int(len(train_all) * 0.8) :]
    config, weights = tune(fit_part, val)
    print(f"diginetica: chosen on validation: {config}, weights {weights}", flush=True)
    known = {i for s in train_all for i in s}
    models = {
        "popularity": Popularity(),
        "item_knn": ItemKNN(),
        "session_knn": SessionKNN(),
        "ours": ours(config, weights),
    }
    out: dict[str, Any] = {}
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(train_all)
        out[name] = evaluate(model, test, known)
        out[name]["seconds"] = time.perf_counter() - started
        print(f"diginetica {name}: {out[name]}", flush=True)
    out["split"] = {"train_sessions": len(train_all), "test_sessions": len(test), "items": len(known)}
    out["ours_config"] = {**config.__dict__, "blend_weights": list(weights)}
    return out


def taobao_users() -> tuple[dict[str, list[tuple[int, str, str]]], dict[str, str]]:
    """Return per-user (time, item, behaviour) sorted by time, and each item's category."""
    users: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    category: dict[str, str] = {}
    with (DATA / "behavior" / "taobao_userbehavior_sample.csv").open(newline="") as fh:
        for user, item, cat, behaviour, ts in csv.reader(fh):
            users[user].append((int(ts), item, behaviour))
            category[item] = cat
    for events in users.values():
        events.sort()
    return users, category


def behaviour_side(model: Blend, events: Sequence[tuple[int, str, str]], n: int = 200) -> dict[str, float]:
    """What the service's behaviour side proposes for these events (the same function it uses)."""
    now = datetime.fromtimestamp(events[-1][0], UTC)
    history = score_history(
        [Interaction(item, TAOBAO_TYPES.get(b, "view"), datetime.fromtimestamp(ts, UTC)) for ts, item, b in events], now
    )
    recent = [item for _, item, b in events if b != "buy"][-20:]
    return behaviour_scores(history, model.session_knn.scores(recent, n), model.item_knn.scores(recent, n))


FUSION_ROWS = (
    "behaviour_only",
    "chat_oracle_category",
    "merged_oracle_category",
    "chat_last_viewed_category",
    "merged_last_viewed_category",
)


def run_fusion() -> dict[str, Any]:
    """Held-out next actions per user, with two chat sides. The oracle one asks for the
    held-out item's true category: an upper bound on what the chat can tell, labelled so.
    The other asks for the category of the product the shopper viewed last: what a shopper
    who says "more like this" asks, known without the answer."""
    users, category = taobao_users()
    history: dict[str, list[tuple[int, str, str]]] = {}
    held_out: dict[str, list[tuple[int, str, str]]] = {}
    for user, events in users.items():
        cut = max(1, int(len(events) * 0.8))
        history[user], held_out[user] = events[:cut], events[cut:]
    train_sessions = [[item for _, item, _ in events] for events in history.values()]
    model = Blend(SessionKNN(TUNED), ItemKNN(), Popularity(), TUNED_WEIGHTS).fit(train_sessions)  # as served
    popular_in: dict[str, Counter[str]] = defaultdict(Counter)
    for items in train_sessions:
        for item in items:
            popular_in[category[item]][item] += 1
    hits: Counter[str] = Counter()
    cases = 0
    for user, targets in tqdm(held_out.items(), desc="fusion", unit="user"):
        prefix = list(history[user])
        for event in targets:
            target = event[1]
            if target != prefix[-1][1]:  # the next *different* product the shopper turns to
                behaviour = behaviour_side(model, prefix)
                ranked = {"behaviour_only": sorted(behaviour, key=lambda i: (-behaviour[i], i))[:K]}
                for side, cat in (
                    ("oracle_category", category[target]),
                    ("last_viewed_category", category[prefix[-1][1]]),
                ):
                    chat = {i: float(c) for i, c in popular_in[cat].most_common(200)}
                    merged = merge(behaviour, chat, matches=lambda i, cat=cat: category.get(i) == cat, n=K)
                    ranked[f"chat_{side}"] = sorted(chat, key=lambda i: (-chat[i], i))[:K]
                    ranked[f"merged_{side}"] = [i for i, _, _ in merged]
                cases += 1
                for name, items in ranked.items():
                    hits[name] += target in items
            prefix.append(event)
    out: dict[str, Any] = {name: {"hr@20": hits[name] / max(cases, 1)} for name in FUSION_ROWS}
    out["cases"] = cases
    print(f"fusion: {out}", flush=True)
    return out


def plot(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    names = ["popularity", "item_knn", "session_knn", "ours"]
    d = results["diginetica"]
    x = range(len(names))
    axes[0].bar([i - 0.2 for i in x], [d[n]["hr@20"] for n in names], width=0.4, label="HR@20")
    axes[0].bar([i + 0.2 for i in x], [d[n]["mrr@20"] for n in names], width=0.4, label="MRR@20")
    axes[0].set_xticks(list(x), names)
    axes[0].set_title("Diginetica sample: next item")
    axes[0].legend()
    f = results["fusion"]
    fnames = [n for n in FUSION_ROWS if n in f]
    labels = [n.replace("_category", "").replace("_", "\n") for n in fnames]
    axes[1].bar(labels, [f[n]["hr@20"] for n in fnames], color=["#888", "#59a", "#2a7", "#9bd", "#7c9"][: len(fnames)])
    axes[1].set_title("Taobao sample: chat + behaviour, HR@20")
    fig.tight_layout()
    fig.savefig(RESULTS / "recs.png", dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default="diginetica,fusion", help="which sections to run (others are kept)")
    sections = parser.parse_args().sections.split(",")
    previous = RESULTS / "recs.json"
    results: dict[str, Any] = json.loads(previous.read_text()) if previous.exists() else {}
    results["machine"] = machine()
    if "diginetica" in sections:
        results["diginetica"] = run_diginetica()
    if "fusion" in sections:
        results["fusion"] = run_fusion()
    path = write_results("recs", results)
    plot(results)
    d = results["diginetica"]
    print(
        table(
            [[n, d[n]["hr@20"], d[n]["mrr@20"]] for n in ("popularity", "item_knn", "session_knn", "ours")],
            ["system", "HR@20", "MRR@20"],
        )
    )
    f = results["fusion"]
    print(table([[n, f[n]["hr@20"]] for n in FUSION_ROWS if n in f], ["fusion", "HR@20"]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
