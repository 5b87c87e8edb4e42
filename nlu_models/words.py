"""What counts as one word for entity tagging: shopper tokens kept whole.

The encoder's pre-tokenizer (BERT's BasicTokenizer) cuts at every punctuation mark, so
"$1,299.99", "9.5", "A-1001", "Levi's" and "t-shirt" reach the entity head as three to seven
words, and one wrong tag in the middle cuts an entity in two. A shopper token joins them
again: letters and digits (Latin script) with the joiners shoppers put inside one value:
- a currency sign before or after ("$80", "80€");
- a decimal point, thousands comma or fraction slash between digits ("9.5", "1,299", "1/2");
- an apostrophe or a dash between letters or digits ("Levi's", "don't", "A-1001", "t-shirt").
"x" needs no joiner ("32x34" is one run already). Spaces always end a token, so "27 inch"
stays two words tagged B-size I-size, and CJK text keeps one word per character.
"""

from __future__ import annotations

import re
from typing import Tuple

from i18n.language import IDEOGRAPHS

_LATIN = r"[0-9A-Za-z\u00C0-\u024F]"
_CURRENCY = r"[$€£¥₹]"
SHOPPER_TOKEN = re.compile(rf"{_CURRENCY}?{_LATIN}+(?:(?:(?<=\d)[.,/](?=\d)|['’\-]){_LATIN}+)*{_CURRENCY}?")
# A phrase's words: shopper tokens first, then the pre-tokenizer's words: runs of letters and
# digits, each CJK character alone, and each punctuation mark alone.
_PHRASE_WORD = re.compile(rf"{SHOPPER_TOKEN.pattern}|[^\W{IDEOGRAPHS}]+|[{IDEOGRAPHS}]|[^\w\s]")


def token_spans(text: str) -> list[Tuple[int, int]]:
    """Return the character spans of the shopper tokens in `text` that join several
    pre-tokenizer words (a token that is one word already needs no joining)."""
    return [m.span() for m in SHOPPER_TOKEN.finditer(text) if re.search(r"[^0-9A-Za-z\u00C0-\u024F]", m.group())]


def phrase_words(text: str) -> Tuple[str, ...]:
    """Return a phrase's lower-cased words, cut as the entity head sees a message."""
    return tuple(_PHRASE_WORD.findall(text.lower()))
