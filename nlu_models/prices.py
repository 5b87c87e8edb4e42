"""Normalise price expressions ("under 50 dollars", "between 100 and 200") to bounds."""

from __future__ import annotations

import re
from typing import Dict, Optional

from i18n.language import has_cjk
from i18n.numbers import amounts

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
ABOUT_WINDOW = 0.2


def _value(number: str, k: Optional[str]) -> float:
    return float(number.replace(",", "")) * (1000 if k else 1)


# Chinese comparators: a ceiling (500以内, 不超过300, 两百块以下), a floor (1000以上, 200起),
# a window (3000左右, 五百多, 大概200) and a range (一千到两千, 100-200, 200至300)
_ZH_MAX = re.compile(r"以内|之内|以下|不超过|不到|低于|少于|最多|封顶|顶多|内$")
_ZH_MIN = re.compile(r"以上|起|不低于|至少|高于|多于|最少|(?<!不)超过")
_ZH_ABOUT = re.compile(r"左右|上下|大概|大约|差不多|\d多|[百千万]多|来块|附近")
_ZH_RANGE = re.compile(r"到|至|~|～|-|—")


def _normalise_chinese(text: str) -> Dict[str, float]:
    found = amounts(text)
    if not found:
        return {}
    if len(found) >= 2 and _ZH_RANGE.search(text[found[0][2] : found[1][1]] or "-"):
        low, high = sorted((found[0][0], found[1][0]))
        return {"price_min": low, "price_max": high}
    value = found[0][0]
    if _ZH_MAX.search(text):
        return {"price_max": value}
    if _ZH_MIN.search(text):
        return {"price_min": value}
    if _ZH_ABOUT.search(text):
        return {"price_min": round(value * (1 - ABOUT_WINDOW), 2), "price_max": round(value * (1 + ABOUT_WINDOW), 2)}
    return {"price_max": value}


def normalise_price(text: str) -> Dict[str, float]:
    """Return {"price_min": x} and/or {"price_max": y} for a price expression ({} if none)."""
    if has_cjk(text):
        return _normalise_chinese(text)
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
