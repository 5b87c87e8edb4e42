"""Chinese requests in the search and recommendation path: what is searched, what the reason names."""

from __future__ import annotations

import pytest

from api.recommendations.context import need_label
from retrieval.chinese import spaced
from retrieval.filters import ProductFilter
from retrieval.query_parser import is_negated, parse_query


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
