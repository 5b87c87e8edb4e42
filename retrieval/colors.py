"""The one colour vocabulary: what the NLU's lookup tables, its training templates, the query
parser and the catalog's title reader all call a colour (issue 23)."""

from __future__ import annotations

COLORS = (
    "black", "white", "red", "blue", "green", "yellow", "pink", "purple", "grey", "brown", "navy",
    "silver", "gold", "orange", "beige", "maroon", "cream", "tan",
)  # fmt: skip
# other spellings of a colour, read as the colour itself
COLOR_SYNONYMS = {"gray": "grey", "navy blue": "navy"}
# The colours in Chinese, each read as the colour it names (with or without 色; 藏青 is navy,
# 酒红 maroon, 米色 beige, 卡其 tan). Chinese colour entities normalise through this table.
CHINESE_COLORS = {
    "黑": "black", "白": "white", "红": "red", "蓝": "blue", "绿": "green", "黄": "yellow",
    "粉": "pink", "粉红": "pink", "紫": "purple", "灰": "grey", "棕": "brown", "咖啡": "brown",
    "咖": "brown", "藏青": "navy", "深蓝": "navy", "海军蓝": "navy", "银": "silver", "金": "gold",
    "橙": "orange", "橘": "orange", "米": "beige", "米白": "cream", "奶白": "cream", "酒红": "maroon",
    "卡其": "tan", "驼": "tan",
}  # fmt: skip


def chinese_color(value: str) -> str | None:
    """Return the colour a Chinese colour word names ("黑色", "藏青", "酒红色"), or None."""
    word = value.strip()
    word = word[:-1] if word.endswith("色") and len(word) > 1 else word
    return CHINESE_COLORS.get(word)


def chinese_color_words() -> tuple[str, ...]:
    """Every Chinese colour word as a shopper writes it: bare and with 色 ("黑", "黑色")."""
    single = "黑白红蓝绿黄粉紫灰棕金银橙"  # one-character colours read alone too ("黑的")
    return tuple(sorted({w for k in CHINESE_COLORS for w in (k, k + "色") if len(w) > 1 or k in single}))


def canonical_color(value: str) -> str:
    """Return a colour as the vocabulary names it ("Gray" -> "grey"); other values lower-cased."""
    value = value.strip().lower()
    return COLOR_SYNONYMS.get(value) or chinese_color(value) or value


def color_words() -> frozenset[str]:
    """Every single word read as a colour: the colours and their one-word synonyms."""
    return frozenset(COLORS) | frozenset(k for k in COLOR_SYNONYMS if " " not in k)
