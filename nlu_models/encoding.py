"""Tokenisation with character offsets, BIO label alignment and entity decoding."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

import numpy as np

from nlu_models.data import Example

log = logging.getLogger(__name__)
IGNORE = -100
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean_text(text: str) -> str:
    """Replace control characters (except whitespace) with spaces."""
    return text.translate(_CONTROL)


@dataclass
class Batch:
    """Padded token ids and mask, with each token's character offsets."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    offsets: List[List[Tuple[int, int]]]
    truncated: List[bool]


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
        for e in encs:
            ids, offs = list(e.ids), list(e.offsets)
            if len(ids) > self.max_length:  # keep [CLS] ... and the final [SEP]
                ids = ids[: self.max_length - 1] + ids[-1:]
                offs = offs[: self.max_length - 1] + [(0, 0)]
            rows.append((ids, offs))
        width = max(1, max(len(ids) for ids, _ in rows))
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, (ids, _) in enumerate(rows):
            input_ids[i, : len(ids)] = ids
            mask[i, : len(ids)] = 1
        return Batch(input_ids, mask, [offs for _, offs in rows], truncated)


def align_tags(examples: Sequence[Example], batch: Batch, tag_index: Dict[str, int]) -> np.ndarray:
    """Return BIO tag ids per token (IGNORE for special and padding tokens)."""
    labels = np.full(batch.input_ids.shape, IGNORE, dtype=np.int64)
    for row, example in enumerate(examples):
        for col, (start, end) in enumerate(batch.offsets[row]):
            if end <= start:
                continue
            labels[row, col] = tag_index["O"]
            for span in example.spans:
                if span.start <= start < span.end and f"B-{span.entity}" in tag_index:
                    first = start == span.start or col == 0 or batch.offsets[row][col - 1][1] <= span.start
                    labels[row, col] = tag_index[("B-" if first else "I-") + span.entity]
    return labels


def decode_entities(
    text: str, offsets: List[Tuple[int, int]], probs: np.ndarray, tags: Sequence[str]
) -> List[Dict[str, Any]]:
    """Turn per-token tag probabilities into entity spans over the original text."""
    entities: List[Dict[str, Any]] = []
    current: Dict[str, Any] = {}
    scores: List[float] = []

    def close() -> None:
        if current:
            current["value"] = text[current["start"] : current["end"]]
            current["confidence_entity"] = float(np.mean(scores))
            entities.append(dict(current))
            current.clear()
            scores.clear()

    for col, (start, end) in enumerate(offsets):
        if end <= start:
            continue
        best = int(np.argmax(probs[col]))
        tag = tags[best]
        if tag == "O":
            close()
            continue
        prefix, name = tag.split("-", 1)
        joins = current and current["entity"] == name and (prefix == "I" or start == current["end"])
        if joins:
            current["end"] = end
        else:
            close()
            current.update(entity=name, start=start, end=end)
        scores.append(float(probs[col, best]))
    close()
    return entities
