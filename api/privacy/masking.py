"""Mask personal data in shopper text before it is stored, logged, sent to Rasa or to webhooks.

Kinds (each configurable): e-mail addresses, phone numbers, payment card numbers (only
digit runs that pass the Luhn check), IBANs (only those that pass the mod-97 check) and
street addresses. Order ids survive: a number right after "order", "order id/number/no"
or "#" is never masked, so the bot can still look the order up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS = ("email", "card", "iban", "phone", "address")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{1,4}){3,9}\b")
_PHONE = re.compile(r"(?<![\w#])(?:\+|00)?\d[\d\s().-]{6,}\d(?![\w])")
_STREET = (
    r"street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|court|ct|way|place|pl|terrace|"
    r"close|crescent|square|sq|parkway|pkwy|highway|hwy|strasse|straße|rue|calle|via|marg"
)
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?(?:[ ,]+[A-Z][\w'.-]*){1,4}[ ]+(?:" + _STREET + r")\b\.?"
    r"(?:,?[ ]*(?:apt|apartment|unit|suite|flat|floor|fl)\.?[ ]*#?[\w-]+)?",
    re.I,
)
_ADDRESS_PREFIXED = re.compile(
    r"\b\d{1,5},?[ ]+(?:rue|avenue|av\.?|via|calle|boulevard|bd|place|piazza|plaza|avenida|rua)"
    r"(?:[ ]+(?:de|du|des|la|le|del|della|di|da|do|dos)?[ ]*[A-Z][\w'-]*){1,4}",
    re.I,
)
_ORDER_CONTEXT = re.compile(r"(?:order(?:\s+(?:id|number|no\.?|#))?\s*[:#]?\s*|#\s*)$", re.I)


def luhn_valid(digits: str) -> bool:
    """Return True when a digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """Return True when a string is a structurally valid IBAN (mod-97 == 1)."""
    iban = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _mask_iban(match: re.Match[str]) -> str:
    """Mask the longest leading run of the candidate that is a valid IBAN; keep what follows."""
    candidate = match.group()
    parts = candidate.split(" ")
    for n in range(len(parts), 0, -1):
        head = " ".join(parts[:n])
        if iban_valid(head):
            rest = candidate[len(head) :]
            return "[iban]" + rest
    return candidate


@dataclass
class Masker:
    """Replaces personal data with placeholders like `[email]`; `kinds` picks which."""

    kinds: tuple[str, ...] = KINDS
    extra_patterns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown masking kinds {sorted(unknown)}; known: {list(KINDS)}")
        self._extra = [re.compile(p) for p in self.extra_patterns]

    def mask(self, text: str) -> str:
        """Return the text with personal data replaced; other text is unchanged."""
        if "email" in self.kinds:
            text = _EMAIL.sub("[email]", text)
        if "iban" in self.kinds:
            text = _IBAN.sub(_mask_iban, text)
        if "card" in self.kinds:
            text = _CARD.sub(lambda m: self._digits_or(m, text, "[card]", card=True), text)
        if "phone" in self.kinds:
            text = _PHONE.sub(lambda m: self._digits_or(m, text, "[phone]", card=False), text)
        if "address" in self.kinds:
            text = _ADDRESS_PREFIXED.sub("[address]", _ADDRESS.sub("[address]", text))
        for pattern in self._extra:
            text = pattern.sub("[redacted]", text)
        return text

    @staticmethod
    def _digits_or(match: re.Match[str], text: str, placeholder: str, card: bool) -> str:
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        if _ORDER_CONTEXT.search(text[: match.start()]):
            return raw  # an order id the bot needs
        if card:
            return placeholder if 13 <= len(digits) <= 19 and luhn_valid(digits) else raw
        return placeholder if 8 <= len(digits) <= 15 else raw


def masker_from(kinds: Iterable[str], extra_patterns: Iterable[str] = ()) -> Masker:
    """Build a masker from settings."""
    return Masker(tuple(kinds), list(extra_patterns))
