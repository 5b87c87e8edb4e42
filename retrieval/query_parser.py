"""Pull hard constraints out of a shopper's words ("under 50 dollars, not black")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from i18n.language import has_cjk
from i18n.numbers import amounts, chinese_price_bounds
from retrieval.filters import ProductFilter
from retrieval.vocabulary import CatalogVocabulary

_NUM = r"(\d+(?:[.,]\d+)?)\s*(?:k\b)?"
_CUR = r"(?:\s*(?:dollars?|bucks|usd|eur|euros?|rs\.?|rupees?|inr|\$|€|₹))?"
_PATTERNS = [
    (
        re.compile(
            rf"\b(?:don'?t|do not|not|never)\s+(?:want\s+to\s+|wanna\s+)?(?:spend|pay|go)?\s*"
            rf"(?:more than|over|above)\s*[$€₹]?{_NUM}{_CUR}",
            re.I,
        ),
        "max",
    ),
    (re.compile(rf"\bbetween\s*[$€₹]?{_NUM}{_CUR}\s*(?:and|to|-)\s*[$€₹]?{_NUM}{_CUR}", re.I), "between"),
    (
        re.compile(
            rf"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|within|no more than)\s*[$€₹]?{_NUM}{_CUR}",
            re.I,
        ),
        "max",
    ),
    (re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at)\s*[$€₹]?{_NUM}{_CUR}", re.I), "min"),
    (
        re.compile(r"(?<![\w.-])[$€₹]?(\d{3,}(?:[.,]\d+)?)\s*(?:-|–|to)\s*[$€₹]?(\d{3,}(?:[.,]\d+)?)(?![\w.-])", re.I),
        "between",
    ),
    (re.compile(r"(?<![\w.-])[$€₹]?(\d{3,}(?:[.,]\d+)?)\s*\+", re.I), "min"),  # "rings 30000+"
]
# A Chinese price ("500以内", "不超过300元", "一千到两千", "¥199"): its bounds join the filter
# (read by i18n.numbers, as the NLU reads them) and it leaves the words searched.
_ZH_AMOUNT = r"[¥￥]?\s*(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*[千万kK]?\s*(?:块钱?|元|rmb)?"
ZH_PRICE = re.compile(
    rf"(?:(?:不超过|不到|低于|少于|最多|预算)\s*{_ZH_AMOUNT}"
    rf"|{_ZH_AMOUNT}\s*(?:到|至|-|~)\s*{_ZH_AMOUNT}\s*(?:之间|以内)?"
    rf"|{_ZH_AMOUNT}\s*(?:以内|以下|之内|左右|上下|以上|起|多)"
    rf"|[¥￥]\s*\d+(?:\.\d+)?)"
)
# What makes a match a price and not a size, an age or a count: a currency, else amounts of at
# least MIN_UNMARKED_PRICE with no unit after them ("37-39码", "100-200ml", "2到3岁", "一起").
_MONEY = re.compile(r"[¥￥元块]|rmb", re.I)
_UNIT_AFTER = re.compile(
    r"\s*(?:码|号|岁|人|个月|月|天|年|周|小时|毫升|ml|升|克|g\b|kg|公斤|斤|英寸|寸|cm|厘米|mm|毫米|米|瓦|w\b|mah|gb|tb|"
    r"件|双|条|瓶|罐|包|盒|套|只|张|台|个|层|度|p\b|k\b)",
    re.I,
)
MIN_UNMARKED_PRICE = 10.0
# "not black", "but not Skmei", "no leather", "anything except red", "other than Titan"
_CUES = r"not|no|non|except|excluding|without|other than|anything but|avoid|minus|nothing|aren'?t|isn'?t"
NEGATION = re.compile(
    rf"\b(?:{_CUES})[\s-]+"
    r"(?:any\s+|in\s+|from\s+|by\s+|made of\s+|the\s+|a\s+)?"
    rf"([a-z0-9][a-z0-9'&.-]*(?:\s+(?!(?:{_CUES})\b)[a-z0-9][a-z0-9'&.-]*){{0,3}})",  # up to the next cue
    re.I,
)
_DEFAULT_VOCABULARY = CatalogVocabulary()
_LIST_SEPARATOR = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|\bn\b|\bnor\b)\s*", re.I)


def negated_phrases(text: str) -> list[str]:
    """The words after each negation cue, up to four ("but not skmei watches" -> "skmei watches")."""
    return [m.group(1).lower() for m in NEGATION.finditer(text)]


# Chinese: a cue up to four characters before the value ("不要黑色的", "除了耐克", "别推小米的")
_ZH_CUE = re.compile(r"(?:不要|不想要|不喜欢|不需要|除了|别[给推要拿])[^，,。！？!?；;]{0,4}$")


def is_negated(text: str, value: str) -> bool:
    """True when the text rules this value out ("not black" for black, "but not Skmei" for
    Skmei, "不要黑色的" for 黑色)."""
    value = value.strip().lower()
    if not value:
        return False
    at = text.lower().find(value)
    if at >= 0 and _ZH_CUE.search(text[max(0, at - 8) : at]):
        return True
    return any(p == value or p.startswith(value + " ") for p in negated_phrases(text))


def _number(text: str, whole: str) -> float:
    value = float(text.replace(",", ""))
    return value * 1000 if re.search(re.escape(text) + r"\s*k\b", whole, re.I) else value


@dataclass(frozen=True)
class ParsedQuery:
    """The free text left for semantic search, and the constraints found in it."""

    text: str
    filter: ProductFilter


def parse_query(
    query: str, base: ProductFilter | None = None, vocabulary: CatalogVocabulary = _DEFAULT_VOCABULARY
) -> ParsedQuery:
    """Extract price bounds and exclusions, merged into `base`; what is ruled out leaves the text."""
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
    if has_cjk(text):
        flt, text = _chinese_price(text, flt)
    flt, text = _exclusions(text, flt, vocabulary)
    text = re.sub(r"\s+", " ", re.sub(r"\s*,\s*(?=,|$)", "", text)).strip(" ,.")
    text = re.sub(r"\s+(?:but|and|or)$", "", text, flags=re.I)
    return ParsedQuery(text=text, filter=vocabulary.reconcile(flt))


def _chinese_price(text: str, flt: ProductFilter) -> tuple[ProductFilter, str]:
    """Apply the first Chinese price's bounds (unless the filter has its own, or they would
    contradict it) and drop every price from the words; sizes, ages and counts stay."""
    prices = [m for m in ZH_PRICE.finditer(text) if _is_price(m, text)]
    if prices:
        bounds = chinese_price_bounds(prices[0].group(0))
        low = flt.price_min if flt.price_min is not None else bounds.get("price_min")
        high = flt.price_max if flt.price_max is not None else bounds.get("price_max")
        if low is None or high is None or low <= high:
            flt = replace(flt, price_min=low, price_max=high)
    for match in reversed(prices):
        text = text[: match.start()] + " " + text[match.end() :]
    return flt, text


def _is_price(match: re.Match[str], text: str) -> bool:
    if _UNIT_AFTER.match(text, match.end()):
        return False
    if _MONEY.search(match.group(0)):
        return True
    values = [v for v, _, _ in amounts(match.group(0))]
    return bool(values) and min(values) >= MIN_UNMARKED_PRICE


_EXCLUDE_FIELD = {
    "color": "exclude_colors",
    "brand": "exclude_brands",
    "category": "exclude_categories",
    "word": "exclude_words",
}


def _exclusions(text: str, flt: ProductFilter, vocabulary: CatalogVocabulary) -> tuple[ProductFilter, str]:
    """Rule out what each negation names (a colour, brand, category or material it knows)."""
    found: dict[str, list[str]] = {}
    for match in list(NEGATION.finditer(text)):
        parts = [vocabulary.classify(part) for part in _LIST_SEPARATOR.split(match.group(1)) if part.strip()]
        # the first part must name something the catalog knows; then each named part of a list counts
        named = [n for n in parts if n is not None] if parts and parts[0] is not None else []
        for kind, value in named:  # "except black n brown": both
            found.setdefault(_EXCLUDE_FIELD[kind], []).append(value)
        if named:
            text = text.replace(match.group(0), " ", 1)

    def merged(name: str) -> tuple[str, ...]:
        return tuple(sorted({*getattr(flt, name), *found.get(name, [])}))

    flt = replace(
        flt,
        exclude_colors=merged("exclude_colors"),
        exclude_brands=merged("exclude_brands"),
        exclude_categories=merged("exclude_categories"),
        exclude_words=merged("exclude_words"),
    )
    return flt, text
