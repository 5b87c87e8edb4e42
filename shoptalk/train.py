"""Train the Rasa model only when its inputs changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shoptalk.data_checks import check_nlu_data
from shoptalk.paths import BOT, RASA_BIN, ROOT, tree_hash


def build_nlu_data(bitext: Path | None = None) -> None:
    """Regenerate bot/data/nlu from templates, the catalog and the Bitext CSV."""
    cmd = [sys.executable, str(BOT / "scripts" / "build_nlu_data.py")]
    if bitext:
        cmd += ["--bitext", str(bitext)]
    subprocess.run(cmd, check=True, cwd=ROOT)


def model_inputs_hash() -> str:
    """Return the hash of everything the trained model depends on."""
    inputs = [
        BOT / "config.yml",
        BOT / "domain.yml",
        BOT / "data",
        BOT / "taxonomy.yml",
        BOT / "ood_validation.txt",
        ROOT / "nlu_models",
        ROOT / "requirements" / "rasa.lock",
    ]
    return tree_hash(p for p in inputs if p.exists())


def model_path(models_dir: Path) -> Path:
    """Return the path the model for the current inputs has (or will have)."""
    return models_dir / f"shoptalk-{model_inputs_hash()}.tar.gz"


def train(models_dir: Path, *, force: bool = False, bitext: Path | None = None) -> Path:
    """Build NLU data and train the model, unless one for these inputs already exists."""
    build_nlu_data(bitext)
    problems = check_nlu_data(BOT / "data" / "nlu")
    if problems:
        raise SystemExit("train: the NLU data cannot be trained on:\n  " + "\n  ".join(map(str, problems)))
    target = model_path(models_dir)
    if target.exists() and not force:
        print(f"train: model up to date ({target.name})")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    print(f"train: training {target.name} (this takes a few minutes)...", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(
        [
            str(RASA_BIN / "rasa"),
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(models_dir),
            "--fixed-model-name",
            target.name[: -len(".tar.gz")],
        ],
        check=True,
        cwd=BOT,
        env=env,
    )
    for old in models_dir.glob("shoptalk-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def test_dialogue(models_dir: Path, out: Path) -> None:
    """`rasa test core` on bot/tests/test_stories.yml with the trained model; fails on any wrong action."""
    model = train(models_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(
        [
            str(RASA_BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/test_stories.yml",
            "--out",
            str(out),
            "--fail-on-prediction-errors",
        ],
        check=True,
        cwd=BOT,
        env=env,
    )
    print(f"test-dialogue: every story's actions were predicted as written (report under {out})")
