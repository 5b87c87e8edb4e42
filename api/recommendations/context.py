"""What the conversation says the shopper wants: the need, its constraints, what was shown."""

from __future__ import annotations

import re
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


CHEAPER = re.compile(r"\b(cheaper|less expensive|lower price|more affordable|too expensive|budget)\b", re.I)
PRICIER = re.compile(r"\b(more expensive|pricier|higher[- ]end|more premium|better quality)\b", re.I)
SUBJECT_ENTITIES = ("product", "category")
_FILLER = re.compile(
    r"^(hi|hello|hey|please|so|ok|okay)?[,!. ]*"
    r"(i'?m|i am|we'?re)?\s*(looking for|searching for|after|in the market for)?\s*"
    r"(can you|could you|would you|do you|have you)?\s*(please)?\s*(have|got|sell|carry)?\s*"
    r"(show me|find me|find|get me|recommend|suggest)?\s*"
    r"(i|we)?\s*(want|need|would like|'d like)?\s*(to buy)?\s*(some|a|an|the)?\s+",
    re.I,
)


def need_label(query: str) -> str:
    """Return the gist of a request for a reason line: "I'm looking for running shoes" -> "running shoes"."""
    text = query.strip().rstrip("?!. ")
    stripped = _FILLER.sub("", text + " ", count=1).strip() if text else ""
    return stripped or text


def _is_refinement(turn: dict[str, Any], text: str) -> bool:
    """A follow-up that narrows the last request ("cheaper ones", "in blue") names no new product."""
    names = {e.get("entity") for e in turn.get("entities") or []}
    if names & set(SUBJECT_ENTITIES):
        return False
    return (
        bool(CHEAPER.search(text) or PRICIER.search(text) or names & set(CONSTRAINT_ENTITIES)) or len(text.split()) <= 3
    )


def need_from_turns(turns: Iterable[dict[str, Any]], query: str = "") -> ChatNeed:
    """Build the need from stored turns (oldest first).

    Each turn is {"author", "text", "intent", "entities", "products"}. A newer value of an
    entity replaces the older one (the shopper changed their mind: "in blue" after "red").
    A follow-up that names no product ("show me cheaper ones", "in blue") refines the last
    request: its query is kept, "cheaper"/"more expensive" bound the price by what was just
    shown. A message that names a new product starts a new need.
    """
    need = ChatNeed()
    last_prices: list[float] = []
    pending = [*turns]
    if query:
        pending.append({"author": "shopper", "text": query, "intent": "search_product", "entities": []})
    for turn in pending:
        if turn.get("author") == "shopper":
            text = str(turn.get("text", ""))
            if turn.get("intent"):
                need.intents.append(str(turn["intent"]))
            searching = turn.get("intent") in SEARCH_INTENTS
            refinement = searching and bool(need.query) and _is_refinement(turn, text)
            if searching and not refinement:
                need.query, need.entities = text, {}
            fresh: dict[str, list[str]] = {}
            for entity in turn.get("entities") or []:
                name, value = entity.get("entity"), entity.get("value")
                if name in CONSTRAINT_ENTITIES and value not in (None, ""):
                    fresh.setdefault(name, []).append(str(value))
            need.entities.update(fresh)
            if refinement and last_prices and CHEAPER.search(text):
                need.entities["price_max"] = [f"{min(last_prices) - 0.01:.2f}"]
                need.entities.pop("price_min", None)
            elif refinement and last_prices and PRICIER.search(text):
                need.entities["price_min"] = [f"{max(last_prices) + 0.01:.2f}"]
                need.entities.pop("price_max", None)
        products = turn.get("products") or []
        if products:
            last_prices = [float(p["price"]) for p in products if p.get("price") is not None]
        for product in products:
            if product.get("product_id") and product["product_id"] not in need.shown:
                need.shown.append(product["product_id"])
    return need
