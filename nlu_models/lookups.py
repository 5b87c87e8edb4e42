"""Lookup-table (gazetteer) features for the entity head.

A shop's lookup tables (brands, colours, categories: `bot/data/nlu/lookups.yml`, built from
the catalog) name entity values the encoder may never have seen in a training example. Each
word of a message gets, per lookup table, a B and an I feature when it starts or continues
the longest phrase of that table found there. The entity head reads these beside the
encoder's token states, as Rasa's RegexFeaturizer gives DIET its lookup features.
"""

from __future__ import annotations

import random
from typing import Dict, List, Mapping, Sequence

import numpy as np

from nlu_models.data import Example, Span
from nlu_models.words import phrase_words


class Gazetteer:
    """Longest-match phrase lookup over a message's words, one table per entity type."""

    def __init__(self, tables: Mapping[str, Sequence[str]]) -> None:
        self.names: List[str] = sorted(name for name, phrases in tables.items() if phrases)
        self.tables: Dict[str, List[str]] = {name: sorted(set(tables[name])) for name in self.names}
        self._phrases = [{phrase_words(p) for p in self.tables[name]} - {()} for name in self.names]
        self._longest = [max((len(p) for p in phrases), default=0) for phrases in self._phrases]

    @property
    def width(self) -> int:
        """Return the number of features per word (a B and an I feature per table)."""
        return 2 * len(self.names)

    def word_features(self, words: Sequence[str]) -> np.ndarray:
        """Return [len(words), width] features: 1 where a word starts (B) or continues (I)
        the longest phrase of a table that matches there, scanning left to right."""
        lowered = [w.lower() for w in words]
        out = np.zeros((len(words), self.width), dtype=np.float32)
        for t, phrases in enumerate(self._phrases):
            i = 0
            while i < len(lowered):
                for length in range(min(self._longest[t], len(lowered) - i), 0, -1):
                    if tuple(lowered[i : i + length]) in phrases:
                        out[i, 2 * t] = 1.0
                        out[i + 1 : i + length, 2 * t + 1] = 1.0
                        i += length
                        break
                else:
                    i += 1
        return out

    def to_dict(self) -> Dict[str, List[str]]:
        """Return the tables, as saved beside the model."""
        return {name: list(self.tables[name]) for name in self.names}


def substitute_values(
    example: Example, tables: Mapping[str, Sequence[str]], rng: random.Random, rate: float
) -> Example:
    """Return the example with each entity value that has a lookup table replaced, with
    probability `rate`, by a random phrase of that table (spans moved to match).

    Trained on such copies, the model learns that a table's phrase in an entity's place is
    that entity, instead of memorising the few values the examples happen to name; it then
    finds catalog values (a shop's other brands) that no example mentions.
    """
    if rate <= 0 or not example.spans:
        return example
    text, spans, shift, cursor = [], [], 0, 0
    for span in sorted(example.spans, key=lambda s: s.start):
        value = example.text[span.start : span.end]
        if span.entity in tables and tables[span.entity] and rng.random() < rate:
            value = rng.choice(tables[span.entity])
        text.append(example.text[cursor : span.start] + value)
        start = span.start + shift
        spans.append(Span(start, start + len(value), span.entity, value))
        shift += len(value) - (span.end - span.start)
        cursor = span.end
    text.append(example.text[cursor:])
    return Example("".join(text), example.intent, tuple(spans))


#: a lookup table named "<entity>_zh" serves the Chinese path only, as "<entity>"
ZH_TABLE_SUFFIX = "_zh"


def split_lookups(tables: Dict[str, List[str]]) -> "tuple[Dict[str, List[str]], Dict[str, List[str]]]":
    """Return (English tables, Chinese tables): "_zh" tables go to Chinese alone, the
    catalog's own tables to both (Latin brand names are written in Chinese messages too)."""
    english = {name: phrases for name, phrases in tables.items() if not name.endswith(ZH_TABLE_SUFFIX)}
    chinese = {name: list(phrases) for name, phrases in english.items()}
    for name, phrases in tables.items():
        if name.endswith(ZH_TABLE_SUFFIX):
            chinese.setdefault(name[: -len(ZH_TABLE_SUFFIX)], []).extend(phrases)
    return english, chinese
