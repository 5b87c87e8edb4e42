"""Checks on bot/data/nlu before training: each failure names the file, intent and count.

- every intent of the data has at least MIN_EXAMPLES examples;
- no example leaves a value unannotated that bot/data/README.md says to annotate: a price
  with a currency ("$50", "500 rupees", "rs 300") or an order id after "order" ("order A1001").
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MIN_EXAMPLES = 20
# where a price is the shopper's budget (refund amounts and the like are not annotated)
PRICE_INTENTS = {
    "search_product", "ask_recommendation", "product_info", "compare_products", "price_and_discounts",
    "check_availability", "add_to_cart", "place_order",
}  # fmt: skip
_MARKUP = re.compile(r"\[[^\]]*\]\([^)]*\)")
_PRICE = re.compile(r"[$₹£€]\s?\d|\b\d[\d,.]*\s?(?:rupees|dollars|bucks|rs)\b|\b(?:rs\.?|inr|usd)\s?\d", re.I)
_ORDER_ID = re.compile(r"\border\s*(?:id|number|no\.?)?\s*#?\s*(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b")


@dataclass(frozen=True)
class Problem:
    """One reason the data cannot be trained on."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def _examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text()) or {}
    out = []
    for block in data.get("nlu") or []:
        if "intent" in block:
            lines = str(block.get("examples") or "").splitlines()
            out += [(str(block["intent"]), ln.strip()[2:]) for ln in lines if ln.strip().startswith("- ")]
    return out


def check_nlu_data(folder: Path) -> list[Problem]:
    """Return every problem in the NLU files under `folder` (empty when it can be trained on)."""
    problems: list[Problem] = []
    counts: collections.Counter[str] = collections.Counter()
    first_file: dict[str, str] = {}
    for path in sorted(folder.rglob("*.yml")):
        for intent, text in _examples(path):
            counts[intent] += 1
            first_file.setdefault(intent, str(path))
            plain = _MARKUP.sub(" ", text)
            for kind, pattern in (("price", _PRICE), ("order_id", _ORDER_ID)):
                if kind == "price" and intent not in PRICE_INTENTS:
                    continue
                found = pattern.search(plain)
                if found:
                    where = f"intent '{intent}': unannotated {kind} '{found.group()}' in '{text}'"
                    problems.append(Problem(str(path), where))
    for intent, n in sorted(counts.items()):
        if n < MIN_EXAMPLES:
            needs = f"intent '{intent}' has {n} examples; every intent needs at least {MIN_EXAMPLES}"
            problems.append(Problem(first_file[intent], needs))
    return problems
