"""The stack a bench measures from outside: started from any checkout, read through /proc.

`RunningStack.start` runs a checkout's own `shoptalk.stack.Stack` on the demo catalog (so an
older commit's worktree starts its own code), with a `sitecustomize` probe that counts every
SQL statement each process runs. `cpu()` reads each thread's CPU nanoseconds, `sql()` the
statement counts, per process group (each service runs in its own session).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT
from shoptalk.paths import API_PYTHON

PROCESSES = ("rasa", "api", "actions")
TOKEN = "bench-turn-cost-token"
PROBE_ENV = "SHOPTALK_SQL_PROBE_DIR"
READY = "shoptalk-stack-ready"  # SERVE prints it, then the stack as JSON
# Installed as sitecustomize.py on the stack's PYTHONPATH: every statement any SQLAlchemy
# engine of the process runs appends one byte to sql-<pid>.count (O_APPEND: one syscall).
PROBE = f'''
import os

def _install_sql_probe():
    folder = os.environ.get("{PROBE_ENV}")
    if not folder:
        return
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:
        return
    path = os.path.join(folder, "sql-%d.count" % os.getpid())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def count(*_args, **_kwargs):
        os.write(fd, b".")

    event.listen(Engine, "before_cursor_execute", count)

_install_sql_probe()
'''
# Run with the checkout's own Python and modules, so a baseline checkout starts its own stack.
SERVE = """
import json, shutil, sys, tempfile
from pathlib import Path
from shoptalk.paths import DEFAULT_VAR
from shoptalk.stack import Stack
from shoptalk.throwaway import throwaway_config
from shoptalk.train import train

model = train(DEFAULT_VAR / "rasa-models")
tmp = tempfile.mkdtemp(prefix="shoptalk-turn-cost-")
config = throwaway_config(Path(tmp), model, sys.argv[1], extra_env=json.loads(sys.argv[2]))
stack = Stack(config)
stack.start(timeout_s=300)
ready = {"api": config.api_url, "pids": {s.name: s.process.pid for s in stack.services}}
print(sys.argv[3], json.dumps(ready), flush=True)
try:
    sys.stdin.read()
finally:
    stack.stop()
    shutil.rmtree(tmp, ignore_errors=True)
"""


def group_pids(pgid: int) -> list[int]:
    """Every process in the process group (each service runs in its own session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # after the comm: state, ppid, pgrp
                pids.append(int(entry.name))
    return pids


def cpu_ns(pids: list[int]) -> dict[tuple[int, int], int]:
    """Nanoseconds on CPU of every thread of these processes, keyed by (pid, tid)."""
    out: dict[tuple[int, int], int] = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                out[pid, int(tid)] = int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])
            except OSError:
                continue  # the thread ended between the listing and the read
    return out


def spent_ms(before: dict[tuple[int, int], int], after: dict[tuple[int, int], int]) -> float:
    """CPU ms spent between two readings; a thread born in between counts from zero."""
    return sum(ns - before.get(key, 0) for key, ns in after.items()) / 1e6


@dataclass
class RunningStack:
    """One stack started from a checkout, with how to read what its processes spend."""

    name: str
    checkout: Path
    probe: Path
    process: subprocess.Popen[str]
    api: str
    groups: dict[str, int]
    pids: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def start(cls, name: str, checkout: Path, workdir: Path) -> RunningStack:
        probe = workdir / name
        probe.mkdir(parents=True)
        (probe / "sitecustomize.py").write_text(PROBE)
        env = {
            "PYTHONPATH": f"{probe}:{checkout}",
            PROBE_ENV: str(probe),
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_CHAT_PER_SHOPPER": "0",
            "RATE_LIMIT_CHAT_PER_IP": "0",
        }
        python = checkout / API_PYTHON.relative_to(ROOT)
        process = subprocess.Popen(
            [str(python), "-c", SERVE, TOKEN, json.dumps(env), READY],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:  # the checkout's own output (training, ingest) until it is up
            if line.startswith(READY):
                ready = json.loads(line.removeprefix(READY))
                break
            print(f"[{name}] {line}", end="", flush=True)
        else:
            raise SystemExit(f"the {name} stack ({checkout}) did not start: see its var/logs")
        stack = cls(name, checkout, probe, process, ready["api"], ready["pids"])
        stack.pids = {p: group_pids(stack.groups[p]) for p in PROCESSES}
        return stack

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=120)

    def cpu(self) -> dict[str, dict[tuple[int, int], int]]:
        return {p: cpu_ns(self.pids[p]) for p in PROCESSES}

    def sql(self) -> dict[str, int]:
        """Statements run so far by each process group."""
        counts = {p: 0 for p in PROCESSES}
        for p in PROCESSES:
            for pid in self.pids[p]:
                path = self.probe / f"sql-{pid}.count"
                counts[p] += path.stat().st_size if path.exists() else 0
        return counts


def prepare_baseline(checkout: Path) -> None:
    """Let a worktree of an older commit share this checkout's environments and encoder
    files, and offer it this checkout's trained models (hard links in its own folder: its
    `train` keeps only its own model, so it must never see this checkout's folder itself).
    Put the worktree beside this checkout, so that ../shared/data is the same data."""
    if not (checkout.parent / "shared").exists():
        raise SystemExit(f"{checkout} is not beside ../shared: create the worktree next to this checkout")
    for rel in (".venvs", "var/models"):
        target = checkout / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(ROOT / rel, target_is_directory=True)
    models = checkout / "var" / "rasa-models"
    if models.is_symlink():
        raise SystemExit(f"{models} is a link: make it a folder of its own")
    models.mkdir(parents=True, exist_ok=True)
    for model in (ROOT / "var" / "rasa-models").glob("shoptalk-*.tar.gz"):
        if not (models / model.name).exists():
            os.link(model, models / model.name)
