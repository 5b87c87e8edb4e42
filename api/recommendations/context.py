"""What the conversation says the shopper wants: the need, its constraints, what was shown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from i18n.language import has_cjk
from i18n.phrases import ZH_CHEAPER, ZH_MORE, ZH_PRICIER, ZH_REFERENCE, phrase
from retrieval.filters import ProductFilter
from retrieval.query_parser import is_negated

SEARCH_INTENTS = {"search_product", "ask_recommendation", "product_info", "compare_products", "check_availability"}
CONSTRAINT_ENTITIES = ("category", "brand", "color", "price_min", "price_max")
EXCLUDABLE = {"category": "not_category", "brand": "not_brand", "color": "not_color"}


@dataclass
class ChatNeed:
    """The shopper's current need, accumulated over the conversation's recent turns."""

    query: str = ""
    entities: dict[str, list[str]] = field(default_factory=dict)
    intents: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    refinements: list[str] = field(default_factory=list)  # follow-ups' texts ("not black ones")
    more: bool = False  # the latest turn asks for more of the same ("show me more")
    relative: str = ""  # "cheaper" or "pricier" than shown: the typed bound on that side no longer holds
    shown_for_need: list[str] = field(default_factory=list)  # products shown since this need began
    subject: list[str] = field(default_factory=list)  # what the request names: its product entities ("watch")

    @property
    def constraint_text(self) -> str:
        """The request and its follow-ups, where typed constraints ("not black") are read from."""
        return " . ".join([self.query, *self.refinements]).strip(" .")

    def product_filter(self) -> ProductFilter:
        """Return the hard constraints the shopper stated."""
        return filter_from_entities(self.entities)

    def has_constraints(self) -> bool:
        return any(self.entities.get(name) for name in (*CONSTRAINT_ENTITIES, *EXCLUDABLE.values()))


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
        exclude_categories=tuple(entities.get("not_category", [])),
        exclude_brands=tuple(entities.get("not_brand", [])),
        exclude_colors=tuple(entities.get("not_color", [])),
        price_min=_price(entities.get("price_min", [])),
        price_max=_price(entities.get("price_max", [])),
        in_stock=True,
    )


CHEAPER = phrase(r"\b(cheaper|less expensive|lower price|more affordable|too expensive|budget)\b", ZH_CHEAPER)
MORE = phrase(
    re.compile(
        r"^\W*(?:(?:ok|okay|yes|yeah|yep|sure|hmm+|and|so|pls|please|cool|nice)\W+)*"
        r"(?:(?:show|give|got|any|have|see|find)\s+(?:me\s+|you\s+)?)?"
        r"(?:some\s+)?(?:more|others?|other ones|another one|different ones|else|next(?: page)?)\b"
        r"(?!\s+(?:expensive|about|info|details|like this one))",
        re.I,
    ),
    ZH_MORE,
)
PRICIER = phrase(r"\b(more expensive|pricier|higher[- ]end|more premium|better quality)\b", ZH_PRICIER)
SUBJECT_ENTITIES = ("product", "category")
# "the second one", "both", "#2": about a shown card, not a new request
REFERENCE = phrase(
    r"\b(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th|both|that one|this one|these|those)\b"
    r"|#\s*\d\b|\bnumber\s+\d\b",
    ZH_REFERENCE,
)
_FILLER = re.compile(
    r"^(hi|hello|hey|please|so|ok|okay)?[,!. ]*"
    r"(i'?m|i am|we'?re)?\s*(looking for|searching for|after|in the market for)?\s*"
    r"(can you|could you|would you|do you|have you)?\s*(please)?\s*(have|got|sell|carry)?\s*"
    r"(show me|find me|find|get me|recommend|suggest)?\s*"
    r"(i|we)?\s*(want|need|would like|'d like)?\s*(to buy)?\s*(some|a|an|the)?\s+",
    re.I,
)


# "亲，有没有…的", "帮我找一下…吗": the words around a Chinese request that name no product
_ZH_FILLER_START = re.compile(
    r"^(?:[亲你好在吗请问，,。!！\s]|有没有|有木有|我想买|我想要|想买|想要|我要|帮我找|帮我搜|找一下|给我推荐|推荐|看看|一下|的)+"
)
_ZH_FILLER_END = re.compile(r"(?:[吗呢呀啊吧哦嘛？?！!。，,\s]|有吗|有没有|的)+$")


def need_label(query: str) -> str:
    """Return the gist of a request for a reason line: "I'm looking for running shoes" -> "running shoes",
    "有没有500以内的跑步鞋" (its price read out) -> "跑步鞋"."""
    if has_cjk(query):
        return _ZH_FILLER_END.sub("", _ZH_FILLER_START.sub("", query.strip())) or query.strip()
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
    for i, turn in enumerate(pending):
        if turn.get("author") == "shopper":
            _read_shopper_turn(need, turn, last_prices, searched=_answered_with_products(pending, i))
        products = turn.get("products") or []
        if products:
            last_prices = [float(p["price"]) for p in products if p.get("price") is not None]
        for product in products:
            pid = product.get("product_id")
            if pid and pid not in need.shown:
                need.shown.append(pid)
            if pid and pid not in need.shown_for_need:
                need.shown_for_need.append(pid)
    return need


def _answered_with_products(turns: list[dict[str, Any]], i: int) -> bool:
    """True when the bot answered turn i with products: it was a search, whatever its intent
    ("tops under 800" read as a price question, and answered with tops)."""
    for later in turns[i + 1 :]:
        if later.get("author") == "shopper":
            return False
        if later.get("products"):
            return True
    return False


def _read_shopper_turn(need: ChatNeed, turn: dict[str, Any], last_prices: list[float], searched: bool = False) -> None:
    """Fold one shopper turn into the need: a new request, or a refinement of the last one."""
    text = str(turn.get("text", ""))
    if turn.get("intent"):
        need.intents.append(str(turn["intent"]))
    names = {e.get("entity") for e in turn.get("entities") or []}
    if need.query and REFERENCE.search(text) and not names & set(SUBJECT_ENTITIES):
        need.more = False
        return  # "is the first one in stock?" is about a card shown, not a new request
    searching = turn.get("intent") in SEARCH_INTENTS or searched
    more = bool(need.query) and bool(MORE.search(text))
    cheaper, pricier = bool(CHEAPER.search(text)), bool(PRICIER.search(text))  # whatever the NLU called it
    refinement = bool(need.query) and (more or cheaper or pricier or (searching and _is_refinement(turn, text)))
    need.more = more
    if searching and not refinement:
        need.query, need.entities, need.refinements, need.shown_for_need, need.relative = text, {}, [], [], ""
        need.subject = [
            str(e["value"]) for e in turn.get("entities") or [] if e.get("entity") == "product" and e.get("value")
        ]
    elif refinement:
        need.refinements.append(text)
    fresh: dict[str, list[str]] = {}
    for entity in turn.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name not in CONSTRAINT_ENTITIES or value in (None, ""):
            continue
        if name in EXCLUDABLE and is_negated(text, str(value)):
            name = EXCLUDABLE[name]  # "not black": ruled out, never also wanted
        fresh.setdefault(name, []).append(str(value))
    for name, values in fresh.items():
        if name.startswith("not_"):
            need.entities[name] = list(dict.fromkeys([*need.entities.get(name, []), *values]))
        else:
            need.entities[name] = values
    if refinement and last_prices and cheaper:
        need.entities["price_max"] = [f"{min(last_prices) - 0.01:.2f}"]
        need.entities.pop("price_min", None)
        need.relative = "cheaper"
    elif refinement and last_prices and pricier:
        need.entities["price_min"] = [f"{max(last_prices) + 0.01:.2f}"]
        need.entities.pop("price_max", None)
        need.relative = "pricier"
