"""The category a request names in passing, read in the catalog's own words (issue 21)."""

from __future__ import annotations

import pytest

from retrieval.vocabulary import CatalogVocabulary

PAYLOADS = [
    {"title": "Titan Analog Watch", "category_path": "Watches > Wrist Watches", "currency": "INR"},
    {"title": "Ganesha Showpiece", "category_path": "Home Decor & Festive Needs > Showpieces > Idols"},
    {"title": "Floral Casual Top", "category_path": "Clothing > Womens Clothing > Western Wear > Tops"},
    {"title": "Campus College Bag", "category_path": "Bags > Backpacks > College Bags"},
    {"title": "Silver Charm Bracelet", "category_path": "Jewellery > Bracelets"},
    {"title": "Gift Combo Mug", "category_path": "Kitchen > Mugs > Gift Sets"},
]
CATALOG = CatalogVocabulary.from_payloads(PAYLOADS)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("need a watch for my husband under 2000", "watch"),  # not "needs" of Festive Needs
        ("casual tops for college", "top"),  # the head of the request, not what it is for
        ("gift for my sister. she likes bracelets", "bracelet"),  # "gift" says why, not what
        ("something nice for mum", None),
    ],
)
def test_the_head_product_word_is_the_category(text: str, category: str | None) -> None:
    assert CATALOG.category_in(text) == category


def test_the_catalogs_currency_and_brands_are_read_from_its_payloads() -> None:
    vocabulary = CatalogVocabulary.from_payloads([*PAYLOADS, {"title": "x", "brand_display": "Skmei"}])
    assert vocabulary.currency == "INR" and vocabulary.is_brand("SKMEI")
