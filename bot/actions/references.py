"""Resolve "the second one", "the last one", "#2" against the products shown last."""

import re
from typing import Any, Callable, Dict, List, Optional

from i18n import catalog
from i18n.language import ENGLISH

ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "fourth": 3, "4th": 3, "fifth": 4, "5th": 4, "last": -1,
}  # fmt: skip
_ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b|#\s*(\d)\b|\bnumber\s+(\d)\b", re.I)


_BOTH = re.compile(r"\b(both|the two of them|these two|those two|them both)\b|两[个款件]都|都要", re.I)
# Chinese positions: "第二个", "第2款", "最后一个"
ZH_ORDINALS = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4}
_ZH_ORDINAL = re.compile(r"第\s*([一二三四五1-5])\s*[个款件双台只条]?|(最后)一?[个款件]")
_ZH_FIRST_TWO = re.compile(r"前两[个款件]|前2[个款件]")
_WORD = re.compile(r"[a-z0-9]+")
_NOT_DISTINCTIVE = {"the", "one", "a", "an", "add", "to", "my", "cart", "put", "in", "it", "please", "i", "ll", "take"}


def _ids(message: Dict[str, Any]) -> List[str]:
    return [p.get("product_id") for p in message.get("products") or []]


def last_shown(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Return the most recent list of products shown, the one a shopper counts "the second one" in.

    A reply about products already listed ("is the first one in stock?", a comparison) shows
    them again, but it is not a new list: the list before it is the one meant.
    """
    listed = [m for m in messages if m.get("products")]
    for i in range(len(listed) - 1, -1, -1):
        earlier = {pid for m in listed[:i] for pid in _ids(m)}
        if i == 0 or not set(_ids(listed[i])) <= earlier:
            return list(listed[i]["products"])
    return []


def referenced(text: str, shown: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Return the shown products the text points at, in the order mentioned.

    By position ("the second one", "#2", "the first two"), "both", or a word that only some
    of the shown titles or brands have ("the blue one", "the Titan").
    """
    out: List[Dict[str, Any]] = []
    for match in _ORDINAL.finditer(text):
        word, hash_n, number_n = match.groups()
        index: Optional[int] = ORDINALS[word.lower()] if word else int(hash_n or number_n) - 1
        if index is not None and -len(shown) <= index < len(shown) and shown[index] not in out:
            out.append(shown[index])
    for match in _ZH_ORDINAL.finditer(text):
        index = -1 if match.group(2) else ZH_ORDINALS[match.group(1)]
        if -len(shown) <= index < len(shown) and shown[index] not in out:
            out.append(shown[index])
    if re.search(r"\bfirst (two|2)\b", text, re.I) or _ZH_FIRST_TWO.search(text):
        out += [p for p in shown[:2] if p not in out]
    if not out and _BOTH.search(text):
        out = shown[:2]
    if not out:
        out = _by_words(text, shown)
    return out


def _by_words(text: str, shown: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The shown products named by a word only they have ("the blue one" among a blue and a black)."""
    words = [w for w in dict.fromkeys(_WORD.findall(text.lower())) if w not in _NOT_DISTINCTIVE]
    if not words or not shown:
        return []
    own = [set(_WORD.findall(f"{p.get('title', '')} {p.get('brand', '')}".lower())) for p in shown]
    for word in words:
        having = [p for p, ws in zip(shown, own, strict=True) if word in ws]
        if 0 < len(having) < len(shown) or len(shown) == 1 and having:
            return having
    return []


def describe(product: Dict[str, Any], say: Callable[..., str] = catalog.translator(ENGLISH)) -> str:
    """Return one line about a product card, in the conversation's language."""
    price = product.get("price")
    line = product.get("title", "")
    if product.get("brand"):
        line += say(" by {brand}", brand=product["brand"])
    if price is not None:
        amount = f"{product.get('currency', '')} {price:,.2f}".strip()
        line += say(" for {price}", price=amount)
    return line
