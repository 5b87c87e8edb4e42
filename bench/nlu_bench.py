"""NLU benchmark (Rasa env): our component vs Rasa's default DIET pipeline vs frozen MiniLM
embeddings + logistic regression, side by side on the same splits and machine.

- banking77: train on train (10% of it held out for early stopping/calibration), test on test.
- clinc150: train on train + oos_train, tune the OOS threshold on val + oos_val, test on test + oos_test.
- crossval: 5-fold cross-validation of bot/data (intent accuracy, macro-F1, entity F1),
  with a confusion-matrix PNG for our component.
- latency: single-message parse on one thread (p50, p99), model size, training time.

Sections run separately (--sections) and merge into bench/results/nlu.json.
Run: make bench-nlu (tens of minutes to hours on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import os
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from bench.common import DATA, RESULTS, ROOT, dir_size_mib, machine, table, write_results
from bench.nlu_fresh import AUGMENTATIONS, run_augment, run_fresh
from nlu_models.calibration import fit_oos_threshold
from nlu_models.crossval import intent_scores, run_folds
from nlu_models.data import Example, read_lookups, read_nlu, stratified_split
from nlu_models.encoding import lookup_features
from nlu_models.io import save_trained
from nlu_models.lookups import substitute_values
from nlu_models.predictor import OUT_OF_SCOPE, Predictor
from nlu_models.taxonomy import Taxonomy
from nlu_models.trainer import Trainer, entity_f1
from nlu_models.training_args import TrainingArguments

DIET_PIPELINE = """
recipe: default.v1
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies: []
"""


def diet_config(epochs: int, resume_dir: Path, checkpoint_every: int = 5, pipeline: str = DIET_PIPELINE) -> str:
    """Return the DIET pipeline as Rasa trains it here: DIET_PIPELINE with DIETClassifier
    swapped for its resumable subclass (same model and hyper-parameters, checkpointed every
    `checkpoint_every` epochs to `resume_dir`, so a killed multi-hour training resumes)."""
    resumable = (
        "  - name: bench.resumable_diet.ResumableDIETClassifier\n"
        f"    resume_dir: {json.dumps(str(resume_dir))}\n"
        f"    checkpoint_every: {checkpoint_every}\n"
    )
    return pipeline.format(epochs=epochs).replace("  - name: DIETClassifier\n", resumable)


# --- data ---------------------------------------------------------------------------
def banking77() -> Tuple[List[Example], List[Example]]:
    def read(name: str) -> List[Example]:
        with (DATA / "intents" / f"banking77_{name}.csv").open(newline="") as fh:
            return [Example(r["text"], r["category"]) for r in csv.DictReader(fh)]

    return read("train"), read("test")


def clinc150() -> Dict[str, List[Example]]:
    raw = json.loads((DATA / "intents" / "clinc150_data_full.json").read_text())
    to = lambda rows, intent=None: [Example(t, intent or i) for t, i in rows]  # noqa: E731
    return {
        "train": to(raw["train"]) + to(raw["oos_train"], OUT_OF_SCOPE),
        "val": to(raw["val"]),
        "oos_val": to(raw["oos_val"], OUT_OF_SCOPE),
        "test": to(raw["test"]),
        "oos_test": to(raw["oos_test"], OUT_OF_SCOPE),
    }


# --- the three systems ----------------------------------------------------------------
class Ours:
    """Our component, trained as `rasa train` trains it (with the data's lookup tables)."""

    name = "ours"

    def __init__(self, args: TrainingArguments, workdir: Path) -> None:
        self.args, self.workdir = args, workdir

    def fit(
        self,
        train: Sequence[Example],
        val: Sequence[Example],
        oos_val: Sequence[str] = (),
        entities: Sequence[str] = (),
        lookups: Optional[Mapping[str, Sequence[str]]] = None,
    ) -> None:
        started = time.perf_counter()
        trainer = Trainer(self.args)
        result = trainer.train(train, val, oos_validation=oos_val, entity_names=entities, lookups=lookups)
        save_trained(result, self.args, trainer.encoder_dir, self.workdir)
        self.train_seconds = time.perf_counter() - started
        self.predictor = Predictor(self.workdir, {}, threads=1)
        self.threshold = result.oos_threshold
        # Same rule for every system: the out-of-scope threshold only applies where it was
        # fitted on out-of-scope validation data; closed-set benchmarks score the top intent.
        self.open_set = bool(oos_val)

    def predict(self, texts: Sequence[str]) -> Tuple[List[str], List[float], List[List[Dict]]]:
        preds = self.predictor.predict(list(texts))
        intents = [p.intent if self.open_set else p.ranking[0]["name"] for p in preds]
        return intents, [p.ranking[0]["confidence"] for p in preds], [p.entities for p in preds]

    def size_mib(self) -> float:
        return (self.workdir / "model.int8.onnx").stat().st_size / 2**20


class OursNoLookups(Ours):
    """Ablation: our component without lookup-table features (DIET's cross-validation run
    had no lookup tables either)."""

    name = "ours_no_lookups"

    def __init__(self, args: TrainingArguments, workdir: Path) -> None:
        super().__init__(replace(args, lookup_features=False), workdir)


class Diet:
    name = "diet"
    pipeline = DIET_PIPELINE

    def __init__(self, epochs: int, workdir: Path) -> None:
        self.epochs, self.workdir = epochs, workdir

    def fit(
        self,
        train: Sequence[Example],
        val: Sequence[Example],
        oos_val: Sequence[str] = (),
        entities: Sequence[str] = (),
        lookups: Optional[Mapping[str, Sequence[str]]] = None,
    ) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        write_rasa_nlu(list(train), self.workdir / "nlu.yml", lookups)
        self.model_file, self.train_seconds = self._train_or_reuse()
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(self.model_file))
        self.threshold = 0.0
        if oos_val:
            self.threshold = threshold_on_validation(self._parse, val, oos_val)

    def _train_or_reuse(self) -> Tuple[Path, float]:
        """Train, or reuse the model a killed or earlier run trained on the same data and config.

        DIET takes hours here (~35 min a cross-validation fold, ~5 h for BANKING77 on one
        core), so every trained model is kept with a fingerprint of what it was trained on,
        and a training killed half-way resumes from its last checkpoint (kept per
        fingerprint). The seconds returned add up the checkpointed training of earlier runs.
        """
        from rasa.model_training import train_nlu

        from bench.resumable_diet import checkpointed

        config = self.pipeline.format(epochs=self.epochs)  # what the model is (not where it checkpoints)
        fingerprint = hashlib.sha256((config + (self.workdir / "nlu.yml").read_text()).encode()).hexdigest()
        resume_dir = self.workdir / "resume" / fingerprint[:16]
        (self.workdir / "config.yml").write_text(diet_config(self.epochs, resume_dir, pipeline=self.pipeline))
        record = self.workdir / "trained.json"
        if record.exists():
            done = json.loads(record.read_text())
            if done["fingerprint"] == fingerprint and Path(done["model"]).exists():
                print(f"diet: reusing {done['model']} (same data and config)", flush=True)
                return Path(done["model"]), float(done["train_seconds"])
        _, earlier = checkpointed(resume_dir)
        started = time.perf_counter()
        model = train_nlu(str(self.workdir / "config.yml"), str(self.workdir / "nlu.yml"), str(self.workdir / "models"))
        seconds = earlier + time.perf_counter() - started
        record.write_text(json.dumps({"fingerprint": fingerprint, "model": model, "train_seconds": seconds}))
        return Path(model), seconds

    def _parse(self, texts: Sequence[str]) -> Tuple[List[str], List[float], List[List[Dict]]]:
        loop = event_loop()
        intents, confs, ents = [], [], []
        for text in texts:
            parsed = loop.run_until_complete(self.agent.parse_message(text))
            ranking = parsed.get("intent_ranking") or [parsed["intent"]]
            top = next((r for r in ranking if r["name"] != "nlu_fallback"), ranking[0])
            intents.append(top["name"])
            confs.append(float(top["confidence"]))
            ents.append(parsed.get("entities", []))
        return intents, confs, ents

    def predict(self, texts: Sequence[str]) -> Tuple[List[str], List[float], List[List[Dict]]]:
        intents, confs, ents = self._parse(texts)
        intents = [OUT_OF_SCOPE if c < self.threshold else i for i, c in zip(intents, confs, strict=True)]
        return intents, confs, ents

    def size_mib(self) -> float:
        return self.model_file.stat().st_size / 2**20


class FrozenLR:
    """A frozen encoder with logistic regression (subclasses swap the encoder)."""

    name = "frozen_lr"
    C = 10.0
    max_iter = 2000
    class_weight: Optional[str] = None
    # the confidence a threshold reads: the top class's (False) or the best in-scope class's (True)
    in_scope_confidence = False

    def __init__(self, cache: Path) -> None:
        from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, ensure_onnx

        self.encoder = MiniLMOnnxEncoder(ensure_onnx(cache), threads=os.cpu_count() or 1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode_documents(list(texts))

    def fit(
        self,
        train: Sequence[Example],
        val: Sequence[Example],
        oos_val: Sequence[str] = (),
        entities: Sequence[str] = (),
        lookups: Optional[Mapping[str, Sequence[str]]] = None,
    ) -> None:
        from sklearn.linear_model import LogisticRegression

        started = time.perf_counter()
        self.clf = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
        self.clf.fit(self.encode([e.text for e in train]), [e.intent for e in train])
        self.train_seconds = time.perf_counter() - started
        self.threshold = 0.0
        if oos_val:
            self.threshold = threshold_on_validation(lambda texts: self.predict(texts, raw=True), val, oos_val)

    def predict(self, texts: Sequence[str], raw: bool = False) -> Tuple[List[str], List[float], List[List[Dict]]]:
        probs = self.clf.predict_proba(self.encode(texts))
        best = probs.argmax(axis=1)
        if self.in_scope_confidence:
            confs = probs[:, np.array([c != OUT_OF_SCOPE for c in self.clf.classes_])].max(axis=1).tolist()
        else:
            confs = probs.max(axis=1).tolist()
        intents = [str(self.clf.classes_[b]) for b in best]
        if not raw:
            intents = [OUT_OF_SCOPE if c < self.threshold else i for i, c in zip(intents, confs, strict=True)]
        return intents, confs, [[] for _ in texts]


Parse = Callable[[Sequence[str]], Tuple[List[str], List[float], List[List[Dict]]]]


def threshold_on_validation(parse: Parse, val: Sequence[Example], oos_val: Sequence[str]) -> float:
    """Fit a baseline's out-of-scope threshold by the rule our trainer uses, on in-scope
    validation messages (top intent and confidence, before any threshold) and oos_val."""
    in_scope = [e for e in val if e.intent != OUT_OF_SCOPE]
    intents, in_conf, _ = parse([e.text for e in in_scope])
    correct = np.array([p == e.intent for p, e in zip(intents, in_scope, strict=True)])
    _, oos_conf, _ = parse(list(oos_val))
    return fit_oos_threshold(np.array(in_conf), correct, np.array(oos_conf))


def event_loop() -> asyncio.AbstractEventLoop:
    """Return this thread's event loop for Rasa's async parse, making one if there is none."""
    try:
        return asyncio.get_event_loop()
    except RuntimeError:  # uvloop's policy (Rasa installs it) makes none implicitly
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def write_rasa_nlu(
    examples: Sequence[Example], path: Path, lookups: Optional[Mapping[str, Sequence[str]]] = None
) -> None:
    """Write examples (with entity spans) and lookup tables (RegexFeaturizer reads them) as Rasa NLU YAML."""
    by_intent: Dict[str, List[str]] = {}
    for e in examples:
        text, offset = e.text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")"), 0
        for s in sorted(e.spans, key=lambda s: s.start):
            a, b = s.start + offset, s.end + offset
            text = text[:a] + f"[{text[a:b]}]({s.entity})" + text[b:]
            offset += len(s.entity) + 4
        by_intent.setdefault(e.intent, []).append(text.replace("\n", " "))
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in texts]
    for name, phrases in sorted((lookups or {}).items()):
        lines += [f"- lookup: {name}", "  examples: |"] + [f"    - {p}" for p in phrases]
    path.write_text("\n".join(lines) + "\n")


# --- sections ----------------------------------------------------------------------------
def systems(names: Sequence[str], work: Path, args: TrainingArguments, diet_epochs: int) -> List[Any]:
    made: List[Any] = []
    for name in names:
        if name == "ours":
            made.append(Ours(args, work / "ours"))
        elif name == "ours_no_lookups":
            made.append(OursNoLookups(args, work / "ours_no_lookups"))
        elif name == "diet":
            made.append(Diet(diet_epochs, work / "diet"))
        elif name == "frozen_lr":
            made.append(FrozenLR(ROOT / "var" / "models"))
    return made


def run_banking77(work: Path, names: Sequence[str], args: TrainingArguments, diet_epochs: int) -> Dict[str, Any]:
    train_all, test = banking77()
    train, val = stratified_split(train_all, 0.1, args.seed)
    out: Dict[str, Any] = {}
    for system in systems(names, work / "banking77", args, diet_epochs):
        print(f"banking77: training {system.name} on {len(train)} examples", flush=True)
        system.fit(train, val)
        pred, _, _ = system.predict([e.text for e in test])
        out[system.name] = {**intent_scores([e.intent for e in test], pred), "train_seconds": system.train_seconds}
        print(f"banking77 {system.name}: {out[system.name]}", flush=True)
    return out


def run_clinc150(work: Path, names: Sequence[str], args: TrainingArguments, diet_epochs: int) -> Dict[str, Any]:
    data = clinc150()
    out: Dict[str, Any] = {}
    for system in systems(names, work / "clinc150", args, diet_epochs):
        print(f"clinc150: training {system.name} on {len(data['train'])} examples", flush=True)
        system.fit(data["train"], data["val"] + data["oos_val"], oos_val=[e.text for e in data["oos_val"]])
        pred, _, _ = system.predict([e.text for e in data["test"]])
        oos_pred, _, _ = system.predict([e.text for e in data["oos_test"]])
        out[system.name] = {
            "in_scope_accuracy": float(np.mean([p == e.intent for p, e in zip(pred, data["test"], strict=True)])),
            "oos_recall": float(np.mean([p == OUT_OF_SCOPE for p in oos_pred])),
            "threshold": float(system.threshold),
            "train_seconds": system.train_seconds,
        }
        print(f"clinc150 {system.name}: {out[system.name]}", flush=True)
    return out


def unnamed_lookup_values(examples: Sequence[Example], lookups: Mapping[str, Sequence[str]]) -> Dict[str, List[str]]:
    """Return each lookup table's phrases that no example names as that entity: the catalog
    values (a shop's other brands) its annotated messages never mention."""
    named = {(s.entity, e.text[s.start : s.end].lower()) for e in examples for s in e.spans}
    return {name: [p for p in phrases if (name, p.lower()) not in named] for name, phrases in lookups.items()}


def run_crossval(
    work: Path, names: Sequence[str], args: TrainingArguments, diet_epochs: int, folds: int
) -> Dict[str, Any]:
    """Cross-validate each system on bot/data. Besides the held-out messages as they are,
    each fold's systems also parse copies of them whose brand, colour and category values
    are swapped for lookup-table values that no bot/data example names (entity F1 over the
    copies that changed: `entity_f1_unseen_values`)."""
    examples = read_nlu(ROOT / "bot" / "data" / "nlu")
    lookups = read_lookups(ROOT / "bot" / "data" / "nlu")
    unnamed = unnamed_lookup_values(examples, lookups)
    by_text = {e.text: e for e in examples}
    entities = Taxonomy.load(ROOT / "bot" / "taxonomy.yml").entities
    out: Dict[str, Any] = {}
    for name in [n for n in names if n in ("ours", "ours_no_lookups", "diet")]:
        trained: List[float] = []  # per fold; a reused DIET fold counts the time it took when trained
        swapped_gold: List[Example] = []
        swapped_found: List[List[Dict]] = []

        def fit_predict(
            fit: Sequence[Example],
            validation: Sequence[Example],
            texts: Sequence[str],
            folder: Path,
            name: str = name,
            trained: List[float] = trained,
            swapped_gold: List[Example] = swapped_gold,
            swapped_found: List[List[Dict]] = swapped_found,
        ) -> Tuple[List[str], List[List[Dict]]]:
            [system] = systems([name], folder, args, diet_epochs)
            system.fit(fit, validation, entities=entities, lookups=lookups)
            rng = random.Random(args.seed + len(trained))
            trained.append(system.train_seconds)
            held = [by_text[t] for t in texts]
            swapped = [s for s, e in ((substitute_values(e, unnamed, rng, 1.0), e) for e in held) if s != e]
            intents, _, found = system.predict(list(texts) + [e.text for e in swapped])
            swapped_gold.extend(swapped)
            swapped_found.extend(found[len(texts) :])
            return intents[: len(texts)], found[: len(texts)]

        run = run_folds(
            examples, folds, args.seed, args.validation_fraction, work / "crossval" / name, fit_predict, name
        )
        out[name] = {
            **run.scores(),
            "entity_f1_unseen_values": entity_f1(swapped_gold, swapped_found),
            "unseen_value_messages": len(swapped_gold),
            "train_seconds": round(sum(trained), 1),
            "fold_train_seconds": trained,
        }
        if name == "ours":
            confusion_png(run.gold, run.pred, RESULTS / "nlu_confusion.png")
        print(f"crossval {name}: {out[name]}", flush=True)
    return out


def confusion_png(gold: Sequence[str], pred: Sequence[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(gold) | set(pred))
    index = {n: i for i, n in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for g, p in zip(gold, pred, strict=True):
        matrix[index[g], index[p]] += 1
    matrix = matrix / matrix.sum(axis=1, keepdims=True).clip(min=1)
    fig, ax = plt.subplots(figsize=(13, 11))
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Our component, 5-fold cross-validation on bot/data (row-normalised)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def entities_png(crossval: Dict[str, Any], path: Path) -> None:
    """Plot cross-validation entity F1 per entity type, one bar per system that has it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems_ = {name: r["entity_f1_by_type"] for name, r in crossval.items() if "entity_f1_by_type" in r}
    if not systems_:
        return
    types = sorted({t for by_type in systems_.values() for t in by_type})
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(systems_)
    for i, (name, by_type) in enumerate(sorted(systems_.items())):
        overall = crossval[name]["entity_f1"]
        values = [by_type.get(t, 0.0) for t in types]
        ax.bar(np.arange(len(types)) + i * width, values, width, label=f"{name} (all types {overall:.3f})")
    ax.set_xticks(np.arange(len(types)) + 0.4 - width / 2, types)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("exact-span F1")
    ax.set_title("Entity F1 per type, 5-fold cross-validation on bot/data")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def batch_throughput(predict: Any, texts: Sequence[str], batch_size: int = 64) -> float:
    """Return messages per second when parsing texts in batches (one thread)."""
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        predict(list(texts[start : start + batch_size]))
    return len(texts) / (time.perf_counter() - started)


def run_latency(work: Path, names: Sequence[str], diet_epochs: int, n: int) -> Dict[str, Any]:
    """Time single-message parses on one thread with the BANKING77 models of the banking77 section.

    `ours_bot_data` times our model as the bot serves it (entities through the CRF and the
    lookup tables) on bot/data messages: the first cross-validation fold's model.
    """
    _, test = banking77()
    texts = [e.text for e in test[:n]]
    out: Dict[str, Any] = {}
    ours_dir = work / "banking77" / "ours"
    if "ours" in names and (ours_dir / "model.int8.onnx").exists():
        out["ours"] = time_ours(ours_dir, texts)
    bot_dir = work / "crossval" / "ours" / "fold0" / "ours"
    if "ours" in names and (bot_dir / "model.int8.onnx").exists():
        bot_texts = [e.text for e in random.Random(0).sample(read_nlu(ROOT / "bot" / "data" / "nlu"), n)]
        out["ours_bot_data"] = time_ours(bot_dir, bot_texts)
    if "diet" in names:
        out["diet"] = time_diet(work, diet_epochs, texts)
    return out


def time_ours(model_dir: Path, texts: Sequence[str]) -> Dict[str, float]:
    predictor = Predictor(model_dir, {}, threads=1)
    for t in texts[:20]:
        predictor.predict([t])
    timings, forward = [], []
    for t in texts:
        started = time.perf_counter()
        predictor.predict([t])
        timings.append((time.perf_counter() - started) * 1000)
        batch = predictor.text.encode([t])
        lookup = lookup_features([t], batch, predictor.gazetteer)
        started = time.perf_counter()
        predictor._logits(batch.input_ids, batch.attention_mask, lookup)
        forward.append((time.perf_counter() - started) * 1000)
    return {
        "p50": float(np.percentile(timings, 50)),
        "p99": float(np.percentile(timings, 99)),
        "forward_p50": float(statistics.median(forward)),
        "size_mib": dir_size_mib(model_dir / "model.int8.onnx"),
        "batch_messages_per_s": batch_throughput(predictor.predict, texts),
    }


def time_diet(work: Path, diet_epochs: int, texts: Sequence[str]) -> Dict[str, float]:
    import tensorflow as tf

    try:  # one thread, like ours; fails only when TensorFlow already ran in this process
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass
    models = sorted((work / "banking77" / "diet" / "models").glob("*.tar.gz"))
    trained_epochs = diet_epochs
    if not models:
        # DIET's parse costs the same after 1 epoch as after 100 (same graph, same features),
        # so while the full BANKING77 run has not finished, time a 1-epoch model instead.
        print("latency: no BANKING77 DIET model yet; training a 1-epoch one to time its parse", flush=True)
        short = Diet(1, work / "latency" / "diet")
        short.fit(banking77()[0], [])
        models, trained_epochs = [short.model_file], 1
    from rasa.core.agent import Agent

    agent = Agent.load(str(models[-1]))
    loop = event_loop()
    for t in texts[:20]:
        loop.run_until_complete(agent.parse_message(t))
    timings = []
    for t in texts:
        started = time.perf_counter()
        loop.run_until_complete(agent.parse_message(t))
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "p50": float(np.percentile(timings, 50)),
        "p99": float(np.percentile(timings, 99)),
        "size_mib": models[-1].stat().st_size / 2**20,
        "trained_epochs": trained_epochs,
        "threads": tf.config.threading.get_intra_op_parallelism_threads(),
    }


def limit_threads(threads: int) -> None:
    """Cap the math libraries of every system (torch, onnxruntime, TensorFlow) at `threads`."""
    for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[var] = str(threads)


DEFAULT_SYSTEMS = "ours,diet,frozen_lr"
ZH_SYSTEMS = ("ours", "diet_jieba", "frozen_e5_lr")  # the fresh_zh section's systems


def served_model_path() -> Path:
    """The model `shoptalk train` trained for the current bot/ (make bench-nlu trains it first)."""
    from shoptalk.train import model_path

    path = model_path(ROOT / "var" / "rasa-models")
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `bin/shoptalk train` first")
    return path


def merge_results(produced: Dict[str, Any]) -> Dict[str, Any]:
    """Merge what this run produced into bench/results/nlu.json and return the file's figures.

    The file is read again at every write, per data set and system, so runs of other
    sections or systems (possibly at the same time, one per core) keep their figures.
    """
    path = RESULTS / "nlu.json"
    merged: Dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for key, value in produced.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    write_results("nlu", merged)
    return merged


def run_config(system: str, args: TrainingArguments, ns: argparse.Namespace) -> Dict[str, Any]:
    """The configuration a row was measured with (kept beside its figures, so a merge of a
    later run never leaves old figures under a config they were not run with)."""
    if system == "diet":
        return {"pipeline": "rasa init (DIETClassifier)", "diet_epochs": ns.diet_epochs}
    if system == "frozen_lr":
        return {"encoder": "all-MiniLM-L6-v2 frozen", "C": 10.0}
    keys = ("epochs", "batch_size", "max_length", "learning_rate", "lookup_substitution", "seed", "threads")
    return {k: getattr(args, k) for k in keys if hasattr(args, k)}


def _fresh_zh(work: Path, name: str, diet_epochs: int) -> Dict[str, Any]:
    from bench.nlu_zh import run_fresh_zh  # it builds on this module's systems

    return run_fresh_zh(work, [name], _served_if(name), diet_epochs)


def _served_if(name: str) -> Path:
    """The served model for "ours"; the baselines train their own and need none."""
    return served_model_path() if name == "ours" else Path()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default="banking77,clinc150,crossval,latency")
    parser.add_argument("--systems", default=DEFAULT_SYSTEMS, help="systems (augment: variants of ours)")
    parser.add_argument("--epochs", type=int, default=6, help="our component's epochs")
    parser.add_argument("--diet-epochs", type=int, default=100, help="DIET epochs (rasa init's default: 100)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-messages", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-nlu")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="CPU threads for training (all cores by default; 1 lets two runs share 2 cores, one each)",
    )
    ns = parser.parse_args()
    limit_threads(ns.threads)
    args = TrainingArguments(epochs=ns.epochs, batch_size=32, max_length=64, threads=ns.threads)
    # the cross-validation of bot/data trains exactly as bot/config.yml serves
    from dataclasses import replace

    from nlu_models.crossval import arguments_from_rasa_config

    served = replace(arguments_from_rasa_config(ROOT / "bot" / "config.yml"), threads=ns.threads)
    names = ns.systems.split(",")
    results: Dict[str, Any] = {"machine": machine(), "config": {"ours": args.to_dict(), "diet_epochs": ns.diet_epochs}}
    results["config"]["threads"] = ns.threads
    work = ns.workdir
    runners = {
        "banking77": lambda name: run_banking77(work, [name], args, ns.diet_epochs),
        "clinc150": lambda name: run_clinc150(work, [name], args, ns.diet_epochs),
        "crossval": lambda name: run_crossval(work, [name], served, ns.diet_epochs, ns.folds),
        "fresh": lambda name: run_fresh(work, [name], _served_if(name), ns.diet_epochs),
        "augment": lambda name: run_augment(work, [name], ns.threads),
        "fresh_zh": lambda name: _fresh_zh(work, name, ns.diet_epochs),
    }
    for section in ns.sections.split(","):
        started = time.perf_counter()
        section_names = list(AUGMENTATIONS) if section == "augment" and ns.systems == DEFAULT_SYSTEMS else names
        if section == "fresh_zh" and ns.systems == DEFAULT_SYSTEMS:
            section_names = list(ZH_SYSTEMS)
        if section == "latency":
            results.setdefault("latency_ms", {}).update(run_latency(work, names, ns.diet_epochs, ns.latency_messages))
        else:
            for name in section_names:  # each system's figures are saved as soon as they exist (runs take hours)
                figures = runners[section](name)
                for system, row in figures.items():  # each row names the config it was run with
                    row.setdefault("config", run_config(system, served if section == "crossval" else args, ns))
                results.setdefault(section, {}).update(figures)
                merge_results(results)
        results.setdefault("section_seconds", {})[section] = round(time.perf_counter() - started, 1)
        merge_results(results)
    results = merge_results({})
    entities_png(results.get("crossval", {}), RESULTS / "nlu_entities.png")
    rows = []
    for ds, keys in (
        ("banking77", ("accuracy", "macro_f1")),
        ("clinc150", ("in_scope_accuracy", "oos_recall")),
        ("crossval", ("accuracy", "macro_f1", "entity_f1")),
        ("fresh", ("accuracy", "macro_f1", "oos_recall", "in_scope_accuracy")),
        ("fresh_zh", ("accuracy", "macro_f1", "oos_recall", "in_scope_accuracy")),
    ):
        for system, vals in results.get(ds, {}).items():
            rows.append([ds, system, ", ".join(f"{k} {vals[k]:.4f}" for k in keys if k in vals)])
    print(table(rows, ["data set", "system", "figures"]))
    print(json.dumps(results.get("latency_ms", {}), indent=2))


if __name__ == "__main__":
    main()
