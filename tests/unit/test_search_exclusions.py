"""The searcher keeps what the shopper ruled out out, in the catalog's words (issue 21)."""

from __future__ import annotations

from retrieval.filters import ProductFilter
from tests.unit.conftest import make_searcher


def test_a_ruled_out_material_is_dropped_though_the_index_cannot_filter_it() -> None:
    searcher = make_searcher()
    ids = [h.product_id for h in searcher.search("boots for hiking", ProductFilter(in_stock=True)).hits]
    assert "boot-1" in ids  # the leather boots match, until leather is ruled out
    ruled_out = searcher.search("boots for hiking, no leather", ProductFilter(in_stock=True))
    assert "boot-1" not in [h.product_id for h in ruled_out.hits]
    assert ruled_out.applied.exclude_words == ("leather",)


def test_a_brand_the_catalog_sells_is_ruled_out_by_name() -> None:
    searcher = make_searcher()
    searcher.refresh_vocabulary()
    found = searcher.search("running shoes but not nike", ProductFilter(in_stock=True))
    assert found.applied.exclude_brands == ("nike",)
    assert found.hits and all(h.brand != "Nike" for h in found.hits)
    assert "not nike" in found.hits[0].why
