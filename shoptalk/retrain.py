"""`shoptalk retrain`: merge staff corrections into bot/data and retrain, with before/after cross-validation.

1. Export the corrections stored by the staff console (all, or since a date).
2. Cross-validate the NLU on bot/data as it is (before).
3. Merge the corrections into bot/data/nlu/corrections.yml (a newer correction of the same
   text replaces the older one) and rebuild bot/data (generated examples with a corrected
   text are left out: the correction wins).
4. Cross-validate again (after), print both, write var/retrain/report.json.
5. Train the Rasa model on the merged data (unless --no-train).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shoptalk.db_cmd import cli_session
from shoptalk.paths import BOT, RASA_BIN, ROOT

if TYPE_CHECKING:
    from api.config import Settings

CORRECTIONS = BOT / "data" / "nlu" / "corrections.yml"


def export_corrections(settings: Settings, since: datetime | None, out: Path | None) -> int:
    """Write the stored corrections as Rasa NLU YAML (to stdout when out is None); return how many."""
    from api.review.rasa_export import to_rasa_nlu_yaml
    from api.review.service import corrections_since

    with cli_session(settings) as session:
        rows = corrections_since(session, since)
        if out is None:
            sys.stdout.write(to_rasa_nlu_yaml(rows))
            return len(rows)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(to_rasa_nlu_yaml(rows))
    return len(rows)


def merge_corrections(new_file: Path, target: Path = CORRECTIONS) -> int:
    """Merge exported corrections into the committed corrections file; return its example count."""
    from api.review.rasa_export import LabelledText, to_rasa_nlu_yaml
    from nlu_models.data import read_nlu

    def key(text: str) -> str:
        return " ".join(text.lower().split())

    merged: dict[str, LabelledText] = {}
    for path in (target, new_file):  # later files win
        if path.exists():
            for e in read_nlu(path):
                spans = [{"entity": s.entity, "start": s.start, "end": s.end, "value": s.value} for s in e.spans]
                merged[key(e.text)] = LabelledText(e.text, e.intent, spans)
    target.write_text(to_rasa_nlu_yaml(list(merged.values())))
    return len(merged)


def cross_validate(name: str, folds: int, epochs: int | None, work: Path) -> dict[str, Any]:
    """Run nlu_models.crossval in the Rasa env on bot/data/nlu; return its report."""
    out = work / f"crossval-{name}.json"
    cmd = [str(RASA_BIN / "python"), "-m", "nlu_models.crossval", "--data", str(BOT / "data" / "nlu")]
    cmd += ["--folds", str(folds), "--out", str(out), "--taxonomy", str(BOT / "taxonomy.yml")]
    cmd += ["--config", str(BOT / "config.yml")]
    if epochs:
        cmd += ["--epochs", str(epochs)]
    print(f"retrain: cross-validating ({name}), {folds} folds...", flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.read_text())


def retrain(
    settings: Settings, *, since: datetime | None, folds: int, epochs: int | None, train_model: bool
) -> dict[str, Any]:
    """Run the whole loop (module docstring) and return the report."""
    from shoptalk.train import build_nlu_data, train

    work = settings.var_dir / "retrain"
    exported = work / "corrections.exported.yml"
    count = export_corrections(settings, since, exported)
    if not count:
        print("retrain: no corrections to merge; nothing to do")
        return {"corrections": 0}
    build_nlu_data()
    before = cross_validate("before", folds, epochs, work)
    total = merge_corrections(exported)
    build_nlu_data()
    after = cross_validate("after", folds, epochs, work)
    report = {"corrections_exported": count, "corrections_in_bot_data": total, "before": before, "after": after}
    (work / "report.json").write_text(json.dumps(report, indent=2))
    print("\n| cross-validation | before | after |\n|---|---|---|")
    for metric in ("accuracy", "macro_f1", "entity_f1", "examples"):
        print(f"| {metric} | {before[metric]:.4g} | {after[metric]:.4g} |")
    print(f"\nretrain: merged {count} corrections into {CORRECTIONS.relative_to(ROOT)} (commit it after review)")
    if train_model:
        report["model"] = str(train(settings.var_dir / "rasa-models"))
    return report
