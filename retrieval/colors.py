"""The one colour vocabulary: what the NLU's lookup tables, its training templates, the query
parser and the catalog's title reader all call a colour (issue 23)."""

from __future__ import annotations

COLORS = (
    "black", "white", "red", "blue", "green", "yellow", "pink", "purple", "grey", "brown", "navy",
    "silver", "gold", "orange", "beige", "maroon", "cream", "tan",
)  # fmt: skip
# other spellings of a colour, read as the colour itself
COLOR_SYNONYMS = {"gray": "grey", "navy blue": "navy"}


def canonical_color(value: str) -> str:
    """Return a colour as the vocabulary names it ("Gray" -> "grey"); other values lower-cased."""
    value = value.strip().lower()
    return COLOR_SYNONYMS.get(value, value)


def color_words() -> frozenset[str]:
    """Every single word read as a colour: the colours and their one-word synonyms."""
    return frozenset(COLORS) | frozenset(k for k in COLOR_SYNONYMS if " " not in k)
