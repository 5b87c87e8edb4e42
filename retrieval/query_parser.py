"""Pull hard constraints out of a shopper's words ("under 50 dollars, not black")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from retrieval.filters import ProductFilter
from retrieval.product import COLOR_WORDS as COLORS

_NUM = r"(\d+(?:[.,]\d+)?)\s*(?:k\b)?"
_CUR = r"(?:\s*(?:dollars?|bucks|usd|eur|euros?|rs\.?|rupees?|inr|\$|€|₹))?"
_PATTERNS = [
    (re.compile(rf"\bbetween\s*[$€₹]?{_NUM}{_CUR}\s*(?:and|to|-)\s*[$€₹]?{_NUM}{_CUR}", re.I), "between"),
    (
        re.compile(
            rf"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|within|no more than)\s*[$€₹]?{_NUM}{_CUR}",
            re.I,
        ),
        "max",
    ),
    (re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at)\s*[$€₹]?{_NUM}{_CUR}", re.I), "min"),
]
_NEGATION = re.compile(r"\b(?:not|no|except|without|anything but|but not)\s+(?:in\s+)?([a-z]+)", re.I)


def _number(text: str, whole: str) -> float:
    value = float(text.replace(",", ""))
    return value * 1000 if re.search(re.escape(text) + r"\s*k\b", whole, re.I) else value


@dataclass(frozen=True)
class ParsedQuery:
    """The free text left for semantic search, and the constraints found in it."""

    text: str
    filter: ProductFilter


def parse_query(query: str, base: ProductFilter | None = None) -> ParsedQuery:
    """Extract price bounds and colour/brand exclusions, merged into `base`."""
    flt = base or ProductFilter()
    text = query
    for pattern, kind in _PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        if kind == "between":
            low, high = sorted((_number(match.group(1), match.group(0)), _number(match.group(2), match.group(0))))
            flt = replace(
                flt,
                price_min=flt.price_min if flt.price_min is not None else low,
                price_max=flt.price_max if flt.price_max is not None else high,
            )
        elif kind == "max" and flt.price_max is None:
            flt = replace(flt, price_max=_number(match.group(1), match.group(0)))
        elif kind == "min" and flt.price_min is None:
            flt = replace(flt, price_min=_number(match.group(1), match.group(0)))
        text = text.replace(match.group(0), " ")
    excluded = []
    for match in _NEGATION.finditer(text):
        word = match.group(1).lower()
        if word in COLORS:
            excluded.append(word)
            text = text.replace(match.group(0), " ")
    if excluded:
        flt = replace(flt, exclude_colors=tuple(sorted(set(flt.exclude_colors) | set(excluded))))
    text = re.sub(r"\s+", " ", re.sub(r"\s*,\s*(?=,|$)", "", text)).strip(" ,.")
    return ParsedQuery(text=text, filter=flt)
