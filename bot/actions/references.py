"""Resolve "the second one", "the last one", "#2" against the products shown last."""

import re
from typing import Any, Dict, List, Optional

ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "fourth": 3, "4th": 3, "fifth": 4, "5th": 4, "last": -1,
}  # fmt: skip
_ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b|#\s*(\d)\b|\bnumber\s+(\d)\b", re.I)


def last_shown(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Return the product cards of the most recent message that had any."""
    for message in reversed(messages):
        if message.get("products"):
            return list(message["products"])
    return []


def referenced(text: str, shown: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Return the shown products the text points at, in the order mentioned."""
    out: List[Dict[str, Any]] = []
    for match in _ORDINAL.finditer(text):
        word, hash_n, number_n = match.groups()
        index: Optional[int] = ORDINALS[word.lower()] if word else int(hash_n or number_n) - 1
        if index is not None and -len(shown) <= index < len(shown) and shown[index] not in out:
            out.append(shown[index])
    return out


def describe(product: Dict[str, Any]) -> str:
    """Return one line about a product card."""
    price = product.get("price")
    parts = [product.get("title", "")]
    if product.get("brand"):
        parts.append(f"by {product['brand']}")
    if price is not None:
        parts.append(f"for {product.get('currency', '')} {price:,.2f}".replace("  ", " "))
    return " ".join(p for p in parts if p)
