"""Which language a shopper writes in: English or Simplified Chinese.

A message is Chinese when CJK ideographs make up at least 40% of its units, counting each
ideograph as a unit and each run of Latin letters as one unit: mixed text such as
"iPhone 15 有货吗" (3 ideographs, 1 Latin word) is Chinese, "do you have 小米 phones"
(2 against 4) is English. A language the page states (the widget's `language`, from the
page or `navigator.language`) overrides detection for the conversation.
"""

from __future__ import annotations

import re

ENGLISH = "en"
CHINESE = "zh"
SUPPORTED = (ENGLISH, CHINESE)
DEFAULT = ENGLISH
CJK_SHARE = 0.4

#: the CJK ideographs (unified, extension A, compatibility), as a regex character-class body
IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+")
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")


def has_cjk(text: str) -> bool:
    """True when the text has a CJK ideograph."""
    return bool(_IDEOGRAPH.search(text))


def cjk_share(text: str) -> float:
    """Return the share of CJK ideographs among the text's units (ideographs + Latin words)."""
    ideographs = len(_IDEOGRAPH.findall(text))
    words = len(_LATIN_WORD.findall(text))
    return ideographs / (ideographs + words) if ideographs + words else 0.0


def detect(text: str, default: str = DEFAULT) -> str:
    """Return "zh" or "en" for a text; `default` when it has neither letters nor ideographs."""
    ideographs = len(_IDEOGRAPH.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if not ideographs and not words:
        return default
    return CHINESE if ideographs / (ideographs + words) >= CJK_SHARE else ENGLISH


def normalise(tag: str | None) -> str | None:
    """Return the supported language a BCP 47 tag names ("zh-CN", "zh_Hans", "en-GB" ...),
    or None when it names none we serve (the caller then detects from the text)."""
    if not tag or not isinstance(tag, str):
        return None
    match = _TAG.match(tag.strip())
    if not match:
        return None
    code = match.group(1).lower()
    return code if code in SUPPORTED else None
