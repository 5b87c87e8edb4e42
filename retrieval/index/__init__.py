"""Product index: the port and its adapters (Qdrant Edge, Qdrant server, in-memory fake)."""

from retrieval.index.port import IndexHit, ProductIndex, SearchMode

__all__ = ["IndexHit", "ProductIndex", "SearchMode"]
