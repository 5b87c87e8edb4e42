"""K-fold cross-validation of the purchase-intent model on Rasa NLU data.

Usage: python -m nlu_models.crossval --data bot/data/nlu [--data more.yml ...] --out report.json
           [--folds 5] [--epochs N] [--taxonomy bot/taxonomy.yml] [--config bot/config.yml]

The training arguments are the component's own in the Rasa pipeline config (what `rasa
train` uses), so the figures describe the model that is served.

Every fold trains the model as `rasa train` does (a stratified validation split of the
fold's training part for early stopping and calibration) and scores the held-out fold.
`shoptalk retrain` runs it before and after merging staff corrections.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence

import yaml

from nlu_models.data import Example, read_nlu, stratified_folds, stratified_split
from nlu_models.io import save_trained
from nlu_models.predictor import Predictor
from nlu_models.taxonomy import Taxonomy
from nlu_models.trainer import Trainer, entity_f1, macro_f1
from nlu_models.training_args import TrainingArguments


def intent_scores(gold: Sequence[str], pred: Sequence[str]) -> Dict[str, float]:
    """Return accuracy and macro-F1 over the labels seen in gold or predicted."""
    labels = sorted(set(gold) | set(pred))
    index = {name: i for i, name in enumerate(labels)}
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))
    return {"accuracy": accuracy, "macro_f1": macro_f1([index[g] for g in gold], [index[p] for p in pred], len(labels))}


def cross_validate(
    examples: Sequence[Example], entities: Sequence[str], args: TrainingArguments, folds: int, workdir: Path
) -> Dict[str, object]:
    """Return pooled intent accuracy, macro-F1, entity F1 and per-fold macro-F1 over k folds."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    gold: List[str] = []
    pred: List[str] = []
    held: List[Example] = []
    found: List[List[Dict]] = []
    per_fold: List[float] = []
    started = time.perf_counter()
    for k, (train, test) in enumerate(stratified_folds(examples, folds, args.seed)):
        print(f"crossval: fold {k + 1}/{folds}: training on {len(train)}, testing on {len(test)}", flush=True)
        fit, validation = stratified_split(train, args.validation_fraction, args.seed)
        trainer = Trainer(args)
        result = trainer.train(fit, validation, entity_names=entities)
        out = workdir / f"fold{k}"
        save_trained(result, args, trainer.encoder_dir, out)
        predictions = Predictor(out, {}, threads=1).predict([e.text for e in test])
        fold_pred = [p.ranking[0]["name"] for p in predictions]  # closed set: the top intent
        per_fold.append(intent_scores([e.intent for e in test], fold_pred)["macro_f1"])
        gold += [e.intent for e in test]
        pred += fold_pred
        held += list(test)
        found += [p.entities for p in predictions]
    return {
        **intent_scores(gold, pred),
        "entity_f1": entity_f1(held, found),
        "fold_macro_f1": per_fold,
        "examples": len(examples),
        "folds": folds,
        "seconds": round(time.perf_counter() - started, 1),
    }


def arguments_from_rasa_config(path: Path, **overrides: object) -> TrainingArguments:
    """Return the training arguments the PurchaseIntentClassifier gets in a Rasa config.yml."""
    pipeline = (yaml.safe_load(path.read_text()) or {}).get("pipeline") or []
    component = next((c for c in pipeline if str(c.get("name", "")).endswith("PurchaseIntentClassifier")), {})
    return TrainingArguments.from_dict({**TrainingArguments().to_dict(), **component, **overrides})


def main() -> None:
    """Cross-validate and write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, action="append", required=True, help="Rasa NLU YAML file or folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON report")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None, help="override the training epochs")
    parser.add_argument("--taxonomy", type=Path, default=Path("bot/taxonomy.yml"))
    parser.add_argument("--config", type=Path, default=Path("bot/config.yml"), help="Rasa config with the component")
    ns = parser.parse_args()
    overrides = {"epochs": ns.epochs} if ns.epochs else {}
    args = (
        arguments_from_rasa_config(ns.config, **overrides)
        if ns.config.exists()
        else TrainingArguments.from_dict({**TrainingArguments().to_dict(), **overrides})
    )
    examples = read_nlu(ns.data)
    with tempfile.TemporaryDirectory(prefix="crossval-") as work:
        report = cross_validate(examples, Taxonomy.load(ns.taxonomy).entities, args, ns.folds, Path(work))
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
