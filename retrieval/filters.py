"""Product filters built from what the shopper said, and how they relax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")


def term(word: str) -> str:
    """Normalise a category word: lower-case, naive singular ("shoes" -> "shoe")."""
    word = word.lower()
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
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
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None

    def normalised(self) -> ProductFilter:
        """Return the filter with values lower-cased and categories as terms."""
        low = lambda xs: tuple(sorted({x.strip().lower() for x in xs if x.strip()}))  # noqa: E731
        cats = tuple(sorted({t for c in self.categories for t in category_terms([c])}))
        return replace(
            self,
            categories=cats,
            brands=low(self.brands),
            colors=low(self.colors),
            exclude_colors=low(self.exclude_colors),
            exclude_brands=low(self.exclude_brands),
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
            ("exclusions", {"exclude_colors": (), "exclude_brands": ()}),
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
        price = payload.get("price")
        if f.price_min is not None and (price is None or price < f.price_min):
            return False
        if f.price_max is not None and (price is None or price > f.price_max):
            return False
        in_stock = (payload.get("stock") or 0) >= 1
        return not (f.in_stock is not None and in_stock != f.in_stock)

    def describe(self) -> list[str]:
        """Return human-readable constraints ("under 50", "not black")."""
        out = [f"category {c}" for c in self.categories] + [f"brand {b}" for b in self.brands]
        out += [f"colour {c}" for c in self.colors] + [f"not {c}" for c in self.exclude_colors]
        out += [f"not {b}" for b in self.exclude_brands]
        if self.price_min is not None:
            out.append(f"over {self.price_min:g}")
        if self.price_max is not None:
            out.append(f"under {self.price_max:g}")
        if self.in_stock:
            out.append("in stock")
        return out


@dataclass
class FilterIndexSpec:
    """The payload fields that get an index, and their types."""

    keyword: tuple[str, ...] = ("category_terms", "brand", "color", "product_id")
    number: tuple[str, ...] = ("price", "stock")
    extra: dict[str, str] = field(default_factory=dict)


INDEXED_FIELDS = FilterIndexSpec()
