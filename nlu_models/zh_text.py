"""How the Chinese path cuts a message: units for entity tagging, character n-grams for intents.

A unit is one CJK character, one shopper token of Latin letters and digits kept whole
(`words.SHOPPER_TOKEN`: "iPhone", "42", "A-1001", "¥199"), or one punctuation mark;
spaces are dropped. Entity spans are unit ranges, so "[42码](size)" is two units, B and I.
jieba's segmentation is a feature of each unit (its word and its place in the word), not
the cut itself: a product noun jieba splits ("跑步|鞋") is still tagged whole.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
from scipy import sparse

from i18n.language import IDEOGRAPHS
from i18n.segmentation import jieba
from nlu_models.words import SHOPPER_TOKEN

_UNIT = re.compile(rf"{SHOPPER_TOKEN.pattern}|[{IDEOGRAPHS}]|[^\s]")
_NUMERAL = set("零〇一二两三四五六七八九十百千万亿半几")


def units(text: str) -> List[Tuple[str, int, int]]:
    """Return (unit, start, end) for each unit of the text."""
    return [(m.group(), m.start(), m.end()) for m in _UNIT.finditer(text)]


def unit_kind(unit: str) -> str:
    """Return a coarse class of a unit: cjk, num (Chinese numeral), digit, latin, mixed, punct."""
    if unit in _NUMERAL:
        return "num"
    if re.fullmatch(f"[{IDEOGRAPHS}]", unit):
        return "cjk"
    if unit.isdigit():
        return "digit"
    if re.fullmatch(r"[A-Za-z]+", unit):
        return "latin"
    if re.search(r"\w", unit):
        return "mixed"
    return "punct"


def segment(text: str) -> List[Tuple[str, int, int]]:
    """Return jieba's words of the text with their character spans."""
    return [(word, start, end) for word, start, end in jieba().tokenize(text)]


class CharNgrams:
    """TF-IDF over character 1-3-grams (spaces and case folded), fitted on training text.

    Chinese intents hang on a few characters (退款, 发票, 包邮); this sparse view sits beside
    the multilingual encoder's dense one in the intent head.
    """

    def __init__(self, vocabulary: Dict[str, int], idf: np.ndarray, n: int = 3) -> None:
        self.vocabulary, self.idf, self.n = vocabulary, idf, n

    @staticmethod
    def grams(text: str, n: int = 3) -> Iterable[str]:
        folded = re.sub(r"\s+", " ", text.lower()).strip()
        for size in range(1, n + 1):
            for i in range(len(folded) - size + 1):
                gram = folded[i : i + size]
                if gram.strip():
                    yield gram

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, n: int = 3) -> "CharNgrams":
        df: Counter = Counter()
        for text in texts:
            df.update(set(cls.grams(text, n)))
        kept = sorted(g for g, c in df.items() if c >= min_df)
        vocabulary = {g: i for i, g in enumerate(kept)}
        idf = np.array([np.log((1 + len(texts)) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
        return cls(vocabulary, idf, n)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            counts = Counter(self.vocabulary[g] for g in self.grams(text, self.n) if g in self.vocabulary)
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64)
            weight = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[idx]
            weight /= np.linalg.norm(weight) or 1.0
            rows.extend([row] * len(idx))
            cols.extend(idx.tolist())
            values.extend(weight.tolist())
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self.vocabulary)), dtype=np.float32)
