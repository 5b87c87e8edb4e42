"""The catalog's product type."""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from retrieval.colors import canonical_color, color_words

_WORD = re.compile(r"[a-z]+")
COLOR_WORDS = color_words()  # the colours a title may name (retrieval.colors)
_NAMESPACE = uuid.UUID("6f1c1e52-8a5e-4c2a-9d07-5b1f3f3f2a10")


@dataclass(frozen=True)
class Product:
    """One sellable product as the shop exports it."""

    id: str
    title: str
    description: str = ""
    category_path: tuple[str, ...] = ()
    brand: str = ""
    price: float | None = None
    currency: str = "INR"
    attributes: dict[str, str] = field(default_factory=dict)
    image_url: str = ""
    rating: float | None = None
    stock: int = 0
    updated_at: str = ""
    # the shop's own texts in other languages: {"zh": {"title": ..., "description": ...}}
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def point_id(self) -> str:
        """Return the stable UUID the vector store keys this product by."""
        return str(uuid.uuid5(_NAMESPACE, self.id))

    @property
    def colors(self) -> list[str]:
        """Return the product's colours, lower-cased: its colour attribute, else the title's."""
        raw = self.attributes.get("color", "")
        found = [canonical_color(c) for c in raw.replace("/", ",").replace("&", ",").split(",") if c.strip()]
        if not found:
            words = _WORD.findall(self.title.lower())
            found = list(dict.fromkeys(canonical_color(w) for w in words if w in COLOR_WORDS))
        return found

    def search_text(self) -> str:
        """Return the text that the dense encoder sees (the catalog's own language)."""
        parts = [self.title, self.brand, " ".join(self.category_path[-2:]), self.description[:400]]
        return ". ".join(p for p in parts if p)

    def multilingual_text(self) -> str:
        """Return the text the multilingual encoder sees: the catalog's own language only
        (title, brand, category, start of the description), no translations.

        e5 scores a Chinese query higher against any Chinese text than against English, so
        vectors of translated titles pull the translated products above better matches that
        have none (on the Chinese development set, bench/data/search_zh_dev: hybrid nDCG@10
        0.692 with translations, 0.753 without). With every product in one language, the
        translations still reach Chinese queries through BM25 (`lexical_text`)."""
        parts = [self.title[:300], self.brand[:100], " ".join(self.category_path[-2:])[:200], self.description[:200]]
        return ". ".join(p for p in parts if p)  # bounded: e5 reads every 512-token window of what it is given

    def lexical_text(self) -> str:
        """Return the text BM25 indexes: the search text plus the translated title and
        description, so a Chinese query finds a product by its Chinese name."""
        extra = [
            t.get(k, "")[: 400 if k == "description" else None]
            for t in self.translations.values()
            for k in ("title", "description")
        ]
        return ". ".join(p for p in [self.search_text(), *extra] if p)

    def to_payload(self) -> dict[str, Any]:
        """Return the payload stored beside the vectors (filter fields lower-cased)."""
        return {
            "product_id": self.id,
            "title": self.title,
            "description": self.description[:500],
            "category": [c.lower() for c in self.category_path],
            "category_path": " > ".join(self.category_path),
            "brand": self.brand.lower(),
            "brand_display": self.brand,
            "color": self.colors,
            "price": self.price,
            "currency": self.currency,
            "image_url": self.image_url,
            "rating": self.rating,
            "stock": self.stock,
            "in_stock": self.stock > 0,
            "updated_at": self.updated_at,
            **{f"{key}_{lang}": text[:500] for lang, t in self.translations.items() for key, text in t.items() if text},
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (the JSON Lines catalog format)."""
        d = asdict(self)
        d["category_path"] = list(self.category_path)
        return d
