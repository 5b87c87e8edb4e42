"""Training arguments for the purchase-intent model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Optional


@dataclass
class TrainingArguments:
    """How to fine-tune the encoder; every field has a default that suits shop data on a CPU.

    Attributes:
        epochs: Passes over the training split (early stopping may end sooner).
        batch_size: Examples per optimisation step.
        learning_rate: Peak learning rate of the encoder (AdamW).
        head_learning_rate: Peak learning rate of the freshly initialised heads.
        weight_decay: AdamW weight decay (not applied to biases and LayerNorm).
        warmup_ratio: Fraction of steps with a linear learning-rate warm-up; then linear decay.
        max_length: Tokens kept per message; longer messages are truncated (and logged).
        dropout: Dropout before the heads.
        entity_loss_weight: Weight of the entity (BIO tagging) loss; 0 trains intents only.
        class_weighting: Weight the intent loss by inverse square-root class frequency.
        validation_fraction: Stratified share of the data held out for early stopping and
            calibration (at least one example per intent).
        early_stopping_patience: Epochs without a better validation score before stopping.
        min_examples_per_intent: Training fails, naming the intent, below this count.
        oos_quantile: Without out-of-scope validation data, the confidence threshold is this
            quantile of the calibrated confidences of correct validation predictions.
        oos_max_accuracy_loss: With out-of-scope validation texts (e.g. CLINC150's oos_val),
            the threshold catches as many of them as it can while validation in-scope
            accuracy drops by at most this much (0.01: one point).
        seed: Seed for shuffling, splits and initialisation (training is deterministic).
        threads: Torch threads for training (None: torch's default).
        quantize: Export the ONNX model with dynamic int8 quantisation.
        linear_probe: Before fine-tuning, fit the intent head on the frozen encoder's
            sentence vectors (LP-FT, Kumar et al. 2022): fine-tuning then starts from a
            good head instead of a random one, which distorts the pretrained features less.
        linear_probe_steps: Full-batch optimisation steps of that linear probe.
        label_smoothing: Intent-loss label smoothing (0 = none); softer targets generalise
            better on fine-grained intents, and temperature scaling re-calibrates afterwards.
        length_buckets: Group examples of similar length into a batch (batch order stays
            shuffled), so short messages are not padded to the longest one; faster on CPU.
        entity_crf: Decode entity tags with a linear-chain CRF over the words (learned
            transitions, BIO constraints) instead of each word's best tag.
        lookup_features: Give the entity head lookup-table features (the training data's
            lookup tables of the tagged entity types: brands, colours, categories).
        lookup_substitution: Each epoch, the share of training entity values that have a
            lookup table which are replaced by a random phrase of that table, so the model
            learns to trust the table and the context rather than memorise the few values
            the examples name (and finds catalog values no example mentions).
        typo_augmentation: Each epoch, the share of examples given one typo or chat spelling
            in the words around their entities (nlu_models/augment.py).
        case_augmentation: Each epoch, the share of examples lower-cased or with their end
            punctuation or apostrophes changed.
    """

    epochs: int = 6
    batch_size: int = 32
    learning_rate: float = 6e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_length: int = 64
    dropout: float = 0.1
    entity_loss_weight: float = 1.0
    class_weighting: bool = True
    validation_fraction: float = 0.1
    early_stopping_patience: int = 2
    min_examples_per_intent: int = 5
    oos_quantile: float = 0.02
    oos_max_accuracy_loss: float = 0.01
    seed: int = 42
    threads: Optional[int] = None
    quantize: bool = True
    linear_probe: bool = True
    linear_probe_steps: int = 300
    length_buckets: bool = True
    label_smoothing: float = 0.1
    entity_crf: bool = True
    lookup_features: bool = True
    lookup_substitution: float = 0.5
    typo_augmentation: float = 0.0
    case_augmentation: float = 0.0

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> "TrainingArguments":
        """Build arguments from a dict, ignoring keys that are not fields."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> Dict[str, Any]:
        """Return the arguments as a plain dict."""
        return asdict(self)
