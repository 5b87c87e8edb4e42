"""One contract, three adapters: the in-memory fake, Qdrant Edge (the real engine) and
the server adapter on qdrant-client (local mode here; a Qdrant server in production)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from retrieval.encoders.hashing import HashingDenseEncoder, HashingSparseEncoder
from retrieval.filters import ProductFilter
from retrieval.index.edge import EdgeProductIndex
from retrieval.index.memory import InMemoryProductIndex
from retrieval.index.port import ProductIndex
from retrieval.index.server import ServerProductIndex
from retrieval.product import Product
from retrieval.search import ProductSearcher
from tests.support.catalog import PRODUCTS

DENSE, SPARSE = HashingDenseEncoder(), HashingSparseEncoder()


def _vectors(products: list[Product]) -> tuple[np.ndarray, list]:
    texts = [p.search_text() for p in products]
    return DENSE.encode_documents(texts), [SPARSE.encode_document(t) for t in texts]


@pytest.fixture(params=["memory", "edge", "server"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProductIndex]:
    """Return an empty index of each adapter kind."""
    adapter: ProductIndex
    if request.param == "memory":
        adapter = InMemoryProductIndex()
    elif request.param == "edge":
        adapter = EdgeProductIndex(tmp_path / "edge", DENSE.dim)
    else:
        adapter = ServerProductIndex(QdrantClient(location=":memory:"), DENSE.dim)
    yield adapter
    adapter.close()


@pytest.fixture
def filled(index: ProductIndex) -> ProductIndex:
    """Return the index holding the test catalog."""
    index.upsert(PRODUCTS, *_vectors(PRODUCTS))
    return index


def _search(index: ProductIndex, query: str, flt: ProductFilter | None = None, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        h.product_id
        for h in index.search(dense=DENSE.encode_query(query), sparse=SPARSE.encode_query(query), flt=flt, **kw)
    ]


def test_upsert_and_count(filled: ProductIndex) -> None:
    assert filled.count() == len(PRODUCTS)
    assert filled.count(ProductFilter(categories=("footwear",))) == 3


def test_upsert_replaces_by_id(filled: ProductIndex) -> None:
    changed = Product(id="mug-1", title="Enamel Camping Mug", price=199.0, stock=1)
    filled.upsert([changed], *_vectors([changed]))
    assert filled.count() == len(PRODUCTS)
    assert filled.get(["mug-1"])[0]["title"] == "Enamel Camping Mug"


def test_delete_by_id_ignores_unknown_ids(filled: ProductIndex) -> None:
    filled.delete(["watch-1", "no-such-product"])
    assert filled.count() == len(PRODUCTS) - 1
    assert filled.get(["watch-1", "shoe-1"])[0]["product_id"] == "shoe-1"


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_best_match_comes_first_in_every_mode(filled: ProductIndex, mode: str) -> None:
    assert _search(filled, "waterproof hiking boots", mode=mode)[0] == "boot-1"


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_each_fusion_puts_the_best_match_first_under_the_filter(filled: ProductIndex, fusion: str) -> None:
    assert _search(filled, "waterproof hiking boots", fusion=fusion)[0] == "boot-1"
    assert _search(filled, "running shoes", ProductFilter(price_max=2000), fusion=fusion)[0] == "shoe-2"
    paged = _search(filled, "shoes boots watch", limit=2, fusion=fusion) + _search(
        filled, "shoes boots watch", limit=2, offset=2, fusion=fusion
    )
    assert len(set(paged)) == 4, "pages do not repeat"


@pytest.mark.parametrize(
    "flt",
    [
        ProductFilter(price_max=2000),
        ProductFilter(price_min=1000, price_max=4000),
        ProductFilter(exclude_colors=("black",)),
        ProductFilter(exclude_categories=("boots", "watch")),
        ProductFilter(exclude_brands=("Nike",), categories=("shoes",)),
        ProductFilter(brands=("Asics",)),
        ProductFilter(categories=("shoes",), colors=("blue",)),
        ProductFilter(in_stock=True),
    ],
)
def test_every_hit_satisfies_the_filter(filled: ProductIndex, flt: ProductFilter) -> None:
    hits = filled.search(
        dense=DENSE.encode_query("running shoes"), sparse=SPARSE.encode_query("running shoes"), flt=flt
    )
    expected = {p.id for p in PRODUCTS if flt.matches(filled.get([p.id])[0])}
    assert hits, "the filter matches some products, so the search must return some"
    assert {h.product_id for h in hits} <= expected


def test_filtered_best_match_comes_first(filled: ProductIndex) -> None:
    assert _search(filled, "running shoes", ProductFilter(price_max=2000))[0] == "shoe-2"
    assert _search(filled, "running shoes", ProductFilter(exclude_colors=("black",)))[0] == "shoe-2"
    assert "dress-1" not in _search(filled, "summer dress", ProductFilter(in_stock=True))


def test_pagination_does_not_repeat(filled: ProductIndex) -> None:
    first = _search(filled, "shoes boots watch", limit=2)
    second = _search(filled, "shoes boots watch", limit=2, offset=2)
    assert len(first) == 2 and len(second) == 2
    assert not set(first) & set(second)


def test_rebuild_replaces_everything_at_once(filled: ProductIndex) -> None:
    only = [PRODUCTS[0]]
    filled.rebuild(only, *_vectors(only))
    assert filled.count() == 1
    assert _search(filled, "mug") == ["shoe-1"]


def test_searcher_relaxes_filters_and_says_which(filled: ProductIndex) -> None:
    searcher = ProductSearcher(filled, DENSE, SPARSE)
    result = searcher.search("running shoes", ProductFilter(colors=("green",)))
    assert result.relaxed == ["color"]
    assert {h.product_id for h in result.hits[:2]} == {"shoe-1", "shoe-2"}


def test_scroll_yields_every_product_once_across_pages(filled: ProductIndex) -> None:
    filled.delete(["watch-1"])
    rows = list(filled.scroll(["product_id", "title"], batch=2))
    titles = {p.id: p.title for p in PRODUCTS if p.id != "watch-1"}
    assert sorted(r["product_id"] for r in rows) == sorted(titles)
    assert all(set(r) == {"product_id", "title"} and r["title"] == titles[r["product_id"]] for r in rows)


def test_searcher_reads_misspelt_words_in_the_catalogs_words(filled: ProductIndex) -> None:
    searcher = ProductSearcher(filled, DENSE, SPARSE)
    assert searcher.refresh_vocabulary() > 0
    result = searcher.search("waterprof hikng boots")
    assert result.spelling == [("waterprof", "waterproof"), ("hikng", "hiking")]
    assert result.query_text == "waterproof hiking boots"
    assert result.hits[0].product_id == "boot-1"


def test_edge_index_persists_across_reopen(tmp_path: Path) -> None:
    index = EdgeProductIndex(tmp_path / "edge", DENSE.dim)
    index.upsert(PRODUCTS, *_vectors(PRODUCTS))
    index.close()
    reopened = EdgeProductIndex(tmp_path / "edge", DENSE.dim)
    assert reopened.count() == len(PRODUCTS)
    reopened.close()


@pytest.fixture(params=["memory", "edge", "server"])
def bilingual(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ProductIndex]:
    """Return an empty index of each adapter kind, with the multilingual named vector."""
    adapter: ProductIndex
    if request.param == "memory":
        adapter = InMemoryProductIndex(multilingual=True)
    elif request.param == "edge":
        adapter = EdgeProductIndex(tmp_path / "edge", DENSE.dim, multilingual_dim=ML_DIM)
    else:
        adapter = ServerProductIndex(QdrantClient(location=":memory:"), DENSE.dim, multilingual_dim=ML_DIM)
    yield adapter
    adapter.close()


ML_DIM = 3


def _one_hot(rows: int, hot: int) -> np.ndarray:
    """Return multilingual rows: the first along axis `hot`, every other along the next axis."""
    out = np.zeros((rows, ML_DIM), dtype=np.float32)
    out[0, hot] = 1.0
    out[1:, (hot + 1) % ML_DIM] = 1.0
    return out


def test_the_multilingual_vector_is_searched_by_name(bilingual: ProductIndex) -> None:
    # The first product alone points along axis 0 of the second vector: a query along it
    # finds that product first, whatever the English vectors say.
    bilingual.upsert(PRODUCTS, *_vectors(PRODUCTS), _one_hot(len(PRODUCTS), 0))
    assert bilingual.vectors() == {"dense", "multilingual"}
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    hits = bilingual.search(dense=query, sparse=None, mode="dense", using="multilingual", limit=3)
    assert hits[0].product_id == PRODUCTS[0].id
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    english = _search(bilingual, "leather watch", mode="dense", limit=1)
    assert english == ["watch-1"]


def test_an_index_without_the_multilingual_vector_searches_bm25_alone(filled: ProductIndex) -> None:
    assert filled.vectors() == {"dense"}
    mug = SPARSE.encode_query("mug")
    lone = filled.search(dense=np.array([1.0, 0.0, 0.0], dtype=np.float32), sparse=mug, using="multilingual")
    assert [h.product_id for h in lone] == ["mug-1"]
    assert lone == filled.search(dense=None, sparse=mug, mode="sparse")


@pytest.mark.parametrize("kind", ["edge", "server"])
def test_rebuild_adds_the_multilingual_vector_to_an_index_made_without_it(tmp_path: Path, kind: str) -> None:
    client = QdrantClient(location=":memory:")

    def opened(multilingual_dim: int | None) -> ProductIndex:
        if kind == "edge":
            return EdgeProductIndex(tmp_path / "edge", DENSE.dim, multilingual_dim=multilingual_dim)
        return ServerProductIndex(client, DENSE.dim, multilingual_dim=multilingual_dim)

    old = opened(None)
    old.upsert(PRODUCTS, *_vectors(PRODUCTS))
    if kind == "edge":
        old.close()  # Qdrant Edge: one process at a time
    index = opened(ML_DIM)
    assert index.vectors() == {"dense"}  # the stored index, until the next rebuild
    index.upsert(PRODUCTS, *_vectors(PRODUCTS), _one_hot(len(PRODUCTS), 2))  # stores the rest
    index.rebuild(PRODUCTS, *_vectors(PRODUCTS), _one_hot(len(PRODUCTS), 2))
    assert index.vectors() == {"dense", "multilingual"}
    hits = index.search(dense=np.array([0.0, 0.0, 1.0]), sparse=None, mode="dense", using="multilingual", limit=1)
    assert [h.product_id for h in hits] == [PRODUCTS[0].id]
    if kind == "edge":
        index.close()
    assert opened(None).vectors() == {"dense", "multilingual"}


def test_a_server_replica_sees_the_vectors_another_process_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    client = QdrantClient(location=":memory:")
    replica = ServerProductIndex(client, DENSE.dim)
    replica.upsert(PRODUCTS, *_vectors(PRODUCTS))
    ingest = ServerProductIndex(client, DENSE.dim, multilingual_dim=ML_DIM)
    ingest.rebuild(PRODUCTS, *_vectors(PRODUCTS), _one_hot(len(PRODUCTS), 0))
    assert replica.vectors() == {"dense"}  # read a moment ago
    monkeypatch.setattr("retrieval.index.server.VECTORS_TTL_S", 0.0)
    assert replica.vectors() == {"dense", "multilingual"}
    hits = replica.search(dense=np.array([1.0, 0.0, 0.0]), sparse=None, mode="dense", using="multilingual", limit=1)
    assert [h.product_id for h in hits] == [PRODUCTS[0].id]


def test_every_adapter_refuses_vectors_that_do_not_match_the_products(bilingual: ProductIndex) -> None:
    dense, sparse = _vectors(PRODUCTS)
    with pytest.raises(ValueError, match="one vector of each kind"):
        bilingual.upsert(PRODUCTS, dense[:-1], sparse)
    with pytest.raises(ValueError, match="one vector of each kind"):
        bilingual.upsert(PRODUCTS, dense, sparse, _one_hot(len(PRODUCTS) - 1, 0))
