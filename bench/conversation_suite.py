"""Conversation suite: tests/conversations/*.yml against the real stack (`make bench-conversations`).

Each dialogue is played by a new shopper over the REST channel (with its session token, as
the widget does). After each turn the runner reads back what a shopper would see and what
happened: the cards (checked against the demo catalog), the shopper's cart events and orders
(the admin export and the shop's orders API), and whether the conversation was handed off.
The expectations are what any good reply must satisfy (format: tests/conversations/README.md).

Prints the pass rate per check kind and every failing turn; writes
bench/results/conversations.json. Without --api it starts a throwaway stack on the demo
catalog (as the load bench does); with --api it plays against a running one (`make demo`).
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from tqdm import tqdm

from api.config import DEV_ADMIN_TOKEN
from bench.common import RESULTS, ROOT, machine, table, write_results
from bench.conversation_checks import KIND, History, Observed, check, load_catalog

SUITE = ROOT / "tests" / "conversations"
CATALOG = ROOT / "demo" / "catalog.jsonl"
TOKEN = "bench-conversations-token"


def load_dialogues(folder: Path = SUITE) -> list[dict[str, Any]]:
    """Every dialogue of every suite file, each tagged with its file."""
    dialogues = []
    for path in sorted(folder.glob("*.yml")):
        for dialogue in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("dialogues", []):
            dialogues.append({**dialogue, "file": path.name})
    return dialogues


@dataclass
class Failure:
    dialogue: str
    turn: int
    say: str
    key: str
    why: str


@dataclass
class Tally:
    checks: Counter[str] = field(default_factory=Counter)
    passed: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)


class Shop:
    """The stack as the suite reaches it: the shopper's REST channel, the shop's API key, admin."""

    def __init__(self, api_url: str, admin_token: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=60)
        self.admin = {"authorization": f"Bearer {admin_token}"}
        created = self.http.post("/v1/admin/api-keys", json={"name": "bench-conversations"}, headers=self.admin)
        created.raise_for_status()
        self.shop = {"authorization": f"Bearer {created.json()['key']}"}

    def set_up(self, sender: str, setup: dict[str, Any]) -> tuple[str | None, str]:
        """Verify the shopper and record their orders; return their customer id (if verified) and
        the session token the shop's backend got for its page."""
        customer = f"cust-{sender}" if setup.get("verified") else None
        token = ""
        if customer:
            linked = self.http.post(
                "/v1/shoppers/identify", json={"session_id": sender, "customer_id": customer}, headers=self.shop
            )
            linked.raise_for_status()
            token = linked.json().get("session_token") or ""
        events = [
            {
                "event_id": f"{sender}-order-{i}",
                "type": "purchase",
                **({"customer_id": customer} if customer else {"session_id": sender}),
                "product_id": order.get("product_id"),
                "extra": {"order_id": str(order["order_id"]), "status": order.get("status", "placed")},
            }
            for i, order in enumerate(setup.get("orders") or [])
        ]
        if events:
            self.http.post("/v1/events", json=events, headers=self.shop).raise_for_status()
        return customer, token

    def orders(self, sender: str, customer: str | None) -> dict[str, str]:
        params = {"customer_id": customer} if customer else {"session_id": sender}
        found = self.http.get("/v1/orders", params=params, headers=self.shop)
        return {o["order_id"]: o["status"] for o in found.json()} if found.status_code == 200 else {}

    def cart(self, sender: str) -> list[str]:
        """The products the shopper added to the cart so far, in order."""
        export = self.http.get(f"/v1/admin/shoppers/{sender}/export", headers=self.admin)
        if export.status_code != 200:
            return []
        events = export.json().get("behaviour_events", [])
        return [e["product_id"] for e in events if e.get("type") == "add_to_cart" and e.get("product_id")]

    def handed_off(self, conversation_id: str) -> bool:
        detail = self.http.get(f"/v1/staff/conversations/{conversation_id}", headers=self.admin)
        return detail.status_code == 200 and detail.json()["status"] in ("waiting_for_agent", "agent")


def play(shop: Shop, dialogue: dict[str, Any], catalog: dict[str, dict[str, Any]], tally: Tally) -> None:
    """Play one dialogue as a new shopper and check every expectation of every turn."""
    sender = f"conv-{dialogue['id']}-{uuid.uuid4().hex[:6]}"
    customer, token = shop.set_up(sender, dialogue.get("setup") or {})
    history, cart_before = History(), []
    for number, turn in enumerate(dialogue["turns"], start=1):
        answer = shop.http.post(
            "/v1/chat", json={"sender": sender, "message": turn["say"]}, headers={"x-session-token": token}
        )
        if answer.status_code != 200:
            _unplayed(dialogue, number, f"HTTP {answer.status_code}", tally)
            return
        body = answer.json()
        token = body["session_token"]
        replies = body["messages"][1:]
        expect = turn.get("expect") or {}
        cart = shop.cart(sender) if "cart_add" in expect or "about_card" in expect else cart_before
        seen = Observed(
            text=" ".join(m.get("text") or "" for m in replies),
            cards=[p["product_id"] for m in replies for p in m.get("products") or []],
            cart_added=cart[len(cart_before) :],
            orders=shop.orders(sender, customer) if "order_status" in expect else {},
            handed_off=shop.handed_off(body["conversation_id"]) if "handoff" in expect else False,
        )
        cart_before = cart
        for key, want in expect.items():
            kind = KIND[key]
            why = check(key, want, seen, history, catalog)
            tally.checks[kind] += 1
            if why is None:
                tally.passed[kind] += 1
            else:
                tally.failures.append(Failure(dialogue["id"], number, turn["say"], key, why))
        history.shown.update(seen.cards)
        history.saw(seen.cards)


def _unplayed(dialogue: dict[str, Any], first: int, why: str, tally: Tally) -> None:
    """A turn the chat refused: its expectations and those of every later turn fail."""
    for number, turn in enumerate(dialogue["turns"][first - 1 :], start=first):
        for key in turn.get("expect") or {}:
            tally.checks[KIND[key]] += 1
            tally.failures.append(Failure(dialogue["id"], number, turn["say"], key, why))


@contextmanager
def running_stack(api: str | None) -> Iterator[str]:
    """The URL of the stack to play against: the one given, or a throwaway one on the demo catalog."""
    if api:
        yield api
        return
    from shoptalk.paths import DEFAULT_VAR
    from shoptalk.stack import Stack
    from shoptalk.throwaway import throwaway_config
    from shoptalk.train import train

    model = train(DEFAULT_VAR / "rasa-models")
    with tempfile.TemporaryDirectory(prefix="shoptalk-conversations-") as tmp:
        limits_off = {
            "RATE_LIMIT_CHAT_PER_SHOPPER": "0",
            "RATE_LIMIT_CHAT_PER_IP": "0",
            "RATE_LIMIT_EVENTS_PER_IP": "0",
        }
        config = throwaway_config(Path(tmp), model, TOKEN, extra_env={"LOG_LEVEL": "WARNING", **limits_off})
        stack = Stack(config)
        stack.start(timeout_s=300)
        try:
            yield config.api_url
        finally:
            stack.stop()


def report(tally: Tally, dialogues: int) -> dict[str, Any]:
    kinds = sorted(tally.checks)
    rows = [[k, tally.checks[k], tally.passed[k], tally.passed[k] / tally.checks[k]] for k in kinds]
    total, passed = sum(tally.checks.values()), sum(tally.passed.values())
    rows.append(["all", total, passed, passed / max(total, 1)])
    print(table(rows, ["check kind", "checks", "passed", "pass rate"]))
    for f in tally.failures:
        print(f"FAIL {f.dialogue} turn {f.turn} {f.key}: {f.why}  <- {f.say!r}")
    return {
        "machine": machine(),
        "dialogues": dialogues,
        "checks": total,
        "pass_rate": passed / max(total, 1),
        "per_kind": {k: {"checks": tally.checks[k], "passed": tally.passed[k]} for k in kinds},
        "failures": [f.__dict__ for f in tally.failures],
    }


def plot(results: dict[str, Any], before: Path = RESULTS / "conversations_before.json") -> Path:
    """Pass rate per check kind as bars, beside the run before the fixes when its JSON is there."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {"this run": results}
    if before.exists():
        runs = {"before the fixes": json.loads(before.read_text(encoding="utf-8")), **runs}
    kinds = sorted(results["per_kind"])
    fig, ax = plt.subplots(figsize=(11, 4))
    width = 0.8 / len(runs)
    for i, (name, run) in enumerate(runs.items()):
        per = run["per_kind"]
        rates = [per[k]["passed"] / per[k]["checks"] if per.get(k, {}).get("checks") else 0 for k in kinds]
        ax.bar([x + i * width for x in range(len(kinds))], rates, width, label=f"{name} ({run['pass_rate']:.1%})")
    ax.axhline(0.9, color="grey", linestyle="--", linewidth=1, label="target per kind (90%)")
    ax.set_xticks([x + width * (len(runs) - 1) / 2 for x in range(len(kinds))], kinds, rotation=30, ha="right")
    ax.set_ylabel("checks passed")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Conversation suite: pass rate per check kind")
    fig.tight_layout()
    path = RESULTS / "conversations.png"
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", help="play against this running stack (e.g. http://127.0.0.1:8000 from make demo)")
    parser.add_argument("--admin-token", default=DEV_ADMIN_TOKEN, help="the stack's ADMIN_TOKEN")
    parser.add_argument("--only", help="play only dialogues whose id starts with this")
    ns = parser.parse_args()
    dialogues = [d for d in load_dialogues() if not ns.only or d["id"].startswith(ns.only)]
    catalog = load_catalog(CATALOG)
    tally = Tally()
    with running_stack(ns.api) as api_url:
        shop = Shop(api_url, ns.admin_token)
        for dialogue in tqdm(dialogues, desc="conversations", unit="dialogue"):
            play(shop, dialogue, catalog, tally)
    results = report(tally, len(dialogues))
    path = write_results("conversations", results)
    print(f"wrote {path} and {plot(results)}")


if __name__ == "__main__":
    main()
