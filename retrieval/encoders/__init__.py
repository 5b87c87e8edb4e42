"""Encoders: dense sentence embeddings and sparse BM25 term weights."""

from retrieval.encoders.port import DenseEncoder, SparseEncoder, SparseVec

__all__ = ["DenseEncoder", "SparseEncoder", "SparseVec"]
