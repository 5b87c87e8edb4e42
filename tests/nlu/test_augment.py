"""Augmentation rewrites only the words around entities, and every span still points at its value."""

from __future__ import annotations

import random

from nlu_models.augment import case_and_punctuation, typo_noise
from nlu_models.data import Example, parse_markup

MARKED = [
    "Could you please track my order [A1001](order_id) for the [Nike](brand) shoes?",
    "i want [two](quantity) [running shoes](product) [under $50](price) in [navy blue](color) please!",
    "[Levi's](brand) [jeans](product) size [32x34](size), don't you have them?",
    "thanks, that's all",
]


def _examples() -> list[Example]:
    out = []
    for line in MARKED:
        text, spans = parse_markup(line)
        out.append(Example(text, "search_product", tuple(spans)))
    return out


def test_spans_follow_their_values_through_every_rewrite() -> None:
    rng = random.Random(3)
    changed = 0
    for _ in range(200):
        for example in _examples():
            for augmented in (typo_noise(example, rng, 1.0), case_and_punctuation(example, rng, 1.0)):
                assert [s.entity for s in augmented.spans] == [s.entity for s in example.spans]
                for span in augmented.spans:
                    assert augmented.text[span.start : span.end] == span.value
                changed += augmented.text != example.text
    assert changed > 600, "most rewrites change the text"


def test_rate_zero_changes_nothing() -> None:
    rng = random.Random(0)
    for example in _examples():
        assert typo_noise(example, rng, 0.0) is example and case_and_punctuation(example, rng, 0.0) is example


def test_entities_keep_their_spelling_under_typo_noise() -> None:
    rng = random.Random(5)
    example = _examples()[0]
    for _ in range(100):
        assert [s.value for s in typo_noise(example, rng, 1.0).spans] == ["A1001", "Nike"]
