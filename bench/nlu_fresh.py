"""The NLU bench's `fresh` section: trained on all of bot/data, scored on messages it never saw.

bench/data/nlu_fresh_en.yml was written apart from bot/data (another writer, its own brief)
and committed before the data was rebuilt; nothing is trained, tuned or thresholded on it.

Systems, side by side in one run:
- ours: the model `shoptalk train` serves (bot/config.yml, FallbackClassifier included),
  parsed through Rasa as the bot parses; `nlu_fallback` counts as refusing the message;
- diet: Rasa's `rasa init` pipeline trained once on the same bot/data;
- frozen_lr: frozen MiniLM + logistic regression on the same data, its out-of-scope
  threshold fitted by our rule on a validation split and bot/ood_validation.txt.

Each gets intent accuracy, macro-F1, out-of-scope recall, the in-scope accuracy,
entity precision/recall/F1 per type (exact type and span) and a confusion PNG.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from i18n.language import CHINESE, detect
from nlu_models.crossval import intent_scores
from nlu_models.data import Example, read_lookups, read_nlu, stratified_split
from nlu_models.lookups import split_lookups
from nlu_models.trainer import DERIVED_ENTITIES, OUT_OF_SCOPE

ROOT = Path(__file__).resolve().parent.parent
FRESH = {"en": ROOT / "bench" / "data" / "nlu_fresh_en.yml", "zh": ROOT / "bench" / "data" / "nlu_fresh_zh.yml"}
REFUSED = {OUT_OF_SCOPE, "nlu_fallback"}


def entity_scores(gold: Sequence[Example], found: Sequence[list[dict]]) -> dict[str, Any]:
    """Exact (start, end, type) precision, recall and F1, overall and per type."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for example, ents in zip(gold, found, strict=True):
        g = {(s.start, s.end, s.entity) for s in example.spans}
        # the language note (no span) and the price bounds derived from a price span are not extractions
        p = {(e["start"], e["end"], e["entity"]) for e in ents if e["entity"] not in DERIVED_ENTITIES and "start" in e}
        tp.update(t for *_, t in g & p)
        fp.update(t for *_, t in p - g)
        fn.update(t for *_, t in g - p)

    def prf(t: int, f_p: int, f_n: int) -> dict[str, float]:
        precision = t / (t + f_p) if t + f_p else 1.0
        recall = t / (t + f_n) if t + f_n else 1.0
        return {"precision": precision, "recall": recall, "f1": 2 * t / (2 * t + f_p + f_n) if t + f_p + f_n else 1.0}

    types = sorted(set(tp) | set(fp) | set(fn))
    return {
        **prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "per_type": {t: {**prf(tp[t], fp[t], fn[t]), "support": tp[t] + fn[t]} for t in types},
    }


def score(gold: Sequence[Example], intents: Sequence[str], found: Sequence[list[dict]]) -> dict[str, Any]:
    """Every figure of the fresh section for one system's predictions."""
    labels = [e.intent for e in gold]
    as_scored = [OUT_OF_SCOPE if p in REFUSED else p for p in intents]  # a fallback refuses, like out of scope
    oos = [i for i, g in enumerate(labels) if g == OUT_OF_SCOPE]
    ins = [i for i, g in enumerate(labels) if g != OUT_OF_SCOPE]
    return {
        **intent_scores(labels, as_scored),
        "oos_recall": sum(as_scored[i] == OUT_OF_SCOPE for i in oos) / max(1, len(oos)),
        "in_scope_accuracy": sum(as_scored[i] == labels[i] for i in ins) / max(1, len(ins)),
        "in_scope_refused": sum(as_scored[i] == OUT_OF_SCOPE for i in ins) / max(1, len(ins)),
        "fallbacks": sum(p == "nlu_fallback" for p in intents),
        "entities": entity_scores(gold, found),
        "messages": len(gold),
    }


def served_model(model: Path) -> Any:
    """Load the model `shoptalk train` wrote, as `rasa run` serves it."""
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def parse_served(agent: Any, texts: Sequence[str]) -> tuple[list[str], list[list[dict]], list[float]]:
    """Parse through the served pipeline; return intents, entities and per-message seconds."""
    from bench.nlu_bench import event_loop

    loop = event_loop()
    intents, ents, seconds = [], [], []
    for text in texts:
        started = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        seconds.append(time.perf_counter() - started)
        intents.append(parsed["intent"]["name"])
        ents.append(parsed.get("entities", []))
    return intents, ents, seconds


def served_row(model: Path, texts: Sequence[str]) -> tuple[list[str], list[list[dict]], dict[str, float]]:
    """Parse the texts with the served model: intents, entities and parse p50/p99 (ms)."""
    intents, found, seconds = parse_served(served_model(model), texts)
    ordered = sorted(seconds)
    figures = {
        "parse_ms_p50": ordered[len(ordered) // 2] * 1000,
        "parse_ms_p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
    return intents, found, figures


def finish_row(
    gold: Sequence[Example],
    intents: Sequence[str],
    found: Sequence[list[dict]],
    extra: dict[str, Any],
    label: str,
    started: float,
) -> dict[str, Any]:
    """Score one system's predictions, save its confusion PNG, print its figures; `label`
    names it in both ("en_diet", "zh_ours")."""
    from bench.nlu_bench import RESULTS, confusion_png

    row = {**score(gold, list(intents), found), **extra}
    row["seconds"] = round(time.perf_counter() - started, 1)
    confusion_png([e.intent for e in gold], list(intents), RESULTS / f"nlu_fresh_{label}_confusion.png")
    figures = ", ".join(f"{k} {v:.4f}" for k, v in row.items() if isinstance(v, float))
    print(f"fresh {label.replace('_', ' ', 1)}: {figures}")
    return row


def run_fresh(work: Path, names: Sequence[str], model: Path, diet_epochs: int, language: str = "en") -> dict[str, Any]:
    """Train each system on bot/data (ours: the served model) and score it on the fresh set."""
    from bench.nlu_bench import Diet, FrozenLR

    gold = read_nlu(FRESH[language])
    texts = [e.text for e in gold]
    data = ROOT / "bot" / "data" / "nlu"
    # the baselines train on what the served English model trains on: bot/data's English
    # examples and the catalog's tables (the Chinese examples and *_zh tables serve the Chinese path)
    train = [e for e in read_nlu(data) if detect(e.text) != CHINESE]
    lookups, _ = split_lookups(read_lookups(data))
    ood = ROOT / "bot" / "ood_validation.txt"
    oos_val = [t.strip() for t in ood.read_text().splitlines() if t.strip()] if ood.exists() else []
    out: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        if name == "ours":
            intents, found, figures = served_row(model, texts)
            config = {"model": model.name, "config": "bot/config.yml as served"}  # type: ignore[assignment]
        else:
            fit, val = stratified_split(train, 0.1, 13)
            system = Diet(diet_epochs, work / "fresh" / "diet") if name == "diet" else FrozenLR(ROOT / "var" / "models")
            system.fit(fit, val, oos_val=oos_val, entities=(), lookups=lookups if name == "diet" else None)
            intents, _, found = system.predict(texts)
            config = (
                {"diet_epochs": diet_epochs} if name == "diet" else {"encoder": "all-MiniLM-L6-v2 frozen", "C": 10.0}
            )
            config["validation"] = "10% stratified split of bot/data + bot/ood_validation.txt"
            figures = {"train_seconds": round(system.train_seconds, 1)}
        out[name] = finish_row(gold, intents, found, {**figures, "config": config}, f"{language}_{name}", started)
    return out


#: The served configuration with one augmentation changed: each row against "served".
AUGMENTATIONS = {
    "served": {},
    "no_lookup_substitution": {"lookup_substitution": 0.0},
    "plus_typo_noise": {"typo_augmentation": 0.3},
    "plus_case_punctuation": {"case_augmentation": 0.3},
}


def run_augment(work: Path, variants: Sequence[str], threads: int) -> dict[str, Any]:
    """Train our component as bot/config.yml configures it, once per variant (one augmentation
    on or off), on all of bot/data, and score each on the English fresh set."""
    from dataclasses import replace

    from bench.nlu_bench import Ours
    from nlu_models.crossval import arguments_from_rasa_config

    gold = read_nlu(FRESH["en"])
    data = ROOT / "bot" / "data" / "nlu"
    train, lookups = read_nlu(data), read_lookups(data)
    ood = ROOT / "bot" / "ood_validation.txt"
    oos_val = [t.strip() for t in ood.read_text().splitlines() if t.strip()]
    served = replace(arguments_from_rasa_config(ROOT / "bot" / "config.yml"), threads=threads)
    fit, val = stratified_split(train, served.validation_fraction, served.seed)
    from nlu_models.taxonomy import Taxonomy

    entities = Taxonomy.load(ROOT / "bot" / "taxonomy.yml").entities
    out: dict[str, Any] = {}
    for name in variants:
        args = replace(served, **AUGMENTATIONS[name])
        system = Ours(args, work / "augment" / name)
        system.fit(fit, val, oos_val=oos_val, entities=entities, lookups=lookups)
        intents, _, found = system.predict([e.text for e in gold])
        out[name] = {**score(gold, intents, found), "train_seconds": round(system.train_seconds, 1)}
        out[name]["config"] = {
            k: getattr(args, k) for k in ("lookup_substitution", "typo_augmentation", "case_augmentation")
        }
        floats = ", ".join(f"{k} {v:.4f}" for k, v in out[name].items() if isinstance(v, float))
        print(f"augment {name}: {floats}", flush=True)
    return out
