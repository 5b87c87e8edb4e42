"""QDRANT_URL alone switches the API from the embedded engine to a Qdrant server."""

from __future__ import annotations

from pathlib import Path

from api.catalog.wiring import build_index
from api.config import Settings
from retrieval.index.edge import EdgeProductIndex
from retrieval.index.server import ServerProductIndex


def test_default_is_the_embedded_edge_index(tmp_path: Path) -> None:
    index = build_index(Settings(var_dir=tmp_path), dim=8)
    assert isinstance(index, EdgeProductIndex)
    assert index.root == tmp_path / "qdrant"
    index.close()


def test_qdrant_url_switches_to_the_server_adapter(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QDRANT_URL", ":memory:")
    index = build_index(Settings(var_dir=tmp_path), dim=8)
    assert isinstance(index, ServerProductIndex)
    assert index.count() == 0
    index.close()


def test_search_fusion_setting_reaches_every_index_query(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.catalog.wiring import build_searcher
    from tests.support.catalog import PRODUCTS

    monkeypatch.setenv("SEARCH_FUSION", "dbsf")
    searcher = build_searcher(Settings(var_dir=tmp_path, encoder="hashing"))
    assert searcher.fusion == "dbsf"
    dense, sparse = searcher.dense, searcher.sparse
    texts = [p.search_text() for p in PRODUCTS]
    searcher.index.upsert(PRODUCTS, dense.encode_documents(texts), [sparse.encode_document(t) for t in texts])
    asked: list[str] = []
    real_search = searcher.index.search

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs["fusion"])
        return real_search(**kwargs)

    monkeypatch.setattr(searcher.index, "search", spy)
    result = searcher.search("waterproof hiking boots", limit=3)
    assert result.hits and result.hits[0].product_id == "boot-1"
    assert asked and set(asked) == {"dbsf"}
    searcher.index.close()


def test_search_spelling_setting_turns_the_speller_off(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.catalog.wiring import build_searcher
    from tests.support.catalog import PRODUCTS

    monkeypatch.setenv("SEARCH_SPELLING", "false")
    searcher = build_searcher(Settings(var_dir=tmp_path, encoder="hashing"))
    dense, sparse = searcher.dense, searcher.sparse
    texts = [p.search_text() for p in PRODUCTS]
    searcher.index.upsert(PRODUCTS, dense.encode_documents(texts), [sparse.encode_document(t) for t in texts])
    assert searcher.search("waterprof boots").spelling == []
    searcher.spelling = True
    searcher.refresh_vocabulary()
    assert searcher.search("waterprof boots").spelling == [("waterprof", "waterproof")]
    searcher.index.close()
