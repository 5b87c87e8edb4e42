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
