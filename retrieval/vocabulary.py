"""What the catalog calls things: its brands, its category words, its currency.

The query parser reads a shopper's words against it ("but not Skmei" rules out a brand the
catalog sells; "no rings" rules out a category), and a brand the NLU tagged that the
catalog only knows as a category ("red kurtas" read as brand "kurtas") filters the
category instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from retrieval.filters import ProductFilter, term
from retrieval.product import COLOR_WORDS

_WORD = re.compile(r"[a-z0-9]+")
# Materials and features a shopper rules out by name ("no leather", "without plastic").
MATERIAL_WORDS = frozenset(
    term(w)
    for w in (
        "leather", "suede", "plastic", "metal", "steel", "wood", "wooden", "glass", "cotton", "wool",
        "silk", "polyester", "nylon", "synthetic", "denim", "rubber", "ceramic", "silicone", "velvet",
        "lace", "fur", "gold", "silver", "diamond", "print", "printed", "floral", "stripe", "striped",
        "sleeveless", "heel", "hood", "hooded", "zip", "zipper", "strap", "logo",
    )
)  # fmt: skip
# Words a category path holds that say nothing about what a product is.
_NOT_CATEGORY = frozenset({"and", "for", "the", "of", "accessory", "accessories", "other", "part", "spare", "more"})
# Words after "not" that say how, not what: "not too big", "not sure", "no more than"
_VAGUE = frozenset(
    (
        "too", "very", "so", "that", "this", "the", "any", "more", "less", "much", "many", "big", "small",
        "sure", "really", "quite", "just", "only", "for", "with", "in", "on", "of", "and", "or", "to", "my",
        "me", "it", "you", "is", "are", "be", "at", "by", "from", "one", "ones", "kind", "type", "problem",
        "worries", "expensive", "cheap", "costly", "pricey", "good", "bad", "fan", "interested", "looking",
        "need", "want", "like", "thank", "thanks", "idea", "way", "hurry", "rush", "doubt", "now", "yet",
    )
)  # fmt: skip
# Where a request's head noun ends: "tops | for college", "a watch | under 2000"
_HEAD_END = re.compile(r"\b(?:for|with|under|below|over|above|between|in|from|by|to|that|which|but|and)\b|[.,;!?]")
# Who a product is for: a shopper's "for men" narrows a category, it does not name one.
AUDIENCE_WORDS = frozenset(
    term(w)
    for w in ("men", "mens", "women", "womens", "kids", "girls", "boys", "baby", "unisex", "gift", "present", "combo")
)


@dataclass(frozen=True)
class CatalogVocabulary:
    """The catalog's brands (lower-cased), category terms and most common currency."""

    brands: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    currency: str = ""
    colors: frozenset[str] = field(default=frozenset(COLOR_WORDS))
    title_words: frozenset[str] = field(default=frozenset(), compare=False)  # words product titles use

    @classmethod
    def from_payloads(cls, payloads: Iterable[Mapping[str, Any]]) -> CatalogVocabulary:
        """Build it from product payloads (brand_display or brand, category_path, currency)."""
        brands: set[str] = set()
        terms: set[str] = set()
        currencies: Counter[str] = Counter()
        titles: set[str] = set()
        for p in payloads:
            brand = str(p.get("brand_display") or p.get("brand") or "").strip().lower()
            if brand:
                brands.add(brand)
            path = p.get("category_path") or ""
            levels = path.split(">") if isinstance(path, str) else list(path)
            terms.update(term(w) for level in levels for w in _WORD.findall(str(level).lower()))
            if p.get("currency"):
                currencies[str(p["currency"])] += 1
            titles.update(_WORD.findall(str(p.get("title", "")).lower()))
        categories = frozenset(c for c in terms if len(c) > 2 and c not in _NOT_CATEGORY)
        currency = currencies.most_common(1)[0][0] if currencies else ""
        return cls(frozenset(brands), categories, currency, title_words=frozenset(titles))

    def category_in(self, text: str) -> str | None:
        """The category a request names in passing ("a waterproof jacket under 3000" -> jacket).

        A word of the catalog's category paths that says what a product is (not audience or
        purpose words like "men" or "gift"). The head of the request wins: the last such word
        before "for", "with", "under"... ("need a watch for my husband" -> watch, "casual tops
        for college" -> top), else the last one anywhere ("a gift. she likes bracelets" -> bracelet).
        """
        head = _HEAD_END.split(text.lower(), maxsplit=1)[0]
        return self._last_product_word(head) or self._last_product_word(text.lower())

    def _last_product_word(self, text: str) -> str | None:
        for word in reversed([term(w) for w in _WORD.findall(text)]):
            if word in self.categories and word not in AUDIENCE_WORDS and word not in self.colors:
                return word
        return None

    def is_category(self, word: str) -> bool:
        return term(word) in self.categories

    def is_brand(self, phrase: str) -> bool:
        return phrase.strip().lower() in self.brands

    def reconcile(self, flt: ProductFilter) -> ProductFilter:
        """Read a tagged brand the catalog only knows as a category as that category, and drop
        any value that is both wanted and ruled out."""
        moved = [b for b in flt.brands if not self.is_brand(b) and all(self.is_category(w) for w in b.split())]
        if moved:
            flt = replace(
                flt,
                brands=tuple(b for b in flt.brands if b not in moved),
                categories=tuple(dict.fromkeys([*flt.categories, *moved])),
            )
        return flt.without_contradictions()

    def classify(self, phrase: str) -> tuple[str, str] | None:
        """What a ruled-out phrase names: ("color"|"brand"|"category"|"word", value), or None.

        The longest leading run of words that the catalog knows wins: "skmei watches" is the
        brand Skmei, "leather bags" the material leather.
        """
        words = phrase.lower().split()
        for n in range(min(4, len(words)), 0, -1):
            head = " ".join(words[:n])
            if self.is_brand(head):
                return "brand", head
        first = words[0] if words else ""
        if first in self.colors:
            return "color", first
        if term(first) in MATERIAL_WORDS:
            return "word", first
        if first and self.is_category(first):
            return "category", first
        if len(first) > 2 and first in self.title_words and first not in _VAGUE:
            return "word", first  # "but not Skmei" where the catalog names Skmei only in titles
        return None
