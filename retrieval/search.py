"""Product search: hybrid retrieval, filters from the shopper's words, relaxation, reasons."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from retrieval.encoders.port import DenseEncoder, SparseEncoder, SparseVec
from retrieval.filters import ProductFilter
from retrieval.index.port import Fusion, IndexHit, ProductIndex, SearchMode
from retrieval.query_parser import parse_query

log = logging.getLogger(__name__)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {
    "a",
    "an",
    "the",
    "for",
    "and",
    "or",
    "i",
    "im",
    "i'm",
    "me",
    "my",
    "to",
    "of",
    "in",
    "with",
    "some",
    "looking",
    "want",
    "need",
    "show",
    "find",
    "any",
    "is",
    "are",
    "do",
    "you",
}


@dataclass(frozen=True)
class ProductHit:
    """A product in a search result, with why it matched."""

    product_id: str
    title: str
    score: float
    price: float | None
    currency: str
    brand: str
    category_path: str
    image_url: str
    rating: float | None
    in_stock: bool
    why: list[str]

    @classmethod
    def from_index(cls, hit: IndexHit, why: list[str]) -> ProductHit:
        """Build a hit from an index hit's payload."""
        p = hit.payload
        return cls(
            product_id=hit.product_id,
            title=str(p.get("title", "")),
            score=hit.score,
            price=p.get("price"),
            currency=str(p.get("currency", "")),
            brand=str(p.get("brand_display") or p.get("brand") or ""),
            category_path=str(p.get("category_path", "")),
            image_url=str(p.get("image_url", "")),
            rating=p.get("rating"),
            in_stock=bool(p.get("in_stock", False)),
            why=why,
        )


@dataclass
class SearchResult:
    """The hits, the filter finally used, and which constraints were dropped to find any."""

    hits: list[ProductHit]
    applied: ProductFilter
    relaxed: list[str] = field(default_factory=list)
    query_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly view."""
        return {
            "hits": [h.__dict__ for h in self.hits],
            "applied_filters": self.applied.describe(),
            "relaxed": self.relaxed,
            "query_text": self.query_text,
        }


class ProductSearcher:
    """Turns a shopper's query plus NLU entities into ranked, explained products."""

    def __init__(self, index: ProductIndex, dense: DenseEncoder, sparse: SparseEncoder, fusion: Fusion = "rrf") -> None:
        self.index = index
        self.dense = dense
        self.sparse = sparse
        self.fusion: Fusion = fusion

    def search(
        self,
        query: str,
        flt: ProductFilter | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
        mode: SearchMode = "hybrid",
        relax: bool = True,
    ) -> SearchResult:
        """Return the products best matching the query under the filter, relaxing if empty."""
        parsed = parse_query(query, flt)
        text = parsed.text or " ".join(parsed.filter.categories) or query or "popular products"
        dense = self.dense.encode_query(text)
        sparse = self.sparse.encode_query(text)
        applied = parsed.filter
        hits = self._search(dense, sparse, applied, limit, offset, mode)
        relaxed: list[str] = []
        if not hits and relax:
            for name, looser in applied.relaxations():
                relaxed.append(name)
                hits = self._search(dense, sparse, looser, limit, offset, mode)
                applied = looser
                if hits:
                    break
            if relaxed:
                log.info("retrieval.search.relaxed dropped=%s found=%d", ",".join(relaxed), len(hits))
        if not hits:
            log.info("retrieval.search.empty_result")
        terms = {w for w in _WORD.findall(text.lower()) if w not in _STOP}
        return SearchResult(
            hits=[ProductHit.from_index(h, self._why(h, terms, applied)) for h in hits],
            applied=applied,
            relaxed=relaxed,
            query_text=text,
        )

    def _search(
        self, dense: Any, sparse: SparseVec, flt: ProductFilter, limit: int, offset: int, mode: SearchMode
    ) -> list[IndexHit]:
        return self.index.search(
            dense=dense, sparse=sparse, flt=flt, limit=limit, offset=offset, mode=mode, fusion=self.fusion
        )

    @staticmethod
    def _why(hit: IndexHit, terms: set[str], applied: ProductFilter) -> list[str]:
        title_words = set(_WORD.findall(str(hit.payload.get("title", "")).lower()))
        category_words = set(hit.payload.get("category_terms", []))
        matched = sorted(t for t in terms if t in title_words or t.rstrip("s") in category_words)
        reasons = [f"matches '{' '.join(matched)}'"] if matched else ["similar in meaning to your request"]
        return reasons + [f"fits {c}" for c in applied.describe() if c != "in stock"]
