"""Normalise price expressions ("under 50 dollars", "between 100 and 200") to bounds."""

from __future__ import annotations

import re
from typing import Dict, Optional

from i18n.language import has_cjk
from i18n.numbers import ABOUT_WINDOW, chinese_price_bounds

#: The entities a price span is normalised into (added beside it, not extracted).
DERIVED_ENTITIES = ("price_min", "price_max")
_NUM = r"(\d+(?:[.,]\d+)?)\s*(k\b)?"
_BETWEEN = re.compile(rf"(?:between|from)?\s*\D*?{_NUM}\s*(?:and|to|-)\s*\D*?{_NUM}", re.I)
_MAX = re.compile(r"\b(under|below|less than|cheaper than|max(?:imum)?|up to|within|no more than|at most)\b", re.I)
_MIN = re.compile(r"\b(over|above|more than|at least|min(?:imum)?|starting at|from)\b", re.I)
_ONE = re.compile(_NUM, re.I)
_RANGE_WORD = re.compile(r"\b(between|and|to|from)\b|\d\s*(?:k\b)?\s*-\s*\D{0,4}\d", re.I)
# "around 200", "2k ish", "500 or so": a window around the amount, not a ceiling
_ABOUT = re.compile(r"\b(around|about|approx(?:imately)?|roughly|circa|give or take)\b|ish\b|\bor so\b|~", re.I)


def _value(number: str, k: Optional[str]) -> float:
    return float(number.replace(",", "")) * (1000 if k else 1)


def normalise_price(text: str) -> Dict[str, float]:
    """Return {"price_min": x} and/or {"price_max": y} for a price expression ({} if none)."""
    if has_cjk(text):
        return chinese_price_bounds(text)
    between = _BETWEEN.search(text)
    if between and _RANGE_WORD.search(text):
        low, high = sorted((_value(between.group(1), between.group(2)), _value(between.group(3), between.group(4))))
        return {"price_min": low, "price_max": high}
    one = _ONE.search(text)
    if not one:
        return {}
    value = _value(one.group(1), one.group(2))
    if _ABOUT.search(text) and not (_MAX.search(text) or _MIN.search(text)):
        return {"price_min": round(value * (1 - ABOUT_WINDOW), 2), "price_max": round(value * (1 + ABOUT_WINDOW), 2)}
    if _MAX.search(text):
        return {"price_max": value}
    if _MIN.search(text):
        return {"price_min": value}
    return {"price_max": value}  # "a 50 dollar watch": a budget
