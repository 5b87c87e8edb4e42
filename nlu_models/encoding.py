"""Tokenisation with character offsets, word-level BIO label alignment and entity decoding.

Entities are tagged per word, as DIET tags whitespace tokens: a word's first word piece
carries its tag, and a decoded entity always covers whole words. Tagging word pieces instead
cut entities inside words the vocabulary splits ("bed|she|et", order numbers, unseen brands).
A word is one of the encoder's pre-tokenizer words (whitespace and punctuation split), except
that a shopper token ("$1,299.99", "9.5", "A-1001", "Levi's": `nlu_models.words`) is one word.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from nlu_models.calibration import softmax
from nlu_models.crf import viterbi
from nlu_models.data import Example
from nlu_models.lookups import Gazetteer
from nlu_models.words import token_spans

log = logging.getLogger(__name__)
IGNORE = -100
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean_text(text: str) -> str:
    """Replace control characters (except whitespace) with spaces."""
    return text.translate(_CONTROL)


@dataclass(frozen=True)
class Word:
    """One pre-tokenizer word of a message: its word pieces' columns and its characters."""

    first: int
    last: int
    start: int
    end: int


@dataclass
class Batch:
    """Padded token ids and mask, with each token's character offsets and each row's words."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    offsets: List[List[Tuple[int, int]]]
    truncated: List[bool]
    words: List[List[Word]]


def _words(word_ids: Sequence[Optional[int]], offsets: Sequence[Tuple[int, int]]) -> List[Word]:
    words: List[Word] = []
    previous: Optional[int] = None
    for col, (word_id, (start, end)) in enumerate(zip(word_ids, offsets, strict=True)):
        if word_id is None or end <= start:
            previous = None
            continue
        if word_id == previous and words:
            words[-1] = Word(words[-1].first, col, words[-1].start, end)
        else:
            words.append(Word(col, col, start, end))
        previous = word_id
    return words


def _join_tokens(words: List[Word], text: str) -> List[Word]:
    """Merge the words that lie inside one shopper token into a single word."""
    spans = token_spans(text)
    if not spans:
        return words
    joined: List[Word] = []
    span_of_previous = None
    for word in words:
        span = next((s for s in spans if s[0] <= word.start and word.end <= s[1]), None)
        if span is not None and span == span_of_previous and joined:
            joined[-1] = Word(joined[-1].first, word.last, joined[-1].start, word.end)
        else:
            joined.append(word)
        span_of_previous = span
    return joined


class TextEncoder:
    """Fast tokenizer (the encoder's own vocabulary) with padding and truncation."""

    def __init__(self, tokenizer_file: Union[str, Path], max_length: int) -> None:
        from tokenizers import Tokenizer

        self.max_length = max_length
        self._tok = Tokenizer.from_file(str(tokenizer_file))
        self._tok.no_padding()
        self._tok.no_truncation()

    def token_lengths(self, texts: Sequence[str]) -> List[List[int]]:
        """Return each text's token ids, truncated to max_length (for length bucketing)."""
        return [e.ids[: self.max_length] for e in self._tok.encode_batch([clean_text(t) for t in texts])]

    def encode(self, texts: Sequence[str]) -> Batch:
        """Tokenise, truncate to max_length (logging it), and pad to the longest."""
        encs = self._tok.encode_batch([clean_text(t) for t in texts])
        truncated = [len(e.ids) > self.max_length for e in encs]
        if any(truncated):
            log.info("nlu.encode.truncated count=%d max_length=%d", sum(truncated), self.max_length)
        rows = []
        words = []
        for text, e in zip(texts, encs, strict=True):
            ids, offs, word_ids = list(e.ids), list(e.offsets), list(e.word_ids)
            if len(ids) > self.max_length:  # keep [CLS] ... and the final [SEP]
                ids = ids[: self.max_length - 1] + ids[-1:]
                offs = offs[: self.max_length - 1] + [(0, 0)]
                word_ids = word_ids[: self.max_length - 1] + [None]
            rows.append((ids, offs))
            words.append(_join_tokens(_words(word_ids, offs), clean_text(text)))
        width = max(1, max(len(ids) for ids, _ in rows))
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, (ids, _) in enumerate(rows):
            input_ids[i, : len(ids)] = ids
            mask[i, : len(ids)] = 1
        return Batch(input_ids, mask, [offs for _, offs in rows], truncated, words)


def lookup_features(texts: Sequence[str], batch: Batch, gazetteer: Gazetteer) -> np.ndarray:
    """Return [batch, tokens, gazetteer.width] lookup features, set on every word piece of a word."""
    out = np.zeros(batch.input_ids.shape + (gazetteer.width,), dtype=np.float32)
    if not gazetteer.width:  # a model without lookup tables: no per-word work on the parse path
        return out
    for row, text in enumerate(texts):
        words = batch.words[row]
        features = gazetteer.word_features([text[w.start : w.end] for w in words])
        for word, feature in zip(words, features, strict=True):
            out[row, word.first : word.last + 1] = feature
    return out


def align_tags(examples: Sequence[Example], batch: Batch, tag_index: Dict[str, int]) -> np.ndarray:
    """Return BIO tag ids on each word's first piece (IGNORE on the other pieces, specials, padding).

    A word takes the tag of the entity span its first character falls in: B when the span
    starts in this word, I when an earlier word of the row already started it.
    """
    labels = np.full(batch.input_ids.shape, IGNORE, dtype=np.int64)
    for row, example in enumerate(examples):
        words = batch.words[row]
        for i, word in enumerate(words):
            labels[row, word.first] = tag_index["O"]
            for span in example.spans:
                inside = span.start <= word.start < span.end or word.start <= span.start < word.end
                if inside and f"B-{span.entity}" in tag_index:
                    first = i == 0 or words[i - 1].end <= span.start
                    labels[row, word.first] = tag_index[("B-" if first else "I-") + span.entity]
                    break
    return labels


def decode_entities(
    text: str, words: Sequence[Word], tag_ids: Sequence[int], scores: Sequence[float], tags: Sequence[str]
) -> List[Dict[str, Any]]:
    """Turn one tag per word (with its confidence) into entity spans over whole words.

    An I tag of the same type continues the open entity, as does any tag of that type on a
    word that touches it (no space between, as in "t-shirt" or "$80"); a B tag, or an I tag
    of another type, starts a new one.
    """
    entities: List[Dict[str, Any]] = []
    current: Dict[str, Any] = {}
    confidences: List[float] = []

    def close() -> None:
        if current:
            current["value"] = text[current["start"] : current["end"]]
            current["confidence_entity"] = float(np.mean(confidences))
            entities.append(dict(current))
            current.clear()
            confidences.clear()

    for word, tag_id, score in zip(words, tag_ids, scores, strict=True):
        tag = tags[tag_id]
        if tag == "O":
            close()
            continue
        prefix, name = tag.split("-", 1)
        if current and current["entity"] == name and (prefix == "I" or word.start == current["end"]):
            current["end"] = word.end
        else:
            close()
            current.update(entity=name, start=word.start, end=word.end)
        confidences.append(float(score))
    close()
    return entities


def decode_batch(
    texts: Sequence[str],
    batch: Batch,
    entity_logits: np.ndarray,
    tags: Sequence[str],
    crf: Optional[Dict[str, List]] = None,
) -> List[List[Dict[str, Any]]]:
    """Return each text's entities from [batch, tokens, tags] logits: one tag per word (its
    first piece), the best CRF path when the model has transition scores, else each word's
    best tag; an entity's confidence is its words' mean tag probability."""
    probs = softmax(entity_logits)
    found: List[List[Dict[str, Any]]] = []
    for row, text in enumerate(texts):
        words = batch.words[row]
        if not text.strip() or not words:
            found.append([])
            continue
        firsts = [w.first for w in words]
        emissions = entity_logits[row, firsts]
        ids = viterbi(emissions, crf) if crf else emissions.argmax(-1).tolist()
        confidences = [float(probs[row, f, t]) for f, t in zip(firsts, ids, strict=True)]
        found.append(decode_entities(text, words, ids, confidences, tags))
    return found
