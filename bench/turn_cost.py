"""Turn cost: what one shopper's turn costs each process of the real stack.

One shopper sends the load bench's six-message script, one turn at a time, each rep as a new
shopper. Around every turn the bench reads, for each process group of the stack (action
server, Rasa, API):
- CPU time, in nanoseconds, from `/proc/<pid>/task/<tid>/schedstat` of every thread;
- SQL statements, counted exactly by a SQLAlchemy `before_cursor_execute` listener that a
  `sitecustomize` module installs in every process of the stack (Rasa's tracker store too).

It reports per message the median CPU ms per process and their sum, the wall p50/p95, and
the SQL statements per turn, plus what each process burns idle, and a sampled profile
(py-spy, `--profile-s`) of each process during more turns.

`--baseline DIR` starts a second stack from another checkout (a `git worktree` of an older
commit, sharing this one's environments and models) on other ports and alternates turns
between the two, so that each figure is also a ratio to the baseline measured in the same
minutes: on this VM the absolute figures move by 2x with the neighbours.
`--this DIR` measures another checkout than this one (one step of a series against the step
before). Run: make bench-turn-cost (TURN_COST_ARGS="--baseline ../shoptalk-base"); writes
bench/results/turn_cost.json and turn_cost.png.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from tqdm import tqdm

from bench.common import ROOT, machine, table, write_results
from bench.load_bench import SCRIPT
from bench.stack_probe import PROCESSES, RunningStack, prepare_baseline, spent_ms
from shoptalk.paths import API_PYTHON

_LINE = re.compile(r":\d+\)$")  # py-spy names a frame "f (file:line)"; count per function
IDLE_LEAVES = {  # where a sampled thread waits: Sanic's and uvicorn's event loops, idle worker threads
    "serve (sanic/server/runners.py)",
    "Runner.run (asyncio/runners.py)",
    "Condition.wait (threading.py)",
    "select (selectors.py)",
    "_worker (concurrent/futures/thread.py)",
}


@dataclass
class Samples:
    """Per message: wall ms, CPU ms per process and SQL statements per process, one per turn."""

    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    sql: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    degraded: int = 0


def one_turn(client: httpx.Client, stack: RunningStack, sender: str, text: str, token: str, out: Samples) -> str:
    """Send one message, record what it cost; return the session token."""
    cpu0, sql0 = stack.cpu(), stack.sql()
    started = time.perf_counter()
    r = client.post(
        f"{stack.api}/v1/chat",
        json={"sender": sender, "message": text, "client_message_id": uuid.uuid4().hex},  # as the widget sends
        headers={"x-session-token": token},
    )
    wall = (time.perf_counter() - started) * 1000
    cpu1, sql1 = stack.cpu(), stack.sql()
    r.raise_for_status()
    body = r.json()
    if body["messages"][0].get("status") in ("dialogue_unavailable", "interrupted"):
        out.degraded += 1
    out.wall.setdefault(text, []).append(wall)
    for p in PROCESSES:
        out.cpu.setdefault(text, {}).setdefault(p, []).append(spent_ms(cpu0[p], cpu1[p]))
        out.sql.setdefault(text, {}).setdefault(p, []).append(sql1[p] - sql0[p])
    return str(body["session_token"])


def measure(stacks: list[RunningStack], reps: int, warmup: int) -> dict[str, Samples]:
    """Alternate turns between the stacks (the order flips each rep); each rep is a new shopper."""
    samples = {s.name: Samples() for s in stacks}
    with httpx.Client(timeout=60) as client:
        for rep in tqdm(range(warmup + reps), desc="reps", unit="script"):
            order = stacks if rep % 2 == 0 else stacks[::-1]
            tokens = {s.name: "" for s in stacks}
            for text in SCRIPT:
                for stack in order:
                    into = samples[stack.name] if rep >= warmup else Samples()
                    tokens[stack.name] = one_turn(client, stack, f"cost-{rep}", text, tokens[stack.name], into)
    return samples


def idle_ms_per_s(stack: RunningStack, seconds: float = 5.0) -> dict[str, float]:
    """CPU ms per second each process spends with no shopper talking (background loops)."""
    before = stack.cpu()
    time.sleep(seconds)
    after = stack.cpu()
    return {p: spent_ms(before[p], after[p]) / seconds for p in PROCESSES}


def summarise(s: Samples) -> dict[str, Any]:
    """Per message and overall: medians of CPU and SQL, wall p50/p95."""
    per: dict[str, Any] = {}
    for text in SCRIPT:
        cpu = {p: float(statistics.median(s.cpu[text][p])) for p in PROCESSES}
        per[text] = {
            "wall_p50_ms": float(np.percentile(s.wall[text], 50)),
            "wall_p95_ms": float(np.percentile(s.wall[text], 95)),
            "cpu_ms": cpu,
            "cpu_ms_total": sum(cpu.values()),
            "sql": {p: int(statistics.median(s.sql[text][p])) for p in PROCESSES},
        }
    mean = {p: float(np.mean([per[t]["cpu_ms"][p] for t in SCRIPT])) for p in PROCESSES}
    walls = [w for t in SCRIPT for w in s.wall[t]]
    return {
        "messages": per,
        "mean": {
            "cpu_ms": mean,
            "cpu_ms_total": sum(mean.values()),
            "sql": {p: float(np.mean([per[t]["sql"][p] for t in SCRIPT])) for p in PROCESSES},
            "wall_p50_ms": float(np.percentile(walls, 50)),
            "wall_p95_ms": float(np.percentile(walls, 95)),
        },
        "turns": len(walls),
        "degraded": s.degraded,
    }


def profile(stack: RunningStack, seconds: int, folder: Path) -> dict[str, Any]:
    """Sample each process with py-spy while the script keeps running; return the top frames."""
    spy = API_PYTHON.parent / "py-spy"
    runs = {
        p: subprocess.Popen(
            [
                str(spy),
                "record",
                "-p",
                str(stack.groups[p]),
                "-d",
                str(seconds),
                "-r",
                "200",
                "-f",
                "raw",
                "-o",
                str(folder / f"{p}.txt"),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in PROCESSES
    }
    until = time.monotonic() + seconds
    with httpx.Client(timeout=60) as client:
        rep = 0
        while time.monotonic() < until:
            token = ""
            for text in SCRIPT:
                token = one_turn(client, stack, f"profile-{rep}", text, token, Samples())
            rep += 1
    for run in runs.values():
        run.wait(timeout=seconds + 60)
    return {p: top_frames(folder / f"{p}.txt") for p in PROCESSES}


def top_frames(path: Path, n: int = 15) -> dict[str, Any]:
    """From py-spy's collapsed stacks: the functions in the most busy samples (inclusive) and
    at the top of the most (self), as shares of the busy samples. A sample whose top frame is
    an event loop or a worker waiting for work (IDLE_LEAVES) is idle, whatever py-spy thought;
    the entry chain every busy sample shares (in 90% or more of them) is left out."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    busy = idle = 0
    if not path.exists():
        return {"error": "py-spy wrote nothing (ptrace not permitted?)"}
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_LINE.sub(")", f) for f in stack.split(";")]  # a function, not each of its lines
        if frames[-1] in IDLE_LEAVES:
            idle += int(count)
            continue
        busy += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    share = lambda c: round(c / busy, 4) if busy else 0.0  # noqa: E731
    shown = [(f, c) for f, c in inclusive.most_common() if c < 0.9 * busy][:n]
    return {
        "busy_samples": busy,
        "idle_samples": idle,
        "inclusive": [[f, share(c)] for f, c in shown],
        "self": [[f, share(c)] for f, c in own.most_common(n)],
    }


def ratios(ours: dict[str, Any], base: dict[str, Any]) -> dict[str, float]:
    """This checkout's figures as ratios to the baseline's, from the same run."""

    def r(a: float, b: float) -> float:
        return a / b if b else float("nan")

    out = {
        "cpu_ms_total": r(ours["mean"]["cpu_ms_total"], base["mean"]["cpu_ms_total"]),
        "wall_p50_ms": r(ours["mean"]["wall_p50_ms"], base["mean"]["wall_p50_ms"]),
        "wall_p95_ms": r(ours["mean"]["wall_p95_ms"], base["mean"]["wall_p95_ms"]),
    }
    for p in PROCESSES:
        out[f"cpu_ms_{p}"] = r(ours["mean"]["cpu_ms"][p], base["mean"]["cpu_ms"][p])
        out[f"sql_{p}"] = r(ours["mean"]["sql"][p], base["mean"]["sql"][p])
    return out


def print_report(results: dict[str, Any]) -> None:
    header = [
        "stack",
        "message",
        "wall p50",
        "wall p95",
        *(f"{p} CPU ms" for p in PROCESSES),
        "CPU ms",
        "API SQL",
        "Rasa SQL",
    ]
    rows = []
    for name, s in results["stacks"].items():
        for text, m in [*s["messages"].items(), ("mean", s["mean"])]:
            rows.append(
                [
                    name,
                    text,
                    m["wall_p50_ms"],
                    m["wall_p95_ms"],
                    *(m["cpu_ms"][p] for p in PROCESSES),
                    m["cpu_ms_total"],
                    m["sql"]["api"],
                    m["sql"]["rasa"],
                ]
            )
    print(table(rows, header))
    for name, idle in results["idle_cpu_ms_per_s"].items():
        print(f"{name} idle: " + ", ".join(f"{p} {v:.1f} ms/s" for p, v in idle.items()))
    if "ratio_to_baseline" in results:
        print(table([[k, v] for k, v in results["ratio_to_baseline"].items()], ["figure", "this / baseline"]))
    for p, prof in results.get("profile", {}).items():
        print(f"\n{p}: top functions by inclusive share of {prof.get('busy_samples', 0)} busy samples")
        for frame, share in prof.get("inclusive", [])[:10]:
            print(f"  {share:6.1%}  {frame}")


def plot(results: dict[str, Any], out: Path) -> None:
    """CPU ms per turn per process, per message, for each stack side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stacks = list(results["stacks"])
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(stacks)
    colours = {"rasa": "#8250df", "api": "#1f6feb", "actions": "#2da44e"}
    for i, name in enumerate(stacks):
        msgs = results["stacks"][name]["messages"]
        x = np.arange(len(SCRIPT)) + i * width
        bottom = np.zeros(len(SCRIPT))
        for p in PROCESSES:
            values = np.array([msgs[t]["cpu_ms"][p] for t in SCRIPT])
            ax.bar(
                x,
                values,
                width,
                bottom=bottom,
                color=colours[p],
                label=p if i == 0 else None,
                hatch="//" if name == "baseline" else None,
                edgecolor="white",
            )
            bottom += values
    ax.set_xticks(np.arange(len(SCRIPT)) + 0.4 - width / 2, [t[:28] for t in SCRIPT], fontsize=8)
    ax.set_ylabel("CPU ms per turn (median)")
    ax.set_title(" vs ".join(stacks) + " (hatched: baseline)" if len(stacks) > 1 else "CPU per turn")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=20, help="scripts per stack measured (each a new shopper)")
    parser.add_argument("--warmup", type=int, default=2, help="scripts per stack sent first and not measured")
    parser.add_argument("--baseline", type=Path, help="another checkout (a git worktree of an older commit)")
    parser.add_argument("--this", type=Path, default=ROOT, help="the checkout measured (default: this one)")
    parser.add_argument("--name", default="turn_cost", help="results file: bench/results/NAME.json and .png")
    parser.add_argument("--profile-s", type=int, default=30, help="seconds of py-spy sampling (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-turn-cost-") as tmp:
        work = Path(tmp)
        this = args.this.resolve()
        if this != ROOT:
            prepare_baseline(this)  # another worktree, sharing environments and models likewise
        stacks = [RunningStack.start("this", this, work)]
        try:
            if args.baseline:
                prepare_baseline(args.baseline.resolve())
                stacks.append(RunningStack.start("baseline", args.baseline.resolve(), work))
            samples = measure(stacks, args.reps, args.warmup)
            results: dict[str, Any] = {
                "machine": machine(),
                "script": SCRIPT,
                "reps": args.reps,
                "commit": _commit(this),
                "stacks": {name: summarise(s) for name, s in samples.items()},
                "idle_cpu_ms_per_s": {s.name: idle_ms_per_s(s) for s in stacks},
            }
            if args.baseline:
                results["baseline_commit"] = _commit(args.baseline)
                results["ratio_to_baseline"] = ratios(results["stacks"]["this"], results["stacks"]["baseline"])
            if args.profile_s:
                folder = ROOT / "var" / "profiles"  # the raw collapsed stacks; the JSON keeps the summary
                folder.mkdir(parents=True, exist_ok=True)
                results["profile"] = profile(stacks[0], args.profile_s, folder)
        finally:
            for s in stacks:
                s.stop()
    path = write_results(args.name, results)
    plot(results, path.with_suffix(".png"))
    print_report(results)
    print(f"wrote {path}")


def _commit(checkout: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()


if __name__ == "__main__":
    main()
