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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from nlu_models.data import Example, read_lookups, read_nlu, stratified_folds, stratified_split
from nlu_models.io import save_trained
from nlu_models.predictor import Predictor
from nlu_models.taxonomy import Taxonomy
from nlu_models.trainer import Trainer, entity_f1, entity_f1_by_type, macro_f1
from nlu_models.training_args import TrainingArguments


def intent_scores(gold: Sequence[str], pred: Sequence[str]) -> Dict[str, float]:
    """Return accuracy and macro-F1 over the labels seen in gold or predicted."""
    labels = sorted(set(gold) | set(pred))
    index = {name: i for i, name in enumerate(labels)}
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold))
    return {"accuracy": accuracy, "macro_f1": macro_f1([index[g] for g in gold], [index[p] for p in pred], len(labels))}


#: Trains on (fit, validation) in a work folder and returns, for each test text, the top
#: intent (closed set) and the entities found.
FitPredict = Callable[[Sequence[Example], Sequence[Example], Sequence[str], Path], Tuple[List[str], List[List[Dict]]]]


@dataclass
class FoldRun:
    """Predictions pooled over the folds of one cross-validation, in fold order."""

    gold: List[str] = field(default_factory=list)
    pred: List[str] = field(default_factory=list)
    held: List[Example] = field(default_factory=list)
    found: List[List[Dict]] = field(default_factory=list)
    fold_macro_f1: List[float] = field(default_factory=list)
    seconds: float = 0.0

    def scores(self) -> Dict[str, object]:
        """Return pooled intent accuracy and macro-F1, entity F1 (overall and per type) and
        per-fold macro-F1."""
        return {
            **intent_scores(self.gold, self.pred),
            "entity_f1": entity_f1(self.held, self.found),
            "entity_f1_by_type": entity_f1_by_type(self.held, self.found),
            "fold_macro_f1": self.fold_macro_f1,
        }


def our_fit_predict(
    args: TrainingArguments, entities: Sequence[str], lookups: Optional[Mapping[str, Sequence[str]]] = None
) -> FitPredict:
    """Return the fold step for our model: train as `rasa train` does (with the data's
    lookup tables), serve the export."""

    def fit_predict(
        fit: Sequence[Example], validation: Sequence[Example], texts: Sequence[str], out: Path
    ) -> Tuple[List[str], List[List[Dict]]]:
        trainer = Trainer(args)
        result = trainer.train(fit, validation, entity_names=entities, lookups=lookups)
        save_trained(result, args, trainer.encoder_dir, out)
        predictions = Predictor(out, {}, threads=1).predict(list(texts))
        return [p.ranking[0]["name"] for p in predictions], [p.entities for p in predictions]

    return fit_predict


def run_folds(
    examples: Sequence[Example],
    folds: int,
    seed: int,
    validation_fraction: float,
    workdir: Path,
    fit_predict: FitPredict,
    label: str = "crossval",
) -> FoldRun:
    """Run k stratified folds: each trains on its training part less a stratified
    validation split (early stopping, calibration) and predicts its held-out part."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    run = FoldRun()
    started = time.perf_counter()
    for k, (train, test) in enumerate(stratified_folds(examples, folds, seed)):
        print(f"{label}: fold {k + 1}/{folds}: training on {len(train)}, testing on {len(test)}", flush=True)
        fit, validation = stratified_split(train, validation_fraction, seed)
        fold_pred, fold_found = fit_predict(fit, validation, [e.text for e in test], workdir / f"fold{k}")
        run.fold_macro_f1.append(float(intent_scores([e.intent for e in test], fold_pred)["macro_f1"]))
        run.gold += [e.intent for e in test]
        run.pred += fold_pred
        run.held += list(test)
        run.found += fold_found
    run.seconds = round(time.perf_counter() - started, 1)
    return run


def cross_validate(
    examples: Sequence[Example],
    entities: Sequence[str],
    args: TrainingArguments,
    folds: int,
    workdir: Path,
    lookups: Optional[Mapping[str, Sequence[str]]] = None,
) -> Dict[str, object]:
    """Return pooled intent accuracy, macro-F1, entity F1 and per-fold macro-F1 of our model."""
    fit_predict = our_fit_predict(args, entities, lookups)
    run = run_folds(examples, folds, args.seed, args.validation_fraction, workdir, fit_predict)
    return {**run.scores(), "examples": len(examples), "folds": folds, "seconds": run.seconds}


def arguments_from_rasa_config(path: Path, **overrides: object) -> TrainingArguments:
    """Return the training arguments the PurchaseIntentClassifier gets in a Rasa config.yml."""
    pipeline = (yaml.safe_load(path.read_text()) or {}).get("pipeline") or []
    component: Dict[str, object] = next(
        (c for c in pipeline if str(c.get("name", "")).endswith("PurchaseIntentClassifier")), {}
    )
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
    entities = Taxonomy.load(ns.taxonomy).entities
    with tempfile.TemporaryDirectory(prefix="crossval-") as work:
        report = cross_validate(examples, entities, args, ns.folds, Path(work), read_lookups(ns.data))
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
