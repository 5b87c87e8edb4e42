"""What a shopper would accept from one turn, checked against the catalog (never a recorded reply).

Each expectation key of a dialogue turn (tests/conversations/README.md) is one check of a
kind; the suite reports pass rates per kind. A check gets the turn as the runner saw it
(`Observed`), the dialogue's history (`History`) and the catalog, and returns None when it
holds, or a short reason when it does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KIND = {
    "cards": "cards",
    "no_cards": "cards",
    "price_max": "price",
    "price_min": "price",
    "category": "category",
    "brand": "brand",
    "color": "color",
    "size": "size",
    "not_color": "negation",
    "not_brand": "negation",
    "not_words": "negation",
    "cheaper": "cheaper",
    "new_cards": "more",
    "about_card": "reference",
    "cart_add": "cart",
    "order_status": "order",
    "handoff": "handoff",
    "language": "language",
    "text_any": "text",
    "text_none": "text",
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def load_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """Return the catalog's products by id."""
    products = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {p["id"]: p for p in products}


@dataclass
class Observed:
    """One turn as the shopper saw it, plus the state the runner read back from the API."""

    text: str
    cards: list[str]
    cart_added: list[str] = field(default_factory=list)  # product ids added to the cart in this turn
    orders: dict[str, str] = field(default_factory=dict)  # order id -> status, after the turn
    handed_off: bool = False


@dataclass
class History:
    """The dialogue so far: every card shown, and the most recent non-empty list."""

    shown: set[str] = field(default_factory=set)
    last_list: list[str] = field(default_factory=list)

    def saw(self, cards: list[str]) -> None:
        """A reply's cards are the new list unless all of them were in the list before: a reply
        about shown products ("is the first one in stock?") keeps the list the shopper counts in."""
        if cards and not set(cards) <= set(self.last_list):
            self.last_list = list(cards)


def _words(value: Any) -> list[str]:
    return [str(v).lower() for v in (value if isinstance(value, list) else [value])]


def _colour(product: Mapping[str, Any]) -> str:
    return str((product.get("attributes") or {}).get("color") or "").lower()


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word.lower())}(?![a-z0-9])", text.lower()) is not None


def _every_card(
    products: Sequence[Mapping[str, Any]], ok: Callable[[Mapping[str, Any]], bool], what: str
) -> str | None:
    bad = [p["title"][:40] for p in products if not ok(p)]
    return f"{len(bad)} card(s) not {what}: {bad[:3]}" if bad else None


@dataclass
class _Turn:
    seen: Observed
    history: History
    products: list[Mapping[str, Any]]
    catalog: Mapping[str, Mapping[str, Any]]

    def earlier(self) -> list[Mapping[str, Any]]:
        """The most recent earlier list's products."""
        return [self.catalog[c] for c in self.history.last_list if c in self.catalog]


def check(
    key: str, want: Any, seen: Observed, history: History, catalog: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """Return None when the expectation `key: want` holds for this turn, else why not."""
    products = [catalog[c] for c in seen.cards if c in catalog]
    if len(products) < len(seen.cards):
        return f"cards not in the catalog: {[c for c in seen.cards if c not in catalog][:3]}"
    return _CHECKS[key](want, _Turn(seen, history, products, catalog))


def _cards(want: Any, t: _Turn) -> str | None:
    return None if bool(t.products) == bool(want) else ("no cards" if want else f"{len(t.products)} unwanted card(s)")


def _no_cards(want: Any, t: _Turn) -> str | None:
    return _cards(not want, t)


def _price_max(want: Any, t: _Turn) -> str | None:
    return _every_card(t.products, lambda p: p.get("price") is not None and p["price"] <= float(want), f"<= {want}")


def _price_min(want: Any, t: _Turn) -> str | None:
    return _every_card(t.products, lambda p: p.get("price") is not None and p["price"] >= float(want), f">= {want}")


def _category(want: Any, t: _Turn) -> str | None:
    """A whole word of the category path or title, or its plural: "ring" is not "earring"."""

    def ok(p: Mapping[str, Any]) -> bool:
        haystack = " ".join([*p.get("category_path", []), p.get("title", "")])
        return any(
            _has_word(haystack, w) or _has_word(haystack, w + "s") or _has_word(haystack, w + "es")
            for w in _words(want)
        )

    return _every_card(t.products, ok, f"in {want}")


def _brand(want: Any, t: _Turn) -> str | None:
    return _every_card(t.products, lambda p: str(p.get("brand") or "").lower() in _words(want), f"of brand {want}")


def _color(want: Any, t: _Turn) -> str | None:
    def ok(p: Mapping[str, Any]) -> bool:
        colour = _colour(p)
        return any((_has_word(colour, w) if colour else _has_word(p["title"], w)) for w in _words(want))

    return _every_card(t.products, ok, f"coloured {want}")


def _size(want: Any, t: _Turn) -> str | None:
    def ok(p: Mapping[str, Any]) -> bool:
        size = str((p.get("attributes") or {}).get("size") or "")
        return any(_has_word(size or p["title"], w) for w in _words(want))

    return _every_card(t.products, ok, f"in size {want}")


def _not_color(want: Any, t: _Turn) -> str | None:
    def ok(p: Mapping[str, Any]) -> bool:
        return not any(_has_word(_colour(p) or p["title"], w) for w in _words(want))

    return _every_card(t.products, ok, f"free of {want}")


def _not_brand(want: Any, t: _Turn) -> str | None:
    return _every_card(t.products, lambda p: str(p.get("brand") or "").lower() not in _words(want), f"not {want}")


def _not_words(want: Any, t: _Turn) -> str | None:
    def ok(p: Mapping[str, Any]) -> bool:
        text = " ".join([p["title"], str((p.get("attributes") or {}).get("material") or ""), p.get("description", "")])
        return not any(_has_word(text, w) for w in _words(want))

    return _every_card(t.products, ok, f"without {want}")


def _cheaper(want: Any, t: _Turn) -> str | None:
    if not t.products:
        return "no cards"
    previous = [p for p in t.earlier() if p.get("price") is not None]
    if not previous:
        return "no earlier list to be cheaper than"
    floor = min(p["price"] for p in previous)
    return _every_card(t.products, lambda p: p.get("price") is not None and p["price"] < floor, f"cheaper than {floor}")


def _new_cards(want: Any, t: _Turn) -> str | None:
    if not t.products:
        return "no cards"
    repeated = [c for c in t.seen.cards if c in t.history.shown]
    return f"{len(repeated)} card(s) shown before" if repeated else None


def _about_card(want: Any, t: _Turn) -> str | None:
    position = int(want)
    if len(t.history.last_list) < position:
        return f"no card {position} was shown"
    target_id = t.history.last_list[position - 1]
    title = str(t.catalog.get(target_id, {}).get("title", ""))
    if target_id in t.seen.cards[:1] or target_id in t.seen.cart_added:
        return None
    if title and title.lower()[:25] in t.seen.text.lower():
        return None
    return f"the reply is not about card {position} ({title[:40]})"


def _cart_add(want: Any, t: _Turn) -> str | None:
    positions = [int(w) for w in (want if isinstance(want, list) else [want])]
    if any(len(t.history.last_list) < p for p in positions):
        return f"positions {positions} were not all shown"
    missing = [p for p in positions if t.history.last_list[p - 1] not in t.seen.cart_added]
    return f"not added to the cart: positions {missing}" if missing else None


def _order_status(want: Any, t: _Turn) -> str | None:
    wrong = {o: t.seen.orders.get(o) for o, s in dict(want).items() if t.seen.orders.get(o) != s}
    return f"order states {wrong}, wanted {dict(want)}" if wrong else None


def _handoff(want: Any, t: _Turn) -> str | None:
    return None if t.seen.handed_off == bool(want) else f"handed off: {t.seen.handed_off}"


def _language(want: Any, t: _Turn) -> str | None:
    letters = [c for c in t.seen.text if c.isalpha()]
    share = sum(bool(_CJK.match(c)) for c in letters) / max(1, len(letters))
    found = "zh" if share >= 0.3 else "en"
    return None if found == str(want).split("-")[0] else f"reply language {found}"


def _text_any(want: Any, t: _Turn) -> str | None:
    return None if any(w in t.seen.text.lower() for w in _words(want)) else f"none of {want} in the reply"


def _text_none(want: Any, t: _Turn) -> str | None:
    found = [w for w in _words(want) if _has_word(t.seen.text, w)]
    return f"{found} in the reply" if found else None


_CHECKS: dict[str, Callable[[Any, _Turn], str | None]] = {
    "cards": _cards,
    "no_cards": _no_cards,
    "price_max": _price_max,
    "price_min": _price_min,
    "category": _category,
    "brand": _brand,
    "color": _color,
    "size": _size,
    "not_color": _not_color,
    "not_brand": _not_brand,
    "not_words": _not_words,
    "cheaper": _cheaper,
    "new_cards": _new_cards,
    "about_card": _about_card,
    "cart_add": _cart_add,
    "order_status": _order_status,
    "handoff": _handoff,
    "language": _language,
    "text_any": _text_any,
    "text_none": _text_none,
}
assert set(_CHECKS) == set(KIND)
