"""Build the generated parts of bot/data/nlu/ beside the hand-written ones.

The bulk of the data is hand-written and committed (never generated):
- handwritten/*.yml: at least 150 natural examples for every intent, written the way
  shoppers type (terse, chatty, typos, chat spelling, non-native English), with
  contrastive examples at the borders of confusable intents and entities annotated by
  bot/data/README.md. Written apart from the fresh test sets in bench/data/; any example
  that equals a fresh-set message was removed (tests/nlu/test_training_data.py keeps it so).
- corrections.yml: staff corrections merged by `shoptalk retrain`.

Generated here, each a minority of its intents (a generated example whose text a
hand-written example or a correction has is left out):
- shopping.yml: the 14 intents Bitext lacks, from templates.py (seeded, with entities);
- lookups.yml: brand, colour and category lookup tables and synonyms from the catalog;
- customer_service.yml: the 27 Bitext intents with their order_id spans (from the Bitext
  CSV at build time, not committed: the data set stays where it lives);
- out_of_scope_clinc.yml: CLINC150's train split for every intent no shop would answer
  (CLINC_SHOP_INTENTS are left out), sampled per intent, plus its oos_train (not committed);
- ../ood_validation.txt: CLINC150's oos_val plus a sample of the val split of those
  intents, the out-of-scope side of the detector's validation (not committed);
- zh/out_of_scope_crosswoz.yml: a sample of CrossWOZ's Chinese val user turns (travel,
  hotels, restaurants), Chinese out of scope (not committed);
- zh/lookups.yml: Chinese brand, colour and department lookup tables (zh_lookups.py and
  retrieval/colors.py). zh/*.yml beside it are the hand-written Chinese examples.

Usage: python bot/scripts/build_nlu_data.py [--bitext CSV] [--clinc JSON] [--catalog JSONL] [--per-intent N]
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import random
import re
import sys
from collections.abc import Collection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # the repository: retrieval.colors
from templates import CATEGORIES, PRICES, PRODUCTS, QUANTITIES, SIZES, TEMPLATES, TYPOS  # noqa: E402
from zh_lookups import BRANDS_ZH, CATEGORIES_ZH  # noqa: E402

from nlu_models.lookups import ZH_TABLE_SUFFIX  # noqa: E402  ("brand_zh" is the Chinese path's "brand")
from retrieval.colors import COLOR_SYNONYMS, COLORS, chinese_color_words  # noqa: E402  (the one colour vocabulary)

BOT = Path(__file__).resolve().parent.parent
ROOT = BOT.parent
OUT = BOT / "data" / "nlu"
DEFAULT_BITEXT = ROOT.parent / "shared" / "data" / "intents" / "bitext_customer_support.csv"
DEFAULT_CATALOG = ROOT / "demo" / "catalog.jsonl"
DEFAULT_CLINC = ROOT.parent / "shared" / "data" / "intents" / "clinc150_data_full.json"
# CrossWOZ's Chinese user turns (travel, hotels, restaurants; Apache-2.0): real Chinese
# out-of-scope negatives. Train on its val file; its test file is for measuring only.
DEFAULT_CROSSWOZ = ROOT.parent / "shared" / "data" / "intents_zh" / "crosswoz_val_user_turns.csv"
OOD_VALIDATION = BOT / "ood_validation.txt"
# CLINC150 intents a shop assistant answers, or that are one of our intents in other words:
# never out of scope for us (small talk, orders, cards declined, shopping lists, rewards...).
CLINC_SHOP_INTENTS = {
    "greeting", "goodbye", "thank_you", "yes", "no", "maybe", "cancel", "order", "order_status",
    "shopping_list", "shopping_list_update", "card_declined", "report_fraud", "transactions",
    "spending_history", "rewards_balance", "redeem_rewards", "account_blocked", "change_user_name", "user_name",
}  # fmt: skip
SLOT_ENTITY = {
    "product": "product",
    "prodcut_typo": "product",
    "category": "category",
    "brand": "brand",
    "brand2": "brand",
    "color": "color",
    "color2": "color",
    "size": "size",
    "price": "price",
    "quantity": "quantity",
}
_SLOT = re.compile(r"\{(\w+)\}")
_UNSAFE = re.compile(r"[\[\]{}()\n\r]")


def catalog_values(path: Path) -> dict[str, list[str]]:
    """Return frequent brands and category words from the catalog."""
    brands: collections.Counter[str] = collections.Counter()
    cats: collections.Counter[str] = collections.Counter()
    if path.exists():
        for line in path.open():
            p = json.loads(line)
            if p.get("brand") and 3 <= len(p["brand"]) <= 20 and p["brand"].isascii():
                brands[p["brand"].lower()] += 1
            for level in p.get("category_path", [])[:2]:
                cats[level.lower()] += 1
    top_brands = [b for b, _ in brands.most_common(40)]
    return {
        "brand": sorted(set(top_brands) | {"nike", "adidas", "puma", "sony", "samsung", "asics"}),
        "category": sorted(set(CATEGORIES) | {c for c, n in cats.items() if n >= 5 and len(c) < 30}),
    }


def fill(template: str, rng: random.Random, values: dict[str, list[str]]) -> str:
    """Fill a template's slots with random values, annotating each as an entity."""
    pools = {
        "product": PRODUCTS,
        "category": values["category"],
        "brand": values["brand"],
        "brand2": values["brand"],
        "color": list(COLORS),
        "color2": list(COLORS),
        "size": SIZES,
        "price": PRICES,
        "quantity": QUANTITIES,
        **TYPOS,
    }

    def sub(match: re.Match[str]) -> str:
        slot = match.group(1)
        return f"[{rng.choice(pools[slot])}]({SLOT_ENTITY[slot]})"

    return _SLOT.sub(sub, template)


def typo(text: str, rng: random.Random) -> str:
    """Swap two adjacent letters in one plain (non-entity) word."""
    words = text.split(" ")
    plain = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 4 and "[" not in w]
    if not plain:
        return text
    i = rng.choice(plain)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def shopping_examples(per_intent: int, values: dict[str, list[str]], seed: int = 13) -> dict[str, list[str]]:
    """Return per_intent distinct examples for each template intent."""
    rng = random.Random(seed)
    out: dict[str, list[str]] = {}
    for intent, templates in TEMPLATES.items():
        seen: list[str] = []
        attempts = 0
        while len(seen) < per_intent and attempts < per_intent * 50:
            attempts += 1
            text = fill(templates[attempts - 1] if attempts <= len(templates) else rng.choice(templates), rng, values)
            if rng.random() < 0.1:
                text = typo(text, rng)
            if text not in seen:
                seen.append(text)
        out[intent] = seen
    return out


def bitext_examples(path: Path, per_intent: int, seed: int = 13) -> dict[str, list[str]]:
    """Return Bitext utterances per intent, with order_id spans annotated."""
    rows: dict[str, list[str]] = collections.defaultdict(list)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = row["instruction"].strip()
            if row["entity_type"] == "order_id" and row["start_offset"]:
                start, end = int(row["start_offset"]), int(row["end_offset"])
                span = text[start:end]
                if span.strip() and not _UNSAFE.search(span):
                    text = _UNSAFE.sub(" ", text[:start]) + f"[{span}](order_id)" + _UNSAFE.sub(" ", text[end:])
                else:
                    text = _UNSAFE.sub(" ", text)
            else:
                text = _UNSAFE.sub(" ", text)
            text = re.sub(r"\s+", " ", text).strip()
            if text and text not in rows[row["intent"]]:
                rows[row["intent"]].append(text)
    rng = random.Random(seed)
    return {intent: sorted(rng.sample(texts, min(per_intent, len(texts)))) for intent, texts in sorted(rows.items())}


def clinc_out_of_scope(path: Path, per_intent: int, split: str = "train", seed: int = 13) -> list[str]:
    """Return CLINC150 texts of the intents no shop would answer (sampled), plus its oos_<split>."""
    data = json.loads(path.read_text())
    by_intent: dict[str, list[str]] = collections.defaultdict(list)
    for text, intent in data[split]:
        if intent not in CLINC_SHOP_INTENTS:
            by_intent[intent].append(text)
    rng = random.Random(seed)
    texts = [
        t
        for intent in sorted(by_intent)
        for t in rng.sample(by_intent[intent], min(per_intent, len(by_intent[intent])))
    ]
    texts += [text for text, _ in data[f"oos_{split}"]]
    return sorted({_UNSAFE.sub(" ", t).strip() for t in texts if t.strip()})


def loose_key(text: str) -> str:
    """A text lower-cased with punctuation and markup gone: how a training example is matched
    against the fresh test sets (tests/unit/test_nlu_data_checks.py compares the same way)."""
    plain = _ENTITY_MARKUP.sub(r"\1", text).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def fresh_keys() -> set[str]:
    """The fresh test sets' messages as loose keys: no training example may equal one."""
    keys = set()
    for path in sorted((ROOT / "bench" / "data").glob("nlu_fresh_*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("- ") and not line.strip().startswith("- intent:"):
                keys.add(loose_key(line.strip()[2:]))
    return keys


def crosswoz_out_of_scope(path: Path, count: int, seed: int = 13) -> list[str]:
    """Return a sample of CrossWOZ's Chinese user turns (deduplicated, none equal to a fresh test message)."""
    with path.open(newline="", encoding="utf-8") as handle:
        texts = sorted({_UNSAFE.sub(" ", row["text"]).strip() for row in csv.DictReader(handle) if row["text"].strip()})
    sample = random.Random(seed).sample(texts, min(count, len(texts)))
    avoid = fresh_keys()
    return sorted(t for t in sample if loose_key(t) not in avoid)


_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_key(example: str) -> str:
    """Return an example's text without entity markup, lower-cased, spaces collapsed."""
    return " ".join(_ENTITY_MARKUP.sub(r"\1", example).lower().split())


def corrected_texts(*paths: Path) -> set[str]:
    """Return the texts of hand-written files (corrections.yml, handwritten/*.yml), as plain keys."""
    keys = set()
    lines = [line for path in paths if path.exists() for line in path.read_text().splitlines()]
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("- ") and not stripped.startswith(("- intent:", "- lookup:", "- synonym:")):
            keys.add(plain_key(stripped[2:]))
    return keys


def write_nlu(path: Path, examples: dict[str, list[str]], header: str, drop: Collection[str] = ()) -> None:
    """Write intents and examples as Rasa 3 NLU YAML, leaving out the texts in `drop`."""
    lines = [f"# {header}", 'version: "3.1"', "nlu:"]
    for intent, texts in examples.items():
        kept = [t for t in texts if plain_key(t) not in drop]
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in kept]
    path.write_text("\n".join(lines) + "\n")


def write_lookups(path: Path, values: dict[str, list[str]]) -> None:
    """Write lookup tables and colour synonyms."""
    lines = ["# Generated by bot/scripts/build_nlu_data.py from the demo catalog.", 'version: "3.1"', "nlu:"]
    for name, items in (("brand", values["brand"]), ("color", COLORS), ("category", values["category"])):
        lines += [f"- lookup: {name}", "  examples: |"] + [f"    - {v}" for v in items if not _UNSAFE.search(v)]
    for other, colour in COLOR_SYNONYMS.items():
        lines += [f"- synonym: {colour}", "  examples: |", f"    - {other}"]
    path.write_text("\n".join(lines) + "\n")




def write_zh_lookups(path: Path) -> None:
    """Write the Chinese lookup tables (brands, colours, departments; the catalog's Latin
    brands in lookups.yml serve Chinese messages too). Their names end in _zh so that the
    English path's tables stay the catalog's alone."""
    lines = [
        "# Generated by bot/scripts/build_nlu_data.py from zh_lookups.py and retrieval/colors.py.",
        'version: "3.1"',
        "nlu:",
    ]
    for name, items in (("brand", BRANDS_ZH), ("color", chinese_color_words()), ("category", CATEGORIES_ZH)):
        lines += [f"- lookup: {name}{ZH_TABLE_SUFFIX}", "  examples: |"] + [f"    - {v}" for v in items]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    """Build the NLU files."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bitext", type=Path, default=DEFAULT_BITEXT)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--clinc", type=Path, default=DEFAULT_CLINC)
    parser.add_argument("--per-intent", type=int, default=30, help="examples per template intent")
    parser.add_argument("--bitext-per-intent", type=int, default=40, help="Bitext examples kept per intent")
    parser.add_argument("--clinc-per-intent", type=int, default=6, help="CLINC150 examples per out-of-scope intent")
    parser.add_argument("--crosswoz", type=Path, default=DEFAULT_CROSSWOZ)
    parser.add_argument(
        "--crosswoz-count", type=int, default=600, help="CrossWOZ val turns kept as Chinese out of scope"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    values = catalog_values(args.catalog)
    corrected = corrected_texts(OUT / "corrections.yml", *sorted((OUT / "handwritten").glob("*.yml")))
    write_nlu(
        OUT / "shopping.yml",
        shopping_examples(args.per_intent, values),
        "Generated by bot/scripts/build_nlu_data.py from bot/scripts/templates.py. Do not edit.",
        corrected,
    )
    write_lookups(OUT / "lookups.yml", values)
    (OUT / "zh").mkdir(exist_ok=True)
    write_zh_lookups(OUT / "zh" / "lookups.yml")
    if args.bitext.exists():
        write_nlu(
            OUT / "customer_service.yml",
            bitext_examples(args.bitext, args.bitext_per_intent),
            "Generated from the Bitext customer-support data set (CDLA-Sharing-1.0). Not committed.",
            corrected,
        )
        print(f"wrote shopping, lookups and customer_service NLU data to {OUT}")
    else:
        print(f"warning: {args.bitext} not found; customer-service intents have no examples", file=sys.stderr)
    if args.clinc.exists():
        oos = clinc_out_of_scope(args.clinc, args.clinc_per_intent)
        header = "Generated from CLINC150 (CC BY 3.0): intents no shop answers, and oos_train. Not committed."
        write_nlu(OUT / "out_of_scope_clinc.yml", {"out_of_scope": oos}, header, corrected)
        OOD_VALIDATION.write_text("\n".join(clinc_out_of_scope(args.clinc, 3, split="val")) + "\n")
        print(f"wrote {len(oos)} CLINC150 out-of-scope examples and {OOD_VALIDATION.name}")
    else:
        print(f"warning: {args.clinc} not found; out of scope has only the hand-written examples", file=sys.stderr)
    if args.crosswoz.exists():
        zh_oos = crosswoz_out_of_scope(args.crosswoz, args.crosswoz_count)
        header = "Generated from CrossWOZ's val user turns (Apache-2.0): Chinese out of scope. Not committed."
        write_nlu(OUT / "zh" / "out_of_scope_crosswoz.yml", {"out_of_scope": zh_oos}, header, corrected)
        print(f"wrote {len(zh_oos)} CrossWOZ out-of-scope examples")
    else:
        print(
            f"warning: {args.crosswoz} not found; Chinese out of scope has only the hand-written examples",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
