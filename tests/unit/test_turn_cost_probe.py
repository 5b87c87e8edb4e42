"""The turn-cost bench's instruments: the SQL probe counts every statement, CPU readings add
up, py-spy's stacks summarise without idle waits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.stack_probe import PROBE, PROBE_ENV, cpu_ns, group_pids, spent_ms
from bench.turn_cost import top_frames

SCRIPT = """
from sqlalchemy import create_engine, text
engine = create_engine("sqlite://")
with engine.connect() as c:
    for i in range(5):
        c.execute(text("select :i"), {"i": i})
"""


def test_the_probe_counts_each_statement_of_a_process(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}:{os.getcwd()}", PROBE_ENV: str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    counts = list(tmp_path.glob("sql-*.count"))
    assert len(counts) == 1, done.stderr
    assert counts[0].stat().st_size == 5


def test_without_its_folder_the_probe_does_nothing(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != PROBE_ENV}
    subprocess.run([sys.executable, "-c", SCRIPT], env={**env, "PYTHONPATH": str(tmp_path)}, check=True)
    assert not list(tmp_path.glob("sql-*.count"))


def test_cpu_readings_grow_with_work_and_count_new_threads_from_zero() -> None:
    pids = group_pids(os.getpgid(0))
    assert os.getpid() in pids
    before = cpu_ns([os.getpid()])
    sum(i * i for i in range(2_000_000))
    after = cpu_ns([os.getpid()])
    assert spent_ms(before, after) > 1.0
    assert spent_ms({}, {(1, 2): 3_000_000}) == 3.0


def test_profile_summary_leaves_out_idle_waits_and_the_shared_entry_chain(tmp_path: Path) -> None:
    raw = tmp_path / "api.txt"
    raw.write_text(
        "main (app.py:1);serve (sanic/server/runners.py:9) 50\n"
        "main (app.py:1);handle (api/turns.py:10);execute (sqlalchemy/engine.py:3) 30\n"
        "main (app.py:2);handle (api/turns.py:12);encode (retrieval/enc.py:4) 10\n"
    )
    summary = top_frames(raw)
    assert summary["busy_samples"] == 40 and summary["idle_samples"] == 50
    frames = dict((f, s) for f, s in summary["inclusive"])
    assert "main (app.py)" not in frames  # in every busy sample
    assert frames["execute (sqlalchemy/engine.py)"] == 0.75
    assert summary["self"][0] == ["execute (sqlalchemy/engine.py)", 0.75]
