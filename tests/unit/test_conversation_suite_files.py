"""The conversation suite's files are well-formed, and hold what issue 21 quotes."""

from __future__ import annotations

from collections import Counter

from bench.conversation_checks import KIND
from bench.conversation_suite import CATALOG, load_dialogues

DIALOGUE_KEYS = {"id", "note", "setup", "turns", "file"}
SETUP_KEYS = {"verified", "orders"}
QUOTED = [  # the examples of issue 21, as a shopper typed them
    "I need a waterproof jacket under 3000 not black",
    "show me cheaper ones",
    "watches but not Skmei",
    "show me more",
    "compare the first two",
    "is the first one in stock?",
    "cancel order A1001",
    "please cancel my order #98765",
    "where is my order?",
    "👟👟🔥",
]


def test_every_dialogue_is_well_formed() -> None:
    dialogues = load_dialogues()
    assert len(dialogues) >= 120
    ids = Counter(d["id"] for d in dialogues)
    assert [i for i, n in ids.items() if n > 1] == []
    for d in dialogues:
        assert set(d) <= DIALOGUE_KEYS, d["id"]
        assert d.get("note"), d["id"]
        assert set(d.get("setup") or {}) <= SETUP_KEYS, d["id"]
        assert 1 <= len(d["turns"]) <= 6, d["id"]
        for turn in d["turns"]:
            assert set(turn) == {"say", "expect"} and turn["say"].strip(), d["id"]
            assert isinstance(turn["expect"], dict) and set(turn["expect"]) <= set(KIND), (
                d["id"],
                set(turn["expect"]) - set(KIND),
            )


def test_every_check_kind_is_exercised_and_the_quoted_examples_are_there() -> None:
    dialogues = load_dialogues()
    kinds = Counter(KIND[k] for d in dialogues for t in d["turns"] for k in t["expect"])
    assert {k: n for k, n in kinds.items() if n < 10} == {}
    assert set(KIND.values()) <= set(kinds)
    said = {t["say"] for d in dialogues for t in d["turns"]}
    assert [q for q in QUOTED if q not in said] == []


def test_ordered_products_are_in_the_demo_catalog() -> None:
    catalog = {line.split('"id": "')[1].split('"')[0] for line in CATALOG.read_text(encoding="utf-8").splitlines()}
    ordered = [o["product_id"] for d in load_dialogues() for o in (d.get("setup") or {}).get("orders", [])]
    assert ordered and [p for p in ordered if p not in catalog] == []
