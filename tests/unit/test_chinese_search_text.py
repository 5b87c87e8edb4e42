"""Chinese requests in the search and recommendation path: what is searched, what the reason names."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from api.recommendations.context import need_label
from retrieval.chinese import Glossary, spaced
from retrieval.encoders.hashing import HashingDenseEncoder, HashingSparseEncoder
from retrieval.filters import ProductFilter
from retrieval.index.memory import InMemoryProductIndex
from retrieval.product import Product
from retrieval.query_parser import is_negated, parse_query
from retrieval.search import ProductSearcher
from tests.support.catalog import PRODUCTS


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("有没有500以内的跑步鞋", "有没有 的跑步鞋"),
        ("不超过300元的耳机", "的耳机"),
        ("一千到两千的手表", "的手表"),
        ("500ml 洗发水", "500ml 洗发水"),  # a size is not a price
    ],
)
def test_a_chinese_price_leaves_the_searched_words(query: str, searched: str) -> None:
    assert parse_query(query).text == searched


@pytest.mark.parametrize(
    ("query", "low", "high"),
    [
        ("有没有500以内的跑步鞋", None, 500.0),
        ("一千到两千的手表", 1000.0, 2000.0),
        ("三千左右的手表", 2400.0, 3600.0),
        ("1000以上的戒指", 1000.0, None),
        ("200块以内的杯子", None, 200.0),
        ("500ml 洗发水", None, None),
        ("37-39码红色运动鞋", None, None),  # sizes, ages, counts and "together" are no price
        ("100-200ml 面霜", None, None),
        ("2到3岁宝宝衣服", None, None),
        ("3到5人帐篷", None, None),
        ("和朋友一起用的帐篷", None, None),
    ],
)
def test_a_chinese_price_becomes_the_filters_bounds(query: str, low: float | None, high: float | None) -> None:
    flt = parse_query(query).filter
    assert (flt.price_min, flt.price_max) == (low, high)


def test_a_price_the_shopper_already_set_wins_over_the_words() -> None:
    assert parse_query("500以内的跑步鞋", ProductFilter(price_max=300.0)).filter.price_max == 300.0


def test_contradicting_bounds_are_not_applied_and_a_size_stays_searched() -> None:
    flt = parse_query("戒指 under 500 1000以上").filter
    assert (flt.price_min, flt.price_max) == (None, 500.0)
    assert "37-39码" in parse_query("37-39码红色运动鞋").text


def test_jieba_cuts_chinese_into_bm25_terms_and_drops_particles() -> None:
    assert spaced("有没有500以内的跑步鞋").split() == ["500", "跑步", "鞋"]
    assert spaced("running shoes") == "running shoes"


def test_the_reason_names_the_product_words_of_a_chinese_request() -> None:
    assert need_label("有没有 的跑步鞋") == "跑步鞋"
    assert need_label("亲，帮我找一下蓝牙耳机吗") == "蓝牙耳机"


@pytest.mark.parametrize(
    ("text", "value", "negated"),
    [
        ("不要黑色的跑步鞋", "黑色", True),
        ("黑色的跑步鞋", "黑色", False),
        ("还有别的黑色吗", "黑色", False),
        ("除了耐克都行", "耐克", True),
    ],
)
def test_chinese_negation_rules_a_value_out(text: str, value: str, negated: bool) -> None:
    assert is_negated(text, value) is negated


def test_constraints_are_described_in_chinese() -> None:
    flt = ProductFilter(colors=("黑色",), price_max=500, exclude_colors=("red",), in_stock=True)
    assert flt.describe("INR", "zh") == ["黑色", "₹500以内", "不要red", "有货"]
    assert flt.describe("INR") == ["in 黑色", "under ₹500", "not red", "in stock"]


class _AxisEncoder:
    """A multilingual encoder fake: every query points along one axis, and it keeps the texts."""

    name, dim = "axis", 3

    def __init__(self) -> None:
        self.queries: list[str] = []

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.eye(self.dim, dtype=np.float32)[[i % self.dim for i in range(len(texts))]]

    def encode_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return np.eye(self.dim, dtype=np.float32)[1]


def _bilingual_searcher(multilingual: _AxisEncoder | None, index_has_it: bool = True) -> ProductSearcher:
    dense, sparse = HashingDenseEncoder(), HashingSparseEncoder()
    index = InMemoryProductIndex(multilingual=index_has_it)
    texts = [p.search_text() for p in PRODUCTS]
    second = _AxisEncoder().encode_documents(texts)
    index.upsert(PRODUCTS, dense.encode_documents(texts), [sparse.encode_document(t) for t in texts], second)
    return ProductSearcher(index, dense, sparse, spelling=False, multilingual=multilingual)


def test_a_chinese_query_searches_the_multilingual_vector_and_finds_an_english_only_product() -> None:
    encoder = _AxisEncoder()
    result = _bilingual_searcher(encoder).search("陶瓷杯子", ProductFilter(in_stock=None))
    assert encoder.queries == ["陶瓷杯子"]
    # products 1, 4, ... lie along the query's axis; BM25 has no Chinese word to match
    assert {h.product_id for h in result.hits[:2]} == {PRODUCTS[1].id, PRODUCTS[4].id}


def test_an_english_query_never_touches_the_multilingual_encoder() -> None:
    encoder = _AxisEncoder()
    result = _bilingual_searcher(encoder).search("ceramic coffee mug")
    assert encoder.queries == []
    assert result.hits[0].product_id == "mug-1"


@pytest.mark.parametrize("has_encoder, index_has_it", [(False, True), (True, False)])
def test_without_the_multilingual_vector_a_chinese_query_searches_bm25_alone(
    has_encoder: bool, index_has_it: bool
) -> None:
    encoder = _AxisEncoder() if has_encoder else None
    result = _bilingual_searcher(encoder, index_has_it).search("陶瓷杯子", ProductFilter(in_stock=None))
    assert result.hits == []  # no Chinese word in the test catalog, and no vector to fall back on
    assert encoder is None or encoder.queries == []


def test_the_glossary_maps_chinese_product_words_to_english_category_terms(tmp_path: Path) -> None:
    table = tmp_path / "glossary.tsv"
    table.write_text("# comment\nring\t戒指,指环\nboot\t靴子,短靴\nwomen\t女士,女\n", encoding="utf-8")
    glossary = Glossary.load(table)
    assert glossary.english("有没有女士靴子") == ["women", "boot"]
    assert glossary.english("银色的戒指 2500以内") == ["ring"]
    assert glossary.english("silver rings") == []


def test_a_glossary_lets_bm25_find_an_english_only_product_by_its_chinese_name(tmp_path: Path) -> None:
    table = tmp_path / "glossary.tsv"
    table.write_text("mug\t马克杯,杯子\n", encoding="utf-8")
    searcher = _bilingual_searcher(None)
    assert searcher.search("陶瓷马克杯", ProductFilter(in_stock=None)).hits == []
    searcher.glossary = Glossary.load(table)
    assert [h.product_id for h in searcher.search("陶瓷马克杯", ProductFilter(in_stock=None)).hits] == ["mug-1"]


def _searcher_with_glossary(folder: Path, lines: str) -> ProductSearcher:
    """The test catalog's searcher, its vocabulary loaded, with a glossary of these lines."""
    table = folder / "glossary.tsv"
    table.write_text(lines, encoding="utf-8")
    searcher = _bilingual_searcher(None)
    searcher.refresh_vocabulary()
    searcher.glossary = Glossary.load(table)
    return searcher


def test_a_chinese_category_value_is_read_as_the_catalogs_category_by_its_head_word(tmp_path: Path) -> None:
    searcher = _searcher_with_glossary(tmp_path, "boot\t靴子\nwomen\t女士\nmug\t马克杯\n")
    read = searcher.in_catalog_words(ProductFilter(categories=("女士靴子",), exclude_categories=("马克杯",)))
    assert read is not None and (read.categories, read.exclude_categories) == (("boot",), ("mug",))
    unknown = searcher.in_catalog_words(ProductFilter(categories=("帐篷", "boots")))
    assert unknown is not None and unknown.categories == ("帐篷", "boots")  # kept: relaxation deals with it
    hits = searcher.search("靴子", ProductFilter(categories=("靴子",), in_stock=None)).hits
    assert hits and {h.category_path.split(" > ")[-1] for h in hits} == {"Boots"}


def test_the_category_a_chinese_request_names_is_its_head_word_in_the_catalogs_terms(tmp_path: Path) -> None:
    searcher = _searcher_with_glossary(tmp_path, "boot\t靴子\nwomen\t女士\ntent\t帐篷\n")
    assert searcher.category_in("想买黑色的女士靴子") == "boot"
    assert searcher.category_in("帐篷") is None  # the catalog sells none
    assert searcher.category_in("waterproof boots for hiking") == "boot"


def test_the_multilingual_passage_is_bounded_however_long_the_shops_texts() -> None:
    huge = Product(id="x", title="t" * 100_000, brand="b" * 5000, category_path=("c" * 9000,), description="d" * 9000)
    passage = huge.multilingual_text()
    assert len(passage) < 1000 and passage.startswith("t" * 300 + ". ")
