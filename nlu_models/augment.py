"""Training-time augmentation of the words around the entities: how shoppers mistype.

Each epoch, a share of the examples is rewritten. Entity spans are kept as they are and
moved to their new offsets; only the text between them changes.

- typo noise: one word of four or more letters gets a swapped, dropped or doubled letter,
  or a common chat spelling ("you" -> "u", "please" -> "plz");
- case and punctuation: the text lower-cased (entities too), or its final punctuation
  dropped or turned into "?", or apostrophes dropped ("don't" -> "dont").

Lookup-table value substitution (lookups.substitute_values) is the third augmentation.
`make bench-nlu NLU_BENCH_ARGS="--sections augment"` measures each with and without.
"""

from __future__ import annotations

import random
import re
from typing import Callable, List, Tuple

from nlu_models.data import Example, Span

CHAT_SPELLING = {
    "you": "u", "your": "ur", "please": "plz", "thanks": "thx", "are": "r", "want to": "wanna",
    "going to": "gonna", "because": "coz", "what": "wat", "order": "ordr", "track": "trak",
    "receive": "recieve", "address": "adress", "really": "rly", "okay": "ok", "tomorrow": "tmrw",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]{4,}")


def _rewrite_between_spans(example: Example, rewrite: Callable[[str], str]) -> Example:
    """Apply `rewrite` to the text outside the entity spans; return the example with spans moved."""
    pieces: List[str] = []
    spans: List[Span] = []
    cursor, out_len = 0, 0
    for span in sorted(example.spans, key=lambda s: s.start):
        outside = rewrite(example.text[cursor : span.start])
        pieces.append(outside)
        out_len += len(outside)
        value = example.text[span.start : span.end]
        spans.append(Span(out_len, out_len + len(value), span.entity, value))
        pieces.append(value)
        out_len += len(value)
        cursor = span.end
    pieces.append(rewrite(example.text[cursor:]))
    return Example("".join(pieces), example.intent, tuple(spans))


def _one_typo(text: str, rng: random.Random) -> str:
    for phrase, chat in CHAT_SPELLING.items():
        if rng.random() < 0.5 and re.search(rf"\b{phrase}\b", text, re.I):
            return re.sub(rf"\b{phrase}\b", chat, text, count=1, flags=re.I)
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    w, i = match.group(), rng.randrange(1, len(match.group()) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :] if i + 1 < len(w) else w
    elif kind == 1:
        w = w[:i] + w[i + 1 :]
    else:
        w = w[:i] + w[i] + w[i:]
    return text[: match.start()] + w + text[match.end() :]


def typo_noise(example: Example, rng: random.Random, rate: float) -> Example:
    """With probability `rate`, one typo or chat spelling in the words around the entities."""
    if rate <= 0 or rng.random() >= rate:
        return example
    segments: List[Tuple[int, int]] = []
    cursor = 0
    for span in sorted(example.spans, key=lambda s: s.start):
        segments.append((cursor, span.start))
        cursor = span.end
    segments.append((cursor, len(example.text)))
    target = rng.choice([k for k, (a, b) in enumerate(segments) if b > a] or [0])
    counter = iter(range(len(segments)))
    return _rewrite_between_spans(example, lambda t: _one_typo(t, rng) if next(counter) == target else t)


def case_and_punctuation(example: Example, rng: random.Random, rate: float) -> Example:
    """With probability `rate`, lower-case the text, or change its end punctuation or apostrophes."""
    if rate <= 0 or rng.random() >= rate:
        return example
    kind = rng.randrange(3)
    if kind == 0:  # lower case keeps every offset
        lowered = example.text.lower()
        if len(lowered) != len(example.text):
            return example
        spans = tuple(Span(s.start, s.end, s.entity, lowered[s.start : s.end]) for s in example.spans)
        return Example(lowered, example.intent, spans)
    if kind == 1:
        end = "" if rng.random() < 0.5 else "?"
        return _rewrite_between_spans(example, lambda t: re.sub(r"[.!?]+\s*$", end, t))
    return _rewrite_between_spans(example, lambda t: t.replace("'", ""))
