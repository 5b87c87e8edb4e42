"""What the conversation says the shopper wants: the need, its constraints, what was shown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.filters import ProductFilter

SEARCH_INTENTS = {"search_product", "ask_recommendation", "product_info", "compare_products", "check_availability"}
CONSTRAINT_ENTITIES = ("category", "brand", "color", "price_min", "price_max")


@dataclass
class ChatNeed:
    """The shopper's current need, accumulated over the conversation's recent turns."""

    query: str = ""
    entities: dict[str, list[str]] = field(default_factory=dict)
    intents: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def product_filter(self) -> ProductFilter:
        """Return the hard constraints the shopper stated."""
        return filter_from_entities(self.entities)

    def has_constraints(self) -> bool:
        return any(self.entities.get(name) for name in CONSTRAINT_ENTITIES)


def _price(values: Sequence[str]) -> float | None:
    for value in reversed(values):
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def filter_from_entities(entities: dict[str, list[str]]) -> ProductFilter:
    """Map NLU entity values onto a product filter (in-stock products only)."""
    return ProductFilter(
        categories=tuple(entities.get("category", [])),
        brands=tuple(entities.get("brand", [])),
        colors=tuple(entities.get("color", [])),
        price_min=_price(entities.get("price_min", [])),
        price_max=_price(entities.get("price_max", [])),
        in_stock=True,
    )


def need_from_turns(turns: Iterable[dict[str, Any]], query: str = "") -> ChatNeed:
    """Build the need from stored turns (oldest first).

    Each turn is {"author", "text", "intent", "entities", "products"}. A newer value of an
    entity replaces the older one (the shopper changed their mind: "in blue" after "red");
    the query is the newest shopping message unless one is given.
    """
    need = ChatNeed(query=query)
    for turn in turns:
        if turn.get("author") == "shopper":
            if turn.get("intent"):
                need.intents.append(str(turn["intent"]))
            fresh: dict[str, list[str]] = {}
            for entity in turn.get("entities") or []:
                name, value = entity.get("entity"), entity.get("value")
                if name in CONSTRAINT_ENTITIES and value not in (None, ""):
                    fresh.setdefault(name, []).append(str(value))
            need.entities.update(fresh)
            if not query and turn.get("intent") in SEARCH_INTENTS:
                need.query = str(turn.get("text", ""))
        for product in turn.get("products") or []:
            if product.get("product_id") and product["product_id"] not in need.shown:
                need.shown.append(product["product_id"])
    return need
