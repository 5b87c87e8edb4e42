"""Numbers as Chinese shoppers write them: 两百, 一千五, 三千五百, 1.5万, 2k, 24.

`parse_number` reads one written amount; `amounts` finds every amount in a text with its
character span, so prices ("一千到两千") and quantities ("两件") read alike.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "w": 10_000, "W": 10_000, "k": 1000, "K": 1000}
_NUMERAL = "零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟"
#: One amount: Arabic digits (with a decimal point or thousands commas) or Chinese numerals,
#: then an optional 千/万/k multiplier.
AMOUNT = re.compile(rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{_NUMERAL}]+)(?:\s*[千万kKwW](?![a-zA-Z]))?")


def _chinese(numeral: str) -> float | None:
    """Return the value of a Chinese numeral without 万 ("三千五百" 3500, "一千五" 1500, "十二" 12)."""
    total, digit, last_unit = 0, None, None
    for char in numeral:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        # "一千五" is 1500: a trailing digit after a unit counts in the next unit down
        total += digit * (last_unit // 10 if last_unit and last_unit >= 100 else 1)
    return float(total)


def parse_number(written: str) -> float | None:
    """Return the value of one written amount ("199", "1,299.5", "两百", "1.5万", "2k"), or None."""
    text = written.strip().replace(" ", "")
    if not text:
        return None
    multiplier = 1
    if text[-1] in _BIG:
        multiplier, text = _BIG[text[-1]], text[:-1]
    elif text[-1] == "千" and re.fullmatch(r"[\d.,]+千", text):
        multiplier, text = 1000, text[:-1]
    if not text:
        return None
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
        value: float | None = float(text.replace(",", ""))
    elif len(text) > 1 and all(c in _DIGITS for c in text):  # "一二三" read digit by digit
        value = float("".join(str(_DIGITS[c]) for c in text))
    else:
        value = _chinese(text)
    return None if value is None else value * multiplier


def amounts(text: str) -> list[tuple[float, int, int]]:
    """Return (value, start, end) for every amount written in the text."""
    found = []
    for match in AMOUNT.finditer(text):
        value = parse_number(match.group())
        if value is not None:
            found.append((value, match.start(), match.end()))
    return found


#: "around 3000" is read as this share either side of the amount
ABOUT_WINDOW = 0.2
# Chinese comparators: a ceiling (500以内, 不超过300, 两百块以下), a floor (1000以上, 200起),
# a window (3000左右, 五百多, 大概200) and a range (一千到两千, 100-200, 200至300)
_ZH_MAX = re.compile(r"以内|之内|以下|不超过|不到|低于|少于|最多|封顶|顶多|内$")
_ZH_MIN = re.compile(r"以上|起|不低于|至少|高于|多于|最少|(?<!不)超过")
_ZH_ABOUT = re.compile(r"左右|上下|大概|大约|差不多|\d多|[百千万]多|来块|附近")
_ZH_RANGE = re.compile(r"到|至|~|～|-|—")


def chinese_price_bounds(text: str) -> dict[str, float]:
    """Return {"price_min": x} and/or {"price_max": y} for a Chinese price ("500以内",
    "一千到两千", "3000左右", "200起"); a bare amount is a budget (a ceiling); {} if none."""
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
