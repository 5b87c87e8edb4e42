"""Rasa's DIETClassifier, unchanged, with training that survives being killed.

DIET as `rasa init` configures it trains 100 epochs; on BANKING77 that is ~5 h on one core
of this machine, longer than a working session. This subclass changes nothing in the model,
its features or its hyper-parameters. When `resume_dir` is set it saves, every
`checkpoint_every` epochs, the weights, the Adam optimizer's state and the epoch reached
(`tf.train.Checkpoint`); a later training with the same `resume_dir` restores them and
continues from that epoch with that epoch's batch size. The one difference from an
uninterrupted run: the data generator's shuffling restarts from its seed, so later epochs
see the batches in another order (the same examples, the same batch sizes).

Used by bench/nlu_bench.py (Rasa env only); the model it packages loads like any DIET model
as long as this module is importable.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import tensorflow as tf
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

log = logging.getLogger(__name__)

RESUME_DIR = "resume_dir"
CHECKPOINT_EVERY = "checkpoint_every"


class _SaveEvery(tf.keras.callbacks.Callback):
    """Keras callback: save the checkpoint after every `every`-th epoch and the last, with
    the epochs done and the training seconds they took (over all resumed runs)."""

    def __init__(self, manager: tf.train.CheckpointManager, state: dict[str, tf.Variable], every: int, last: int):
        super().__init__()
        self.manager, self.state, self.every, self.last = manager, state, every, last
        self.started, self.before = time.perf_counter(), float(state["seconds"].numpy())

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        done = epoch + 1
        if done % self.every == 0 or done == self.last:
            self.state["epoch"].assign(done)
            self.state["seconds"].assign(self.before + time.perf_counter() - self.started)
            self.manager.save(checkpoint_number=done)
            log.info("resumable_diet.saved epoch=%d dir=%s", done, self.manager.directory)


def checkpointed(resume_dir: Path) -> tuple[int, float]:
    """Return (epochs done, training seconds) of the latest checkpoint; (0, 0.0) if none."""
    latest = tf.train.latest_checkpoint(str(resume_dir)) if resume_dir.exists() else None
    if not latest:
        return 0, 0.0
    reader = tf.train.load_checkpoint(latest)
    epoch = int(reader.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE"))
    return epoch, float(reader.get_tensor("seconds/.ATTRIBUTES/VARIABLE_VALUE"))


def resumable_fit(model: RasaModel, resume_dir: Path, every: int) -> None:
    """Wrap `model.fit` so that it restores the latest checkpoint and keeps saving new ones."""
    original_fit = model.fit

    def fit(data_generator: Any, epochs: int, callbacks: list[Any] | None = None, **kwargs: Any) -> Any:
        state = {
            "epoch": tf.Variable(0, dtype=tf.int64, trainable=False),
            "seconds": tf.Variable(0.0, dtype=tf.float64, trainable=False),
        }
        checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer, **state)
        manager = tf.train.CheckpointManager(checkpoint, str(resume_dir), max_to_keep=1)
        start = 0
        if manager.latest_checkpoint:
            # Deferred restoration: weights and Adam slots take the saved values as they are built.
            checkpoint.restore(manager.latest_checkpoint)
            start = int(state["epoch"].numpy())
            data_generator._current_epoch = start - 1  # this epoch's batch size, next on_epoch_end
            data_generator.on_epoch_end()
            log.info("resumable_diet.resumed epoch=%d of %d dir=%s", start, epochs, resume_dir)
            print(f"diet: resuming training at epoch {start} of {epochs} from {resume_dir}", flush=True)
        if start >= epochs:
            # Every epoch ran; one step with a zero learning rate builds the variables so
            # that the deferred restore fills them, then the model is persisted as trained.
            model.optimizer.learning_rate.assign(0.0)
            kwargs.pop("validation_data", None)
            return original_fit(data_generator, epochs=1, steps_per_epoch=1, callbacks=callbacks, **kwargs)
        saver = _SaveEvery(manager, state, every, epochs)
        return original_fit(
            data_generator, epochs=epochs, initial_epoch=start, callbacks=[*(callbacks or []), saver], **kwargs
        )

    model.fit = fit  # type: ignore[method-assign]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class ResumableDIETClassifier(DIETClassifier):
    """DIETClassifier whose training resumes from `resume_dir` after a kill (see module doc)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """DIET's defaults plus where and how often to checkpoint (None: never)."""
        return {**DIETClassifier.get_default_config(), RESUME_DIR: None, CHECKPOINT_EVERY: 5}

    def _instantiate_model_class(self, model_data: RasaModelData) -> RasaModel:
        model = super()._instantiate_model_class(model_data)
        resume_dir = self.component_config.get(RESUME_DIR)
        if resume_dir and not self.finetune_mode:
            resumable_fit(model, Path(resume_dir), max(1, int(self.component_config[CHECKPOINT_EVERY])))
        return model
