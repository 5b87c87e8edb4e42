"""Read Rasa NLU YAML into plain examples (no Rasa import), and split them.

Entity markup `[text](entity)`, `[text](entity:value)` and `[text]{"entity": ...}` is
parsed into character spans on the plain text.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import yaml

_MARKUP = re.compile(r"\[(?P<text>[^\]]+?)\](?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<json>[^}]+?)\})")


@dataclass(frozen=True)
class Span:
    """An entity: character offsets in the example's text, its type and value."""

    start: int
    end: int
    entity: str
    value: str


@dataclass(frozen=True)
class Example:
    """One training utterance."""

    text: str
    intent: str
    spans: Tuple[Span, ...] = field(default_factory=tuple)


def parse_markup(line: str) -> Tuple[str, List[Span]]:
    """Return the plain text and entity spans of one annotated example."""
    plain: List[str] = []
    spans: List[Span] = []
    cursor = 0
    length = 0
    for match in _MARKUP.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json"):
            meta = json.loads("{" + match.group("json") + "}")
            entity, value = str(meta.get("entity", "")), str(meta.get("value", text))
        else:
            entity, value = match.group("entity"), match.group("value") or text
        spans.append(Span(length, length + len(text), entity.strip(), value))
        plain.append(text)
        length += len(text)
        cursor = match.end()
    plain.append(line[cursor:])
    return "".join(plain), spans


def _examples_block(block: str) -> Iterable[str]:
    for raw in block.splitlines():
        raw = raw.strip()
        if raw.startswith("- "):
            yield raw[2:].strip()


NluPaths = Union[str, Path, Sequence[Union[str, Path]]]


def _nlu_items(paths: NluPaths) -> Iterable[Dict]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: List[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.rglob("*.yml")) + sorted(p.rglob("*.yaml")) if p.is_dir() else [p])
    for f in files:
        doc = yaml.safe_load(f.read_text()) or {}
        yield from doc.get("nlu") or []


def read_lookups(paths: NluPaths) -> Dict[str, List[str]]:
    """Read the lookup tables (`- lookup: brand`) from NLU YAML files: name -> phrases."""
    tables: Dict[str, List[str]] = defaultdict(list)
    for item in _nlu_items(paths):
        if "lookup" in item:
            tables[str(item["lookup"])].extend(_examples_block(item.get("examples", "")))
    return dict(tables)


def read_nlu(paths: NluPaths) -> List[Example]:
    """Read every intent example from NLU YAML files (a file, a folder, or several)."""
    examples: List[Example] = []
    for item in _nlu_items(paths):
        if "intent" not in item:
            continue
        for line in _examples_block(item.get("examples", "")):
            text, spans = parse_markup(line)
            if text.strip():
                examples.append(Example(text, str(item["intent"]), tuple(spans)))
    return examples


class TooFewExamples(ValueError):
    """An intent has fewer examples than training needs; the message names it."""


def check_counts(examples: Sequence[Example], minimum: int) -> Dict[str, int]:
    """Return counts per intent, raising TooFewExamples for any intent below the minimum."""
    counts = Counter(e.intent for e in examples)
    short = sorted((n, i) for i, n in counts.items() if n < minimum)
    if short:
        names = ", ".join(f"'{i}' has {n}" for n, i in short)
        raise TooFewExamples(f"each intent needs at least {minimum} examples: {names}")
    return dict(counts)


def stratified_split(
    examples: Sequence[Example], fraction: float, seed: int, min_per_class: int = 1
) -> Tuple[List[Example], List[Example]]:
    """Split examples, holding out `fraction` of every intent (at least min_per_class)."""
    by_intent: Dict[str, List[Example]] = defaultdict(list)
    for e in examples:
        by_intent[e.intent].append(e)
    rng = random.Random(seed)
    train: List[Example] = []
    held: List[Example] = []
    for intent in sorted(by_intent):
        group = list(by_intent[intent])
        rng.shuffle(group)
        n = max(min_per_class, int(round(len(group) * fraction))) if len(group) > min_per_class else 0
        held.extend(group[:n])
        train.extend(group[n:])
    return train, held


def stratified_folds(examples: Sequence[Example], k: int, seed: int) -> List[Tuple[List[Example], List[Example]]]:
    """Return k (train, test) folds with every intent spread across the folds."""
    by_intent: Dict[str, List[Example]] = defaultdict(list)
    for e in examples:
        by_intent[e.intent].append(e)
    rng = random.Random(seed)
    buckets: List[List[Example]] = [[] for _ in range(k)]
    for intent in sorted(by_intent):
        group = list(by_intent[intent])
        rng.shuffle(group)
        for i, e in enumerate(group):
            buckets[i % k].append(e)
    return [([e for j, b in enumerate(buckets) if j != i for e in b], buckets[i]) for i in range(k)]


def label_vocab(examples: Sequence[Example], entities: Optional[Sequence[str]] = None) -> Tuple[List[str], List[str]]:
    """Return sorted intent labels and BIO entity tags (O first)."""
    intents = sorted({e.intent for e in examples})
    names = sorted(set(entities or []) | {s.entity for e in examples for s in e.spans})
    tags = ["O"] + [f"{p}-{n}" for n in names for p in ("B", "I")]
    return intents, tags
