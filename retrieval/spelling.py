"""Query spelling from the catalog's own words: "glaciar bay toiled" reads as "glacier bay toilet".

Shoppers misspell brands and things ("milwakee", "pedistal"), run words together
("outdoorlounge") and split them ("nu tone" for NuTone). Lexical matching finds nothing
for a word the catalog never uses, so the speller reads such a word as the catalog word
that is closest to it:
- one edit away (insert, delete, substitute, swap two letters) for words of 4+ letters;
- else two known words run together ("frontload" -> "front load");
- else two edits away for words of 6+ letters, as far as the lookup below reaches: two
  letters too many, or one letter wrong and one too many (not two wrong or two missing).
Ties go to the word more products use. Words the catalog knows, English words (the whole
words of MiniLM's vocabulary: "wife" never becomes "wire"), short words, and words with
digits (model numbers, sizes) are never changed; a plural of a known word counts as known.
Two neighbouring words that form a catalog word are kept, and the joined word is added for
the lexical list only ("nu tone" searches "nu tone nutone").

Lookups use a symmetric-delete index (SymSpell): the vocabulary's one-letter deletes are
indexed once, and a query word's deletes (one letter, or two for the second pass) are looked
up in it, then checked with the true edit distance. No candidate generation over the
alphabet at query time.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache

log = logging.getLogger(__name__)

WORD = re.compile(r"[a-z0-9]+")
MIN_LENGTH = 4  # shorter words are too often abbreviations to correct
TWO_EDITS_FROM = 6  # words this long may be two edits away


@dataclass(frozen=True)
class Spelling:
    """How a query was read: the text for both searches, the text for the lexical search,
    and each word that was changed, with what it was read as."""

    text: str
    lexical_text: str
    changes: list[tuple[str, str]] = field(default_factory=list)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Return the optimal-string-alignment distance (Damerau-Levenshtein, adjacent swaps)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class QuerySpeller:
    """Reads misspelt query words as the catalog's words (see the module's docstring)."""

    def __init__(self, frequencies: Counter[str], protected: Collection[str] = frozenset()) -> None:
        self.frequencies = frequencies
        self.protected = protected
        self._by_delete: dict[str, list[str]] = {}
        for word in frequencies:
            if len(word) >= MIN_LENGTH - 1 and not any(c.isdigit() for c in word):
                for d in _deletes(word):
                    self._by_delete.setdefault(d, []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], protected: Collection[str] = frozenset()) -> QuerySpeller:
        """Build the vocabulary from catalog texts (titles, brands, categories); `protected`
        words are never corrected."""
        return cls(Counter(w for t in texts for w in WORD.findall(t.lower())), protected)

    def __len__(self) -> int:
        return len(self.frequencies)

    def known(self, word: str) -> bool:
        """Return whether the catalog uses the word or the singular of it."""
        f = self.frequencies
        if word in f or word in self.protected:
            return True
        if word.endswith("ies") and word[:-3] + "y" in f:
            return True
        return (word.endswith("es") and word[:-2] in f) or (word.endswith("s") and word[:-1] in f)

    def correct_word(self, word: str) -> str | None:
        """Return what a word the catalog does not use is read as, or None to keep it."""
        if len(word) < MIN_LENGTH or any(c.isdigit() for c in word) or self.known(word):
            return None
        return (
            self._nearest(word, 1)
            or self._split(word)
            or (self._nearest(word, 2) if len(word) >= TWO_EDITS_FROM else None)
        )

    def _nearest(self, word: str, distance: int) -> str | None:
        keys = {word} | _deletes(word)
        if distance == 2:
            keys |= {d2 for d in _deletes(word) for d2 in _deletes(d)}
        candidates = {c for k in keys for c in self._by_delete.get(k, ())}
        candidates |= {k for k in keys if k in self.frequencies}
        found = [c for c in candidates if edit_distance(word, c) == distance]
        return max(found, key=lambda c: (self.frequencies[c], c)) if found else None

    def _split(self, word: str) -> str | None:
        f = self.frequencies
        best: tuple[int, str] | None = None
        for i in range(2, len(word) - 2):
            left, right = word[:i], word[i:]
            if left in f and right in f:
                score = min(f[left], f[right])
                if best is None or score > best[0]:
                    best = (score, f"{left} {right}")
        return best[1] if best else None

    def read(self, text: str) -> Spelling:
        """Return how the query reads in the catalog's words; all but the changed words stays as typed."""
        words = WORD.findall(text.lower())
        changes = list(dict.fromkeys((w, c) for w in words if (c := self.correct_word(w))))
        joined = [
            a + b
            for a, b in zip(words, words[1:], strict=False)
            if a + b in self.frequencies and not (a.isdigit() or b.isdigit())
        ]
        if not changes and not joined:
            return Spelling(text, text)
        corrected = respell(text, changes)
        return Spelling(corrected, " ".join([corrected, *joined]), changes)


def respell(text: str, changes: Iterable[tuple[str, str]]) -> str:
    """Return the text with each changed word replaced where it stands ("Milwakee 3/4 in."
    -> "milwaukee 3/4 in."); everything else is kept as typed."""
    for typed, read_as in changes:
        text = re.sub(rf"(?<![a-z0-9]){re.escape(typed)}(?![a-z0-9])", read_as, text, flags=re.IGNORECASE)
    return text


@cache
def english_words() -> frozenset[str]:
    """Return the whole English words (4+ letters) of MiniLM's WordPiece vocabulary, or an
    empty set when the model package is not installed."""
    try:
        from retrieval.encoders.minilm_onnx import model_dir

        lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    except (ImportError, OSError) as exc:
        log.warning("retrieval.spelling.no_english_words error=%s", type(exc).__name__)
        return frozenset()
    return frozenset(w for w in lines if len(w) >= MIN_LENGTH and w.isascii() and w.isalpha())
