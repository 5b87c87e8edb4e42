"""Product filters built from what the shopper said, and how they relax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from i18n import catalog
from retrieval.colors import canonical_color

_WORD = re.compile(r"[a-z0-9]+")


def term(word: str) -> str:
    """Normalise a category word: lower-case, naive singular ("shoes" -> "shoe")."""
    word = word.lower()
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and (word[-3] in "sxz" or word[-4:-2] in ("ch", "sh")):
        return word[:-2]  # "boxes", "watches", "brushes"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def category_terms(levels: list[str] | tuple[str, ...]) -> list[str]:
    """Return the normalised words of a category path, for keyword filtering."""
    return sorted({term(w) for level in levels for w in _WORD.findall(level.lower())})


@dataclass(frozen=True)
class ProductFilter:
    """Hard constraints on products; empty lists mean 'any'."""

    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    exclude_colors: tuple[str, ...] = ()
    exclude_brands: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()  # "no leather": none of these words in title or description
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None

    def normalised(self) -> ProductFilter:
        """Return the filter with values lower-cased and categories as terms."""
        low = lambda xs: tuple(sorted({x.strip().lower() for x in xs if x.strip()}))  # noqa: E731
        hue = lambda xs: tuple(sorted({canonical_color(x) for x in xs if x.strip()}))  # noqa: E731
        terms = lambda xs: tuple(sorted({t for c in xs for t in category_terms([c])}))  # noqa: E731
        return replace(
            self,
            categories=terms(self.categories),
            brands=low(self.brands),
            colors=hue(self.colors),
            exclude_colors=hue(self.exclude_colors),
            exclude_brands=low(self.exclude_brands),
            exclude_categories=terms(self.exclude_categories),
            exclude_words=terms(self.exclude_words),
        )

    def without_contradictions(self) -> ProductFilter:
        """A value both wanted and ruled out ("black, not black") is ruled out only."""
        f = self.normalised()
        return replace(
            f,
            colors=tuple(c for c in f.colors if c not in f.exclude_colors),
            brands=tuple(b for b in f.brands if b not in f.exclude_brands),
            categories=tuple(c for c in f.categories if c not in f.exclude_categories),
        )

    def is_empty(self) -> bool:
        """Return True when the filter constrains nothing."""
        return self == ProductFilter()

    def relaxations(self) -> list[tuple[str, ProductFilter]]:
        """Return looser filters, least important constraint dropped first."""
        steps: list[tuple[str, ProductFilter]] = []
        current = self
        for name, change in (
            ("color", {"colors": ()}),
            ("brand", {"brands": ()}),
            ("price", {"price_min": None, "price_max": None}),
            ("category", {"categories": ()}),
            ("exclusions", {"exclude_colors": (), "exclude_brands": (), "exclude_categories": (), "exclude_words": ()}),
        ):
            loosened = replace(current, **change)
            if loosened != current:
                steps.append((name, loosened))
                current = loosened
        return steps

    def matches(self, payload: dict[str, Any]) -> bool:
        """Return True when a product payload satisfies the filter (reference semantics)."""
        f = self.normalised()
        if f.categories and not set(f.categories) & set(payload.get("category_terms", [])):
            return False
        if f.brands and payload.get("brand") not in f.brands:
            return False
        colors = set(payload.get("color", []))
        if f.colors and not colors & set(f.colors):
            return False
        if colors & set(f.exclude_colors) or payload.get("brand") in f.exclude_brands:
            return False
        if set(f.exclude_categories) & set(payload.get("category_terms", [])) or has_words(payload, f.exclude_words):
            return False
        price = payload.get("price")
        if f.price_min is not None and (price is None or price < f.price_min):
            return False
        if f.price_max is not None and (price is None or price > f.price_max):
            return False
        in_stock = (payload.get("stock") or 0) >= 1
        return not (f.in_stock is not None and in_stock != f.in_stock)

    def describe(self, currency: str = "", language: str | None = None, stock: bool = True) -> list[str]:
        """Return the constraints in words, in the language: "jacket", "in red", "by Nike",
        "under ₹3,000", "not black" ("红色", "Nike 的", "₹3,000 以内", "不要黑色" in Chinese)."""

        say = catalog.translator(language)
        out = list(self.categories) + [say("in {color}", color=c) for c in self.colors]
        out += [say("by {brand}", brand=b) for b in self.brands]
        low = money(self.price_min, currency) if self.price_min is not None else None
        high = money(self.price_max, currency) if self.price_max is not None else None
        if low and high:
            out.append(say("between {low} and {high}", low=low, high=high))
        elif low:
            out.append(say("over {amount}", amount=low))
        elif high:
            out.append(say("under {amount}", amount=high))
        ruled_out = [*self.exclude_colors, *self.exclude_brands, *self.exclude_categories, *self.exclude_words]
        out += [say("not {value}", value=x) for x in dict.fromkeys(x.lower() for x in ruled_out)]
        if self.in_stock and stock:
            out.append(say("in stock"))
        return out


CURRENCY_SIGNS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥"}


def money(amount: float, currency: str = "") -> str:
    """Return an amount as a shopper reads it: "₹3,000", "$49.99", "CHF 12"."""
    digits = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    sign = CURRENCY_SIGNS.get(currency.upper())
    if sign:
        return f"{sign}{digits}"
    return f"{currency.upper()} {digits}" if currency else digits


def has_words(payload: dict[str, Any], words: tuple[str, ...]) -> bool:
    """Return True when the product's title or description names one of these (normalised) words."""
    if not words:
        return False
    text = f"{payload.get('title', '')} {payload.get('description', '')}".lower()
    return bool(set(words) & {term(w) for w in _WORD.findall(text)})


@dataclass
class FilterIndexSpec:
    """The payload fields that get an index, and their types."""

    keyword: tuple[str, ...] = ("category_terms", "brand", "color", "product_id")
    number: tuple[str, ...] = ("price", "stock")
    extra: dict[str, str] = field(default_factory=dict)


INDEXED_FIELDS = FilterIndexSpec()
