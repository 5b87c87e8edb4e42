"""Fine-tune the purchase-intent model: seeded, class-weighted, scheduled, early-stopped."""

from __future__ import annotations

import copy
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from nlu_models.augment import case_and_punctuation, typo_noise
from nlu_models.calibration import fit_oos_threshold, fit_temperature, softmax
from nlu_models.data import Example, check_counts, label_vocab, stratified_split
from nlu_models.encoding import IGNORE, Batch, TextEncoder, align_tags, decode_batch, lookup_features
from nlu_models.lookups import Gazetteer, substitute_values
from nlu_models.model import CRF, IntentEntityModel, default_encoder_dir
from nlu_models.prices import DERIVED_ENTITIES
from nlu_models.training_args import TrainingArguments

log = logging.getLogger(__name__)
OUT_OF_SCOPE = "out_of_scope"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def macro_f1(gold: Sequence[int], pred: Sequence[int], n_classes: int) -> float:
    """Return macro-averaged F1 over the classes present in gold or pred."""
    scores = []
    for c in range(n_classes):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == c and g != c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


@dataclass
class TrainResult:
    """The trained model, its labels, calibration and training history."""

    model: IntentEntityModel
    intents: List[str]
    tags: List[str]
    temperature: float
    oos_threshold: float
    history: List[Dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    lookups: Dict[str, List[str]] = field(default_factory=dict)
    crf: Optional[Dict[str, List]] = None

    def meta(self, args: TrainingArguments) -> Dict[str, object]:
        """Return what is saved beside the weights."""
        return {
            "intents": self.intents,
            "tags": self.tags,
            "temperature": self.temperature,
            "oos_threshold": self.oos_threshold,
            "max_length": args.max_length,
            "lookups": self.lookups,
            "crf": self.crf,
            "history": self.history,
            "args": args.to_dict(),
        }


@dataclass
class _Run:
    """One training run's state, passed from stage to stage."""

    examples: List[Example]
    validation: List[Example]
    intents: List[str]
    tags: List[str]
    intent_index: Dict[str, int]
    tag_index: Dict[str, int]
    gazetteer: Gazetteer
    model: IntentEntityModel
    crf: Optional[CRF]
    intent_loss: nn.Module
    lengths: List[int]
    steps_per_epoch: int
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LambdaLR
    generator: torch.Generator
    substitutions: random.Random
    has_entities: bool
    history: List[Dict[str, float]] = field(default_factory=list)
    best_state: Optional[Dict[str, Any]] = None
    best_crf: Optional[Dict[str, Any]] = None
    best_score: float = -1.0
    stale: int = 0


class Trainer:
    """Fine-tunes IntentEntityModel on examples; calibrates on a held-out split."""

    def __init__(self, args: TrainingArguments, encoder_dir: Optional[Path] = None) -> None:
        self.args = args
        self.encoder_dir = Path(encoder_dir or default_encoder_dir())
        self.text = TextEncoder(self.encoder_dir / "tokenizer.json", args.max_length)

    def _lookup(self, texts: Sequence[str], batch: Batch, gazetteer: Optional[Gazetteer]) -> Optional[torch.Tensor]:
        return torch.from_numpy(lookup_features(texts, batch, gazetteer)) if gazetteer and gazetteer.width else None

    @staticmethod
    def _lookup_prior(model: IntentEntityModel, gazetteer: Gazetteer, tag_index: Dict[str, int]) -> None:
        """Start the entity head believing its lookup tables: a word a table's phrase starts
        (continues) scores +1 for that type's B (I) tag; training adjusts it from there."""
        with torch.no_grad():
            weight = model.entity_head.weight
            first = weight.shape[1] - gazetteer.width
            for t, name in enumerate(gazetteer.names):
                weight[tag_index[f"B-{name}"], first + 2 * t] = 1.0
                weight[tag_index[f"I-{name}"], first + 2 * t + 1] = 1.0

    def _entity_loss(self, tag_logits: torch.Tensor, tag_y: torch.Tensor, crf: Optional[CRF]) -> torch.Tensor:
        """Cross-entropy on each word's first piece, or the CRF's NLL over the words."""
        if crf is None:
            return nn.functional.cross_entropy(
                tag_logits.reshape(-1, tag_logits.shape[-1]), tag_y.reshape(-1), ignore_index=IGNORE
            )
        # Gather each row's words (first pieces, in order) to the front: [batch, words, tags].
        is_word = tag_y != IGNORE
        n_words = int(is_word.sum(1).max()) if is_word.any() else 0
        if n_words == 0:
            return tag_logits.sum() * 0.0
        order = torch.sort((~is_word).to(torch.int8), dim=1, stable=True).indices[:, :n_words]
        mask = torch.gather(is_word, 1, order)
        emissions = torch.gather(tag_logits, 1, order.unsqueeze(-1).expand(-1, -1, tag_logits.shape[-1]))
        return crf.nll(emissions, torch.gather(tag_y, 1, order), mask)

    def _optimizer(self, model: IntentEntityModel, crf: Optional[CRF]) -> torch.optim.Optimizer:
        decay, no_decay, heads = [], [], list(crf.parameters()) if crf is not None else []
        for name, param in model.named_parameters():
            if name.startswith(("intent_head", "entity_head")):
                heads.append(param)
            elif name.endswith("bias") or "LayerNorm" in name:
                no_decay.append(param)
            else:
                decay.append(param)
        return torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": self.args.weight_decay, "lr": self.args.learning_rate},
                {"params": no_decay, "weight_decay": 0.0, "lr": self.args.learning_rate},
                {"params": heads, "weight_decay": 0.0, "lr": self.args.head_learning_rate},
            ]
        )

    def _batches(self, lengths: Sequence[int], generator: torch.Generator) -> List[List[int]]:
        """Return one epoch of shuffled batches of example indices.

        With length buckets, each run of 32 batches' worth of shuffled examples is sorted
        by token length before it is cut into batches, and the batches are shuffled again:
        batches stay random but hold messages of similar length (less padding).
        """
        size = self.args.batch_size
        order = torch.randperm(len(lengths), generator=generator).tolist()
        if not self.args.length_buckets:
            return [order[i : i + size] for i in range(0, len(order), size)]
        batches: List[List[int]] = []
        pool = size * 32
        for start in range(0, len(order), pool):
            bucket = sorted(order[start : start + pool], key=lambda i: lengths[i])
            batches.extend(bucket[i : i + size] for i in range(0, len(bucket), size))
        shuffle = torch.randperm(len(batches), generator=generator).tolist()
        return [batches[i] for i in shuffle]

    def _linear_probe(
        self, model: IntentEntityModel, examples: Sequence[Example], intent_index: Dict[str, int], weights: torch.Tensor
    ) -> None:
        """Fit the intent head on frozen sentence vectors (the LP of LP-FT)."""
        started = time.perf_counter()
        model.eval()
        order = sorted(range(len(examples)), key=lambda i: len(examples[i].text))
        features = torch.zeros(len(examples), model.intent_head.in_features)
        with torch.no_grad():
            for start in tqdm(range(0, len(order), 128), desc="linear probe: encode", unit="batch", leave=False):
                rows = order[start : start + 128]
                batch = self.text.encode([examples[i].text for i in rows])
                _, pooled = model.encode(torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask))
                features[rows] = pooled
        target = torch.tensor([intent_index[e.intent] for e in examples])
        head = model.intent_head
        loss_fn = nn.CrossEntropyLoss(weight=weights)
        optimizer = torch.optim.LBFGS(
            head.parameters(), lr=1.0, max_iter=self.args.linear_probe_steps, line_search_fn="strong_wolfe"
        )

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = loss_fn(head(features), target) + 1e-3 * head.weight.pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            accuracy = float((head(features).argmax(1) == target).float().mean())
        log.info("nlu.train.linear_probe train_accuracy=%.4f seconds=%.0f", accuracy, time.perf_counter() - started)

    def logits(self, model: IntentEntityModel, examples: Sequence[Example], batch_size: int = 128) -> np.ndarray:
        """Return intent logits for examples (eval mode, no grad)."""
        model.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(examples), batch_size):
                chunk = examples[start : start + batch_size]
                batch = self.text.encode([e.text for e in chunk])
                intent_logits, _ = model(torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask))
                out.append(intent_logits.numpy())
        return np.concatenate(out) if out else np.zeros((0, len(model.intent_head.weight)))

    def train(
        self,
        examples: Sequence[Example],
        validation: Optional[Sequence[Example]] = None,
        oos_validation: Sequence[str] = (),
        entity_names: Sequence[str] = (),
        lookups: Optional[Mapping[str, Sequence[str]]] = None,
    ) -> TrainResult:
        """Fine-tune on examples; early-stop, calibrate and fit the OOS threshold on validation.

        The epoch kept is the one with the best validation score: intent macro-F1, averaged
        with entity F1 when the validation messages have entities.

        Args:
            examples: labelled training utterances.
            validation: held-out labelled utterances; when None a stratified split is taken.
            oos_validation: out-of-scope validation texts (e.g. CLINC150's oos_val), if any.
            entity_names: entity types to tag even if absent from the examples.
            lookups: lookup tables (entity type -> phrases, e.g. brands from the catalog);
                those of tagged entity types become features of the entity head
                (args.lookup_features).

        Raises:
            TooFewExamples: an intent has fewer than args.min_examples_per_intent examples.
        """
        started = time.perf_counter()
        run = self._prepare(examples, validation, entity_names, lookups)
        for epoch in range(1, self.args.epochs + 1):
            loss = self._train_epoch(run, epoch)
            if self._validate(run, epoch, loss):
                log.info("nlu.train.early_stop epoch=%d", epoch)
                break
        return self._finish(run, oos_validation, time.perf_counter() - started)

    def _prepare(
        self,
        examples: Sequence[Example],
        validation: Optional[Sequence[Example]],
        entity_names: Sequence[str],
        lookups: Optional[Mapping[str, Sequence[str]]],
    ) -> _Run:
        """Seed, split, build the vocabularies, the model and its heads, the loss, the linear
        probe, the optimizer and its schedule (in this order: the seed's draws depend on it)."""
        args = self.args
        check_counts(examples, args.min_examples_per_intent)
        if args.threads:
            torch.set_num_threads(args.threads)
        seed_everything(args.seed)
        if validation is None:
            examples, validation = stratified_split(examples, args.validation_fraction, args.seed)
        intents, tags = label_vocab(list(examples) + list(validation), entity_names)
        intent_index = {name: i for i, name in enumerate(intents)}
        tag_index = {name: i for i, name in enumerate(tags)}
        tagged = {t[2:] for t in tags if t != "O"}
        gazetteer = Gazetteer({k: v for k, v in (lookups or {}).items() if k in tagged} if args.lookup_features else {})
        model = IntentEntityModel.from_pretrained_encoder(
            self.encoder_dir, len(intents), len(tags), args.dropout, gazetteer.width
        )
        if gazetteer.width:
            self._lookup_prior(model, gazetteer, tag_index)
        crf = CRF(tags) if args.entity_crf and len(tags) > 1 else None
        substitutions = random.Random(args.seed)
        weights = self._class_weights(examples, intents)
        if args.linear_probe:
            self._linear_probe(model, examples, intent_index, weights)
        steps_per_epoch = max(1, (len(examples) + args.batch_size - 1) // args.batch_size)
        optimizer = self._optimizer(model, crf)
        return _Run(
            examples=list(examples),
            validation=list(validation),
            intents=intents,
            tags=tags,
            intent_index=intent_index,
            tag_index=tag_index,
            gazetteer=gazetteer,
            model=model,
            crf=crf,
            intent_loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=args.label_smoothing),
            lengths=[len(e) for e in self.text.token_lengths([e.text for e in examples])],
            steps_per_epoch=steps_per_epoch,
            optimizer=optimizer,
            schedule=self._schedule(optimizer, steps_per_epoch * args.epochs),
            generator=torch.Generator().manual_seed(args.seed),
            substitutions=substitutions,
            has_entities=any(e.spans for e in validation),
        )

    def _class_weights(self, examples: Sequence[Example], intents: Sequence[str]) -> torch.Tensor:
        """Inverse square-root frequency weights (mean 1), or ones without class weighting."""
        if not self.args.class_weighting:
            return torch.ones(len(intents))
        counts = Counter(e.intent for e in examples)
        raw = torch.tensor([1.0 / np.sqrt(max(counts.get(i, 1), 1)) for i in intents], dtype=torch.float32)
        return raw / raw.mean()

    def _schedule(self, optimizer: torch.optim.Optimizer, total: int) -> torch.optim.lr_scheduler.LambdaLR:
        """Linear warm-up, then linear decay to zero."""
        warmup = max(1, int(total * self.args.warmup_ratio))
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
        )

    def _augmented(self, run: _Run) -> List[Example]:
        """This epoch's copies of the training examples: lookup values swapped, typos, case."""
        args, rng = self.args, run.substitutions
        return [
            case_and_punctuation(
                typo_noise(
                    substitute_values(e, run.gazetteer.tables, rng, args.lookup_substitution),
                    rng,
                    args.typo_augmentation,
                ),
                rng,
                args.case_augmentation,
            )
            for e in run.examples
        ]

    def _train_epoch(self, run: _Run, epoch: int) -> float:
        """One pass over shuffled, length-bucketed batches; return the mean loss."""
        args, model = self.args, run.model
        model.train()
        epoch_examples = self._augmented(run)
        bar = tqdm(
            self._batches(run.lengths, run.generator), desc=f"epoch {epoch}/{args.epochs}", unit="step", leave=False
        )
        running = 0.0
        for step, indices in enumerate(bar):
            chunk = [epoch_examples[i] for i in indices]
            texts = [e.text for e in chunk]
            batch = self.text.encode(texts)
            intent_logits, tag_logits = model(
                torch.from_numpy(batch.input_ids),
                torch.from_numpy(batch.attention_mask),
                self._lookup(texts, batch, run.gazetteer),
            )
            loss = run.intent_loss(intent_logits, torch.tensor([run.intent_index[e.intent] for e in chunk]))
            if args.entity_loss_weight > 0:
                tag_y = torch.from_numpy(align_tags(chunk, batch, run.tag_index))
                loss = loss + args.entity_loss_weight * self._entity_loss(tag_logits, tag_y, run.crf)
            run.optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            run.optimizer.step()
            run.schedule.step()
            running += float(loss.detach())
            bar.set_postfix(loss=f"{running / (step + 1):.3f}")
        bar.close()
        return running / run.steps_per_epoch

    def _validate(self, run: _Run, epoch: int, loss: float) -> bool:
        """Score the epoch on validation, keep the best weights; return True to stop early.

        The score is intent macro-F1, averaged with entity F1 when validation has entities."""
        val_logits = self.logits(run.model, run.validation)
        gold = [run.intent_index[e.intent] for e in run.validation]
        pred = val_logits.argmax(axis=1).tolist()
        intent_f1 = macro_f1(gold, pred, len(run.intents))
        record = {
            "epoch": epoch,
            "loss": loss,
            "val_macro_f1": intent_f1,
            "val_accuracy": float(np.mean(np.array(gold) == np.array(pred))),
        }
        score = intent_f1
        if run.has_entities:
            found = self.predict_entities(run.model, run.tags, [e.text for e in run.validation], run.gazetteer, run.crf)
            record["val_entity_f1"] = entity_f1(run.validation, found)
            score = (intent_f1 + record["val_entity_f1"]) / 2
        run.history.append(record)
        log.info(
            "nlu.train.epoch epoch=%d loss=%.3f val_macro_f1=%.4f val_entity_f1=%s",
            epoch,
            loss,
            intent_f1,
            f"{record['val_entity_f1']:.4f}" if run.has_entities else "-",
        )
        if score > run.best_score + 1e-4:
            run.best_state, run.best_score, run.stale = copy.deepcopy(run.model.state_dict()), score, 0
            run.best_crf = copy.deepcopy(run.crf.state_dict()) if run.crf is not None else None
            return False
        run.stale += 1
        return run.stale >= self.args.early_stopping_patience

    def _finish(self, run: _Run, oos_validation: Sequence[str], seconds: float) -> TrainResult:
        """Restore the best epoch, calibrate its temperature and fit the out-of-scope threshold."""
        assert run.best_state is not None
        model, crf = run.model, run.crf
        model.load_state_dict(run.best_state)
        if crf is not None and run.best_crf is not None:
            crf.load_state_dict(run.best_crf)
        model.eval()
        val_logits = self.logits(model, run.validation)
        gold = np.array([run.intent_index[e.intent] for e in run.validation])
        temperature = fit_temperature(val_logits, gold)
        probs = softmax(val_logits, temperature)
        threshold = self._oos_threshold(model, run.validation, run.intents, probs, gold, oos_validation, temperature)
        return TrainResult(
            model=model,
            intents=run.intents,
            tags=run.tags,
            temperature=temperature,
            oos_threshold=threshold,
            history=run.history,
            seconds=seconds,
            lookups=run.gazetteer.to_dict(),
            crf=crf.scores() if crf is not None else None,
        )

    def _oos_threshold(
        self,
        model: IntentEntityModel,
        validation: Sequence[Example],
        intents: List[str],
        probs: np.ndarray,
        gold: np.ndarray,
        oos_texts: Sequence[str],
        temperature: float,
    ) -> float:
        """Fit the out-of-scope threshold on the best in-scope probability.

        Out-of-scope validation messages are `oos_texts` (e.g. CLINC150's oos_val) together
        with the validation examples of an explicit out-of-scope intent, when the data has one.
        With `oos_texts` the rule is "refuse as many as possible for at most
        `oos_max_accuracy_loss` of in-scope accuracy".
        """
        in_scope = np.array([e.intent != OUT_OF_SCOPE for e in validation])
        scope_cols = np.array([name != OUT_OF_SCOPE for name in intents])
        in_conf = probs[in_scope][:, scope_cols].max(axis=1) if in_scope.any() else np.zeros(0)
        in_correct = probs[in_scope].argmax(axis=1) == gold[in_scope]
        oos_conf: Optional[np.ndarray] = None
        if (~in_scope).any():
            oos_conf = probs[~in_scope][:, scope_cols].max(axis=1)
        if oos_texts:
            oos_probs = softmax(self.logits(model, [Example(t, intents[0]) for t in oos_texts]), temperature)
            extra = oos_probs[:, scope_cols].max(axis=1)
            oos_conf = extra if oos_conf is None else np.concatenate([oos_conf, extra])
            return fit_oos_threshold(
                in_conf, in_correct, oos_conf, self.args.oos_quantile, "bounded", self.args.oos_max_accuracy_loss
            )
        return fit_oos_threshold(in_conf, in_correct, oos_conf, self.args.oos_quantile, "accuracy")

    def predict_entities(
        self,
        model: IntentEntityModel,
        tags: Sequence[str],
        texts: Sequence[str],
        gazetteer: Optional[Gazetteer] = None,
        crf: Optional[CRF] = None,
        batch_size: int = 128,
    ) -> List[List[Dict]]:
        """Return decoded entities per text using the torch model (eval mode, no grad)."""
        model.eval()
        found: List[List[Dict]] = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                chunk = list(texts[start : start + batch_size])
                batch = self.text.encode(chunk)
                _, tag_logits = model(
                    torch.from_numpy(batch.input_ids),
                    torch.from_numpy(batch.attention_mask),
                    self._lookup(chunk, batch, gazetteer),
                )
                found += decode_batch(chunk, batch, tag_logits.numpy(), tags, crf.scores() if crf else None)
        return found


def _entity_counts(gold: Sequence[Example], predicted: Sequence[List[Dict]]) -> Dict[str, Counter]:
    """Return true positives, false positives and false negatives per entity type."""
    counts: Dict[str, Counter] = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
    for example, ents in zip(gold, predicted, strict=True):
        g = {(s.start, s.end, s.entity) for s in example.spans}
        p = {(e["start"], e["end"], e["entity"]) for e in ents if e["entity"] not in DERIVED_ENTITIES}
        for key, found in (("tp", g & p), ("fp", p - g), ("fn", g - p)):
            counts[key].update(entity for _, _, entity in found)
    return counts


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def entity_f1(gold: Sequence[Example], predicted: Sequence[List[Dict]]) -> float:
    """Return micro F1 of exact (start, end, entity) matches.

    Entities derived from another one (the price bounds normalised from a price span) are
    not extractions and are not scored: the price span itself is.
    """
    counts = _entity_counts(gold, predicted)
    return _f1(*(sum(counts[key].values()) for key in ("tp", "fp", "fn")))


def entity_f1_by_type(gold: Sequence[Example], predicted: Sequence[List[Dict]]) -> Dict[str, float]:
    """Return exact-match F1 per entity type (as entity_f1 scores them)."""
    counts = _entity_counts(gold, predicted)
    types = sorted(set(counts["tp"]) | set(counts["fp"]) | set(counts["fn"]))
    return {t: _f1(counts["tp"][t], counts["fp"][t], counts["fn"][t]) for t in types}


def split_for_training(examples: Sequence[Example], args: TrainingArguments) -> Tuple[List[Example], List[Example]]:
    """Return the stratified (train, validation) split the trainer would use."""
    return stratified_split(examples, args.validation_fraction, args.seed)
