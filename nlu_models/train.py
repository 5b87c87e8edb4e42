"""Train the purchase-intent model outside Rasa, for experiments.

Usage: python -m nlu_models.train --data bot/data --out var/nlu-experiment [--epochs N] [--taxonomy bot/taxonomy.yml]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlu_models.data import read_lookups, read_nlu
from nlu_models.io import save_trained
from nlu_models.predictor import Predictor
from nlu_models.taxonomy import Taxonomy
from nlu_models.trainer import Trainer, entity_f1
from nlu_models.training_args import TrainingArguments


def main() -> None:
    """Train, save, and report validation figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="Rasa NLU YAML file or folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--taxonomy", type=Path, default=Path("bot/taxonomy.yml"))
    for name, value in TrainingArguments().to_dict().items():
        if isinstance(value, bool):
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=lambda s: s.lower() in ("1", "true", "yes"), default=value
            )
        elif value is None or isinstance(value, (int, float)):
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=type(value) if value is not None else int, default=value
            )
    ns = parser.parse_args()
    args = TrainingArguments.from_dict(vars(ns))
    taxonomy = Taxonomy.load(ns.taxonomy)
    examples = read_nlu(ns.data)
    trainer = Trainer(args)
    from nlu_models.trainer import split_for_training

    train_set, validation = split_for_training(examples, args)
    result = trainer.train(train_set, validation, entity_names=taxonomy.entities, lookups=read_lookups(ns.data))
    served = save_trained(result, args, trainer.encoder_dir, ns.out)
    predictor = Predictor(ns.out, taxonomy.stages)
    preds = predictor.predict([e.text for e in validation])
    accuracy = sum(p.intent == e.intent for p, e in zip(preds, validation, strict=True)) / max(1, len(validation))
    report = {
        "examples": len(examples),
        "validation": len(validation),
        "served": served.name,
        "temperature": result.temperature,
        "oos_threshold": result.oos_threshold,
        "validation_accuracy_served": accuracy,
        "validation_entity_f1_served": entity_f1(validation, [p.entities for p in preds]),
        "seconds": round(result.seconds, 1),
        "history": result.history,
    }
    (ns.out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "history"}, indent=2))


if __name__ == "__main__":
    main()
