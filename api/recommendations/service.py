"""Recommendations for one shopper and conversation: chat need + behaviour + retrieval."""

from __future__ import annotations

import logging
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.behaviour.service import as_utc, recent_events
from api.conversations.models import Conversation, Message
from api.conversations.service import shopper_keys
from api.db import utcnow
from api.recommendations.context import SEARCH_INTENTS, ChatNeed, need_from_turns, need_label
from api.recommendations.cooccurrence import CoOccurrenceModel
from api.recommendations.fusion import behaviour_scores, merge
from api.recommendations.history import HistoryScores, Interaction, score_history
from api.recommendations.schemas import RecommendationsIn, RecommendationsOut, RecommendedProduct
from api.recommendations.session_knn import Blend
from i18n import catalog
from i18n.catalog import N_
from i18n.language import ENGLISH
from retrieval.filters import ProductFilter
from retrieval.search import ProductSearcher
from retrieval.spelling import respell

log = logging.getLogger(__name__)
CHAT_CANDIDATES = 50
BEHAVIOUR_CANDIDATES = 100
SEEN_PAYLOADS = 5000
PER_CATEGORY = 2  # diversity: at most this many of one category in a row of results


def conversation_turns(session: Session, conversation_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """Return the conversation's recent turns (oldest first) in the shape need_from_turns reads."""
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq.desc()).limit(limit)
    ).all()
    return [
        {
            "author": m.author,
            "text": m.text,
            "intent": m.intent,
            "entities": m.entities or [],
            "products": (m.content or {}).get("products", []),
        }
        for m in reversed(rows)
    ]


@dataclass
class _Context:
    """What the cards and their reasons are built from."""

    payloads: dict[str, dict[str, Any]]
    history: HistoryScores
    chat_reason: dict[str, str]
    cold_start: bool
    language: str = ENGLISH


@dataclass
class _ChatSide:
    """What the conversation asked for, as found in the index."""

    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    index_up: bool = True
    relaxed: list[str] = field(default_factory=list)  # nothing met every constraint without dropping these


REASON_GIST_CHARS = 60


FITS = N_("fits what you asked for")


def chat_reason(gist: str, constraints: list[str], language: str = ENGLISH) -> str:
    """Why a searched product is on the list, in whole phrases: "matches 'rain jacket', under ₹3,000, not black".

    A long request is not cut mid-word: the reason then names the constraints alone.
    """
    named = [c for c in constraints if c.lower() not in gist.lower()]
    comma = catalog.text(language, ", ")
    if gist and len(gist) <= REASON_GIST_CHARS:
        return comma.join([catalog.text(language, "matches '{gist}'", gist=gist), *named])
    return comma.join([catalog.text(language, FITS), *constraints])


class Recommender:
    """Merges what the shopper said (chat), did (behaviour) and what matches (retrieval)."""

    def __init__(self, searcher: ProductSearcher, cooccurrence: CoOccurrenceModel | None = None) -> None:
        self.searcher = searcher
        self.cooccurrence = cooccurrence or CoOccurrenceModel()
        self._seen: OrderedDict[str, dict[str, Any]] = OrderedDict()  # payloads served lately (index outages)

    def _payloads(self, ids: Sequence[str]) -> tuple[dict[str, dict[str, Any]], bool]:
        """Return payloads by id and whether the index answered; falls back to those served lately."""
        try:
            found = {p["product_id"]: p for p in self.searcher.index.get(list(ids))}
        except Exception as exc:  # noqa: BLE001 - any index failure degrades to what we remember
            log.warning("recs.index_unavailable error=%s", type(exc).__name__)
            return {i: self._seen[i] for i in ids if i in self._seen}, False
        for pid, payload in found.items():
            self._seen[pid] = payload
            self._seen.move_to_end(pid)
        while len(self._seen) > SEEN_PAYLOADS:
            self._seen.popitem(last=False)
        return found, True

    def recommend(self, session: Session, request: RecommendationsIn) -> RecommendationsOut:
        """Return up to request.limit in-stock products, each with a reason."""
        need = need_from_turns(self._turns(session, request))
        language = request.language or self._language_of(session, request.conversation_id)
        model = self.cooccurrence.model(session)
        history, behaviour = self._behaviour_side(session, request, model)
        # Constraints the shopper typed ("under 2000", "not black") count like the ones the NLU tagged.
        words = self.searcher.parse(need.query).text  # the request's words, its typed constraints read out
        stated, flt = self._constraints(need, words)
        currency = self.searcher.vocabulary.currency
        chat = self._chat_side(need, words, flt, currency, language)
        if not chat.index_up:
            flt = stated  # popular picks while search is down: only what the shopper stated still filters
        if chat.relaxed:
            # Nothing meets every hard constraint: say so and ask, rather than list products that break one.
            unmet = self._words(flt, currency, language)
            return RecommendationsOut(
                items=[], cold_start=False, query=need.query, constraints=unmet, relaxed=chat.relaxed
            )
        cold_start = not behaviour and not chat.scores
        behaviour = self._with_popular(behaviour, model, cold_start, chat.index_up)
        candidates = list(dict.fromkeys([*behaviour, *chat.scores]))
        payloads, answered = self._payloads(candidates)
        index_up = chat.index_up and answered
        constrained = flt != ProductFilter(in_stock=True)

        def matches(item: str) -> bool | None:
            if not constrained or item not in payloads:
                return None
            return flt.matches(payloads[item])

        ranked = merge(behaviour, chat.scores, matches=matches, n=len(candidates) or 1)
        # What the shopper asked for is a hard constraint: history that contradicts it
        # ("cheaper ones" than the watch they viewed) is left out, not just pushed down.
        ranked = [r for r in ranked if "chat" in r[2] or matches(r[0]) is not False]
        if need.more:  # "show me more": the next ones, not those shown for this request already
            ranked = [r for r in ranked if r[0] not in need.shown_for_need]
        items = self._select(ranked, payloads, history, request.limit)
        asked = constrained or bool(need.query)
        if len(items) < request.limit and (cold_start or not items) and index_up and not asked:
            items += self._popular_fill(items, request.limit, history, payloads)
        ctx = _Context(payloads, history, chat.reasons, cold_start, language)
        out = [self._card(item, score, sources, ctx) for item, score, sources in items]
        log.info(
            "recs.served n=%d cold_start=%s behaviour=%d chat=%d",
            len(out),
            cold_start,
            len(behaviour),
            len(chat.scores),
        )
        return RecommendationsOut(
            items=out,
            cold_start=cold_start,
            degraded=not index_up,
            query=need.query,
            constraints=self._words(flt, currency, language) if constrained else [],
        )

    def _constraints(self, need: ChatNeed, words: str) -> tuple[ProductFilter, ProductFilter]:
        """The hard constraints: tagged entities and what was typed ("under 2000", "not Skmei");
        then the same plus a category the request names in passing when the NLU tagged none."""
        stated = self.searcher.parse(need.constraint_text, need.product_filter()).filter
        if need.relative == "cheaper":  # cheaper than shown: a typed floor ("between 1000 and 3000") goes
            stated = replace(stated, price_min=None)
        elif need.relative == "pricier":
            stated = replace(stated, price_max=None)
        if stated.categories:
            return stated, stated
        named = self.searcher.category_in(" ".join(need.subject)) or self.searcher.category_in(words)
        if named and named not in stated.exclude_categories:
            return stated, replace(stated, categories=(named,))
        return stated, stated

    @staticmethod
    def _words(flt: ProductFilter, currency: str, language: str = ENGLISH) -> list[str]:
        return flt.describe(currency, language, stock=False)

    @staticmethod
    def _with_popular(behaviour: dict[str, float], model: Blend, cold_start: bool, index_up: bool) -> dict[str, float]:
        """Cold start: popular items are the list; index down: they fill in for what search would find."""
        if not (cold_start or not index_up):
            return behaviour
        popular = model.popularity.scores([], BEHAVIOUR_CANDIDATES)
        weight = 1.0 if cold_start else 1e-6
        return {**{k: float(v) * weight for k, v in popular.items()}, **behaviour}

    @staticmethod
    def _language_of(session: Session, conversation_id: str | None) -> str:
        """The conversation's language (what its reasons and constraints are written in)."""
        if not conversation_id:
            return ENGLISH
        return session.scalar(select(Conversation.language).where(Conversation.id == conversation_id)) or ENGLISH

    @staticmethod
    def _behaviour_side(
        session: Session, request: RecommendationsIn, model: Blend
    ) -> tuple[HistoryScores, dict[str, float]]:
        """What the shopper did: their history's scores, and the products behaviour suggests."""
        keys = shopper_keys(session, request.session_id, request.customer_id)
        events = recent_events(session, keys, limit=300)
        history = score_history(
            [Interaction(e.product_id, e.type, as_utc(e.occurred_at)) for e in events if e.product_id], utcnow()
        )
        recent_items = [e.product_id for e in reversed(events) if e.product_id and e.type != "purchase"][-20:]
        behaviour = behaviour_scores(
            history,
            model.session_knn.scores(recent_items, BEHAVIOUR_CANDIDATES),
            model.item_knn.scores(recent_items, BEHAVIOUR_CANDIDATES),
        )
        return history, behaviour

    @staticmethod
    def _turns(session: Session, request: RecommendationsIn) -> list[dict[str, Any]]:
        """The conversation's turns, plus the request's own query as the latest one."""
        turns = conversation_turns(session, request.conversation_id) if request.conversation_id else []
        if request.query or request.entities:
            turns.append(
                {
                    "author": "shopper",
                    "text": request.query,
                    # asked for products: a search, whatever the NLU called it ("tops under 600" as a price question)
                    "intent": request.intent if request.intent in SEARCH_INTENTS else "search_product",
                    "entities": request.entities,
                }
            )
        return turns

    def _chat_side(
        self, need: ChatNeed, words: str, flt: ProductFilter, currency: str, language: str = ENGLISH
    ) -> _ChatSide:
        """Search what the chat asked for: each hit's score by rank, and its reason."""
        side = _ChatSide()
        if not (need.query or need.has_constraints()):
            return side
        asked_for = words
        try:
            # the query's words without its typed constraints: flt holds them, as the need resolved them
            # (a re-read of "between 1000 and 3000" would undo "cheaper")
            found = self.searcher.search(words, flt, limit=CHAT_CANDIDATES)
            hits = found.hits
            side.relaxed = found.relaxed if hits else []
            if found.spelling:  # the reason names what was searched: "milwaukee drill", not "milwakee drill"
                asked_for = respell(words, found.spelling)
        except Exception as exc:  # noqa: BLE001 - the index is down: behaviour and popular items only
            log.warning("recs.search_unavailable error=%s", type(exc).__name__)
            hits, side.index_up = [], False
        gist = need_label(asked_for or need.query)  # "watches", not "watches under 2000"
        reason = chat_reason(gist, self._words(flt, currency, language), language)
        for rank, hit in enumerate(hits):
            side.scores[hit.product_id] = 1.0 / (1 + rank)
            side.reasons[hit.product_id] = reason
        return side

    @staticmethod
    def _select(
        ranked: Sequence[tuple[str, float, tuple[str, ...]]],
        payloads: dict[str, dict[str, Any]],
        history: HistoryScores,
        limit: int,
    ) -> list[tuple[str, float, tuple[str, ...]]]:
        """Drop unknown, bought and out-of-stock products; cap each category for diversity."""
        chosen: list[tuple[str, float, tuple[str, ...]]] = []
        overflow: list[tuple[str, float, tuple[str, ...]]] = []
        per_category: dict[str, int] = defaultdict(int)
        for item, score, sources in ranked:
            payload = payloads.get(item)
            if payload is None or item in history.purchased or not payload.get("in_stock", False):
                continue
            category = str(payload.get("category_path", ""))
            if per_category[category] >= PER_CATEGORY:
                overflow.append((item, score, sources))
                continue
            per_category[category] += 1
            chosen.append((item, score, sources))
            if len(chosen) >= limit:
                return chosen
        return (chosen + overflow)[:limit]

    def _popular_fill(
        self,
        have: Sequence[tuple[str, float, tuple[str, ...]]],
        limit: int,
        history: HistoryScores,
        payloads: dict[str, dict[str, Any]],
    ) -> list[tuple[str, float, tuple[str, ...]]]:
        """Cold start with no stored behaviour at all: the catalog's best matches for 'popular'."""
        taken = {item for item, _, _ in have}
        try:
            hits = self.searcher.search("", None, limit=limit * 2).hits
        except Exception as exc:  # noqa: BLE001 - nothing to fill with while the index is down
            log.warning("recs.popular_unavailable error=%s", type(exc).__name__)
            return []
        out: list[tuple[str, float, tuple[str, ...]]] = []
        for hit in hits:
            if hit.product_id not in taken and hit.product_id not in history.purchased and hit.in_stock:
                out.append((hit.product_id, 0.0, ("popular",)))
                payloads.setdefault(hit.product_id, {**hit.__dict__, "brand_display": hit.brand})
        return out[: limit - len(have)]

    def _card(self, item: str, score: float, sources: tuple[str, ...], ctx: _Context) -> RecommendedProduct:
        payload = ctx.payloads.get(item) or self._seen.get(item) or {}
        return RecommendedProduct(
            product_id=item,
            title=str(
                payload.get(f"title_{ctx.language}") or payload.get("title", item)
            ),  # the shopper's language when the shop has it
            price=payload.get("price"),
            currency=str(payload.get("currency", "")),
            brand=str(payload.get("brand_display") or payload.get("brand") or ""),
            category_path=str(payload.get("category_path", "")),
            image_url=str(payload.get("image_url", "")),
            score=round(score, 6),
            reason=self._reason(item, sources, ctx),
            sources=list(sources) or ["popular"],
        )

    def _reason(self, item: str, sources: tuple[str, ...], ctx: _Context) -> str:
        say = catalog.translator(ctx.language)
        parts = []
        if item in ctx.chat_reason:
            parts.append(ctx.chat_reason[item])
        if item in ctx.history.scores:
            parts.append(say("you looked at this recently"))
        elif "behaviour" in sources and not ctx.cold_start and ctx.history.last_viewed:
            seen, _ = self._payloads(ctx.history.last_viewed[:1])
            title = str(next(iter(seen.values()), {}).get("title", ""))
            parts.append(
                say("because you looked at {title}", title=title[:50])
                if title
                else say("shoppers like you viewed this")
            )
        if ctx.cold_start or sources == ("popular",):
            parts.append(say("popular with shoppers"))
        return say("; ").join(parts) or say("you may like this")
