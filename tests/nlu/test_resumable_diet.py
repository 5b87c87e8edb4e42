"""The bench's DIET baseline resumes a killed training where its last checkpoint left it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import tensorflow as tf

import bench.resumable_diet as resumable
from bench.nlu_bench import diet_config

HERE = Path(__file__).resolve().parent
EPOCHS = 6


class Killed(RuntimeError):
    """Stands in for the process being killed right after a checkpoint."""


def losses(progress: str) -> list[float]:
    """Return the training loss of each epoch, read from DIET's progress bar."""
    seen: dict[int, float] = {}
    for epoch, loss in re.findall(r"(\d+)/6 \[[^]]*, t_loss=([\d.]+)", progress):
        seen[int(epoch)] = float(loss)
    assert seen, progress[-2000:]
    return [seen[e] for e in sorted(seen)]


def optimizer_steps(resume_dir: Path) -> tuple[int, int]:
    """Return (epoch, Adam iterations) stored in the latest checkpoint."""
    reader = tf.train.load_checkpoint(str(resume_dir))
    names = dict(reader.get_variable_to_shape_map())
    iterations = [n for n in names if n.startswith("optimizer/") and "iter" in n]
    assert iterations, sorted(names)[:20]
    return int(reader.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE")), int(reader.get_tensor(iterations[0]))


def test_a_killed_diet_training_resumes_from_its_checkpoint(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    config = tmp_path / "config.yml"
    resume_dir = tmp_path / "resume"
    eager = "    checkpoint_every: 2\n    run_eagerly: true\n"  # no graph tracing: seconds, not minutes
    config.write_text(diet_config(EPOCHS, resume_dir, checkpoint_every=2).replace("    checkpoint_every: 2\n", eager))
    nlu = str(HERE / "tiny_nlu.yml")
    real_save = resumable._SaveEvery.on_epoch_end

    def save_then_die(self, epoch, logs=None):  # type: ignore[no-untyped-def]
        real_save(self, epoch, logs)
        if epoch + 1 == 4:
            raise Killed("killed after epoch 4")

    monkeypatch.setattr(resumable._SaveEvery, "on_epoch_end", save_then_die)
    with pytest.raises(Exception) as failed:  # Rasa wraps it in a GraphComponentException
        train_nlu(str(config), nlu, str(tmp_path / "models"))
    causes = [failed.value]
    while causes[-1].__cause__ is not None or causes[-1].__context__ is not None:
        causes.append(causes[-1].__cause__ or causes[-1].__context__)  # type: ignore[arg-type]
    assert any(isinstance(c, Killed) for c in causes), causes
    epoch, steps_after_4 = optimizer_steps(resume_dir)
    assert epoch == 4 and steps_after_4 > 0
    first_losses = losses(capsys.readouterr().err)

    monkeypatch.setattr(resumable._SaveEvery, "on_epoch_end", real_save)
    model = train_nlu(str(config), nlu, str(tmp_path / "models"))
    out = capsys.readouterr()
    assert "resuming training at epoch 4 of 6" in out.out
    # The weights came back: the resumed epochs start near epoch 4's loss, not the first's.
    resumed_losses = losses(out.err)
    halfway = first_losses[0] - 0.5 * (first_losses[0] - first_losses[-1])
    assert resumed_losses[0] < halfway, (first_losses, resumed_losses)
    epoch, steps_after_6 = optimizer_steps(resume_dir)
    assert epoch == EPOCHS
    # The optimizer's state came back: its step count went on from epoch 4's, not from 0.
    assert steps_after_6 > steps_after_4

    agent = Agent.load(model)
    parsed = asyncio.new_event_loop().run_until_complete(agent.parse_message("hello there"))
    assert parsed["intent"]["name"] in {"greet", "search_product", "add_to_cart"}
