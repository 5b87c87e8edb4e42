"""Mask personal data in shopper text before it is stored, logged, sent to Rasa or to webhooks.

Kinds (each configurable): e-mail addresses, phone numbers, payment card numbers (only
digit runs that pass the Luhn check), IBANs (only those that pass the mod-97 check) and
street addresses, with the postcode beside one. Order ids survive: a number right after
"order", "order id/number/no" or "#" is not masked, so the bot can still look the order up,
unless it is a card number: Luhn-valid with a card network's prefix and length is a card
wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS = ("email", "card", "iban", "phone", "address")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{1,4}){3,9}\b")
_PHONE = re.compile(r"(?<![\w#(])(?:(?:\+|00)\s?)?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s().-]{6,}\d(?![\w])")
# Card networks' prefixes and lengths (ISO/IEC 7812 issuer ranges as the networks publish them)
_NETWORKS = (
    (re.compile(r"4"), (13, 16, 19)),  # Visa
    (re.compile(r"5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)"), (16,)),  # Mastercard
    (re.compile(r"3[47]"), (15,)),  # American Express
    (re.compile(r"6(?:011|5|4[4-9]|22)"), (16, 17, 18, 19)),  # Discover
    (re.compile(r"3(?:0[0-5]|[689])"), (14, 15, 16, 17, 18, 19)),  # Diners Club
    (re.compile(r"35(?:2[89]|[3-8]\d)"), (16, 17, 18, 19)),  # JCB
    (re.compile(r"62"), (16, 17, 18, 19)),  # UnionPay
    (re.compile(r"5[06-9]|6\d"), (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (re.compile(r"60|65|8[12]|508"), (16,)),  # RuPay
)
# Postcodes: UK, Canada, US ZIP(+4), India PIN, and the 4-5 digit codes of most of Europe
_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d|\d{5}(?:-\d{4})?|\d{3}[ ]?\d{3}|\d{4}"
_POSTCODE_AFTER_ADDRESS = re.compile(
    r"(\[address\](?:,?[ ]+(?:[A-Za-z][\w'.-]*|[A-Z]{2}))?(?:,?[ ]+[A-Za-z][\w'.-]*)?,?[ ]+)(?:" + _POSTCODE + r")\b"
)
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


def is_card_number(digits: str) -> bool:
    """True for a Luhn-valid number with a card network's prefix and length."""
    return luhn_valid(digits) and any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in _NETWORKS)


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
            text = _POSTCODE_AFTER_ADDRESS.sub(r"\1[postcode]", text)
        for pattern in self._extra:
            text = pattern.sub("[redacted]", text)
        return text

    @staticmethod
    def _digits_or(match: re.Match[str], text: str, placeholder: str, card: bool) -> str:
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        if card and is_card_number(digits):
            return placeholder  # a card number wherever it appears, after "order" or "#" too
        if _ORDER_CONTEXT.search(text[: match.start()]):
            return raw  # an order id the bot needs
        if card:
            return placeholder if 13 <= len(digits) <= 19 and luhn_valid(digits) else raw
        return placeholder if 8 <= len(digits) <= 15 else raw


def masker_from(kinds: Iterable[str], extra_patterns: Iterable[str] = ()) -> Masker:
    """Build a masker from settings."""
    return Masker(tuple(kinds), list(extra_patterns))
