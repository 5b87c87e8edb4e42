"""Sparse BM25 term weights, computed with Qdrant's own BM25 tokenizer.

Documents carry BM25 term-frequency weights; the index applies the IDF modifier, so
collection statistics stay correct as products are added and removed.
"""

from __future__ import annotations

from retrieval.chinese import spaced
from retrieval.encoders.port import SparseVec


class Bm25Encoder:
    """Sparse encoder using qdrant-edge's BM25 (English stemming, stopwords); Chinese text is
    cut into jieba's words first (retrieval.chinese), which BM25 then reads as terms."""

    def __init__(self) -> None:
        import qdrant_edge

        self._bm25 = qdrant_edge.Bm25()

    def encode_document(self, text: str) -> SparseVec:
        """Return BM25 document term weights."""
        vec = self._bm25.embed_document(spaced(text))
        return SparseVec(list(vec.indices), list(vec.values))

    def encode_query(self, text: str) -> SparseVec:
        """Return the query's terms (weight 1 each; IDF comes from the index)."""
        vec = self._bm25.embed_query(spaced(text))
        return SparseVec(list(vec.indices), list(vec.values))
