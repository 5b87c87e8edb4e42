"""Languages: detection, tags, Chinese numerals, and that every shopper-facing text has zh-CN."""

from __future__ import annotations

import pytest

from i18n.catalog import text
from i18n.check import responses_without, untranslated
from i18n.language import cjk_share, detect, normalise
from i18n.numbers import amounts, parse_number


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("iPhone 15 有货吗", "zh"),  # mixed text with a Chinese question is Chinese
        ("有没有500以内的跑步鞋", "zh"),
        ("在吗", "zh"),
        ("do you have 小米 phones", "en"),
        ("I want running shoes", "en"),
        ("Nike 鞋", "zh"),
    ],
)
def test_language_from_the_share_of_ideographs(message: str, language: str) -> None:
    assert detect(message) == language


def test_a_text_without_letters_takes_the_default() -> None:
    assert detect("👟👟 !!", default="zh") == "zh" and detect("123", default="") == ""
    assert cjk_share("") == 0.0


@pytest.mark.parametrize(
    ("tag", "language"),
    [("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("zh", "zh"), ("en-GB", "en"), ("fr-FR", None), ("", None), (None, None)],
)
def test_page_language_tags(tag: str | None, language: str | None) -> None:
    assert normalise(tag) == language


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("两百", 200),
        ("一千五", 1500),
        ("三千五百", 3500),
        ("1.5万", 15000),
        ("2k", 2000),
        ("十二", 12),
        ("1,299", 1299),
    ],
)
def test_chinese_numerals(written: str, value: float) -> None:
    assert parse_number(written) == value


def test_amounts_are_found_with_their_spans() -> None:
    assert amounts("一千到两千") == [(1000.0, 0, 2), (2000.0, 3, 5)]
    assert amounts("买两件") == [(2.0, 1, 2)]


def test_texts_are_translated_with_their_values_and_fall_back_to_english() -> None:
    assert text("zh", "Added {items} to your cart.", items="充电宝") == "已把充电宝加入购物车。"
    assert text("en", "Added {items} to your cart.", items="a mug") == "Added a mug to your cart."
    assert text("zh", "a text nobody translated") == "a text nobody translated"


def test_every_marked_text_has_a_chinese_translation() -> None:
    assert untranslated("zh") == []


def test_every_domain_response_has_a_chinese_variant() -> None:
    assert responses_without("zh") == []
