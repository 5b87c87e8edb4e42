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
