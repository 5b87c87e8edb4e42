"""Product search: hybrid retrieval, filters from the shopper's words, relaxation, reasons."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from i18n.language import has_cjk
from retrieval.chinese import Glossary
from retrieval.encoders.port import DenseEncoder, SparseEncoder, SparseVec
from retrieval.filters import ProductFilter, has_words
from retrieval.index.port import DENSE, MULTILINGUAL, DenseVector, Fusion, IndexHit, ProductIndex, SearchMode
from retrieval.query_parser import ParsedQuery, parse_query
from retrieval.spelling import QuerySpeller, Spelling
from retrieval.vocabulary import CatalogVocabulary

log = logging.getLogger(__name__)
_WORD = re.compile(r"[a-z0-9]+")
VOCABULARY_FIELDS = ("title", "brand_display", "category_path")  # the words the speller knows
CATALOG_FIELDS = (*VOCABULARY_FIELDS, "currency")
OVERFETCH = 4  # a filter the index cannot apply (ruled-out words) is applied to this many times the hits
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


def vocabulary_speller(payloads: Iterable[Mapping[str, Any]], protected: Collection[str] = frozenset()) -> QuerySpeller:
    """Return the speller whose vocabulary is the VOCABULARY_FIELDS of these product payloads."""
    texts = (" ".join(str(p[k]) for k in VOCABULARY_FIELDS if k in p) for p in payloads)
    return QuerySpeller.from_texts(texts, protected)


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
    titles: dict[str, str] = field(default_factory=dict)  # the shop's title in other languages

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
            titles={k[len("title_") :]: str(v) for k, v in p.items() if k.startswith("title_") and v},
        )


@dataclass
class SearchResult:
    """The hits, the filter finally used, and which constraints were dropped to find any."""

    hits: list[ProductHit]
    applied: ProductFilter
    relaxed: list[str] = field(default_factory=list)
    query_text: str = ""
    spelling: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly view."""
        return {
            "hits": [h.__dict__ for h in self.hits],
            "applied_filters": self.applied.describe(),
            "relaxed": self.relaxed,
            "query_text": self.query_text,
            "spelling": [{"typed": a, "read_as": b} for a, b in self.spelling],
        }


class ProductSearcher:
    """Turns a shopper's query plus NLU entities into ranked, explained products.

    Misspelt words are read as the catalog's words (`retrieval.spelling`) once the
    vocabulary is loaded: `refresh_vocabulary()` reads it from the index, and a search finding
    it older than `vocabulary_ttl_s` refreshes it in the background (a re-ingest elsewhere
    shows up within that time). Until it is loaded, queries are searched as typed.

    A query in Chinese (or another CJK script) searches the index's multilingual vector
    with the `multilingual` encoder, fused with BM25 over jieba's words; it finds products
    whose text is only in English too. Without one, it searches BM25 alone. A `glossary`
    adds the English category terms of its Chinese words to the BM25 query.
    """

    def __init__(
        self,
        index: ProductIndex,
        dense: DenseEncoder,
        sparse: SparseEncoder,
        fusion: Fusion = "rrf",
        *,
        spelling: bool = True,
        protected_words: Collection[str] = frozenset(),
        vocabulary_ttl_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        multilingual: DenseEncoder | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.clock = clock
        self.glossary = glossary
        self.index = index
        self.dense = dense
        self.sparse = sparse
        self.multilingual = multilingual
        self.fusion: Fusion = fusion
        self.spelling = spelling
        self.protected_words = protected_words
        self.vocabulary_ttl_s = vocabulary_ttl_s
        self._speller: QuerySpeller | None = None
        self.vocabulary = CatalogVocabulary()  # the catalog's brands and category words, once loaded
        self._speller_at = float("-inf")
        self._refreshing = threading.Lock()

    def refresh_vocabulary(self) -> int:
        """Read the catalog's words from the index for the speller; return how many."""
        with self._refreshing:
            return self._load_vocabulary()

    def refresh_vocabulary_in_background(self) -> None:
        """Start a vocabulary refresh unless one is running; a failure keeps the old one."""
        if not self._refreshing.acquire(blocking=False):
            return  # one refresh at a time, however many searches find the vocabulary stale

        def run() -> None:
            try:
                self._load_vocabulary()
            except Exception as exc:  # the index being down must not break searching
                self._speller_at = self.clock()  # retry after the next ttl, not on every query
                log.warning("retrieval.spelling.refresh_failed error=%s", type(exc).__name__)
            finally:
                self._refreshing.release()

        threading.Thread(target=run, name="speller-refresh", daemon=True).start()

    def _load_vocabulary(self) -> int:
        payloads = list(self.index.scroll(CATALOG_FIELDS))
        speller = vocabulary_speller(payloads, self.protected_words)
        self.vocabulary = CatalogVocabulary.from_payloads(payloads)
        self._speller, self._speller_at = speller, self.clock()
        log.info("retrieval.spelling.vocabulary words=%d", len(speller))
        return len(speller)

    def parse(self, query: str, flt: ProductFilter | None = None) -> ParsedQuery:
        """Read the shopper's constraints from the query in the catalog's words, merged into flt."""
        return parse_query(query, self.in_catalog_words(flt), self.vocabulary)

    def category_in(self, text: str) -> str | None:
        """The catalog category a request names in passing: in English by the vocabulary's
        rule (its head word), in Chinese by the glossary's head word ("黑色的靴子" -> boot)."""
        known = self._chinese_categories(text)
        return known[0] if known else self.vocabulary.category_in(text)

    def _chinese_categories(self, text: str) -> list[str]:
        """The catalog's category terms of a Chinese phrase's head word (none for other text)."""
        if self.glossary is None or not has_cjk(text):
            return []
        return [t for t in self.glossary.head(text) if self.vocabulary.is_category(t)]

    def in_catalog_words(self, flt: ProductFilter | None) -> ProductFilter | None:
        """Return the filter with Chinese category values (the NLU's "靴子") read as the catalog's
        category terms through the glossary ("boot"); a value it cannot read stays as it is."""
        if flt is None or self.glossary is None:
            return flt

        def read(values: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(t for value in values for t in self._chinese_categories(value) or [value]))

        return replace(flt, categories=read(flt.categories), exclude_categories=read(flt.exclude_categories))

    def read(self, text: str) -> Spelling:
        """Return how the query reads in the catalog's words (as typed when spelling is off)."""
        if not self.spelling:
            return Spelling(text, text)
        if self.clock() - self._speller_at > self.vocabulary_ttl_s:
            self.refresh_vocabulary_in_background()
        speller = self._speller
        return speller.read(text) if speller is not None else Spelling(text, text)

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
        parsed = self.parse(query, flt)
        typed = parsed.text or " ".join(parsed.filter.categories) or query or "popular products"
        spelling = self.read(typed)
        text = spelling.text
        dense, using = self.dense_query(text)
        if dense is None:
            mode = "sparse"
        sparse = self.sparse.encode_query(self.lexical_query(spelling))
        applied = parsed.filter
        hits = self._search(dense, sparse, applied, limit, offset, mode, using)
        relaxed: list[str] = []
        if not hits and relax:
            for name, looser in applied.relaxations():
                relaxed.append(name)
                hits = self._search(dense, sparse, looser, limit, offset, mode, using)
                applied = looser
                if hits:
                    break
            if relaxed:
                log.info("retrieval.search.relaxed dropped=%s found=%d", ",".join(relaxed), len(hits))
        if not hits:
            log.info("retrieval.search.empty_result")
        terms = {w for w in _WORD.findall(text.lower()) if w not in _STOP}
        return SearchResult(
            hits=[ProductHit.from_index(h, self._why(h, terms, applied, self.vocabulary.currency)) for h in hits],
            applied=applied,
            relaxed=relaxed,
            query_text=text,
            spelling=spelling.changes,
        )

    def lexical_query(self, spelling: Spelling) -> str:
        """Return the words BM25 searches: as read, plus the glossary's English terms."""
        extra = self.glossary.english(spelling.text) if self.glossary is not None else []
        return " ".join([spelling.lexical_text, *extra])

    def dense_query(self, text: str) -> tuple[Any, DenseVector]:
        """Return the query's dense vector and the named index vector it searches: CJK text
        goes to the multilingual vector, or to none (BM25 alone) when the index lacks one,
        since the catalog-language encoder reads Chinese as unknown word pieces."""
        if not has_cjk(text):
            return self.dense.encode_query(text), DENSE
        if self.multilingual is not None and MULTILINGUAL in self.index.vectors():
            return self.multilingual.encode_query(text), MULTILINGUAL
        return None, DENSE

    def _search(
        self,
        dense: Any,
        sparse: SparseVec,
        flt: ProductFilter,
        limit: int,
        offset: int,
        mode: SearchMode,
        using: DenseVector = DENSE,
    ) -> list[IndexHit]:
        if not flt.exclude_words:
            return self.index.search(
                dense=dense,
                sparse=sparse,
                flt=flt,
                limit=limit,
                offset=offset,
                mode=mode,
                fusion=self.fusion,
                using=using,
            )
        # The index cannot rule out words: ask it for more, and drop the products naming them.
        words = flt.normalised().exclude_words
        hits = self.index.search(
            dense=dense,
            sparse=sparse,
            flt=flt,
            limit=(offset + limit) * OVERFETCH,
            offset=0,
            mode=mode,
            fusion=self.fusion,
            using=using,
        )
        return [h for h in hits if not has_words(h.payload, words)][offset : offset + limit]

    @staticmethod
    def _why(hit: IndexHit, terms: set[str], applied: ProductFilter, currency: str = "") -> list[str]:
        title_words = set(_WORD.findall(str(hit.payload.get("title", "")).lower()))
        category_words = set(hit.payload.get("category_terms", []))
        matched = sorted(t for t in terms if t in title_words or t.rstrip("s") in category_words)
        reasons = [f"matches '{' '.join(matched)}'"] if matched else ["similar in meaning to your request"]
        return reasons + [
            c for c in applied.describe(currency or str(hit.payload.get("currency", ""))) if c != "in stock"
        ]
