"""The query speller reads misspelt words as the catalog's words, and leaves alone what it should."""

from __future__ import annotations

import pytest

from retrieval.spelling import QuerySpeller, edit_distance, english_words

CATALOG = [
    "Glacier Bay Round Toilet in White",
    "Glacier Bay Elongated Toilet",
    "Milwaukee M18 Cordless Drill Kit",
    "Ryobi 18V Cordless Drill",
    "NuTone Wireless Door Chime",
    "Front Load Washer in White",
    "Pedestal Sink in White",
    "Ceramic Floor Tile",
    "Copper Wire Spool 100 ft.",
    "Outdoor Lounge Chair",
]


@pytest.fixture
def speller() -> QuerySpeller:
    return QuerySpeller.from_texts(CATALOG, protected={"wife", "gift"})


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("milwakee", "milwaukee"),  # a letter missing
        ("pedistal", "pedestal"),  # a letter wrong
        ("cermaic", "ceramic"),  # two letters swapped
        ("toilett", "toilet"),  # a letter too many
        ("outdoorlounge", "outdoor lounge"),  # two catalog words run together
        ("glaciarr", "glacier"),  # two edits, long word
    ],
)
def test_misspelt_words_read_as_catalog_words(speller: QuerySpeller, typed: str, read_as: str) -> None:
    assert speller.correct_word(typed) == read_as


@pytest.mark.parametrize(
    "word",
    [
        "toilet",  # the catalog's own word
        "toilets",  # a plural of one
        "wife",  # an English word, one edit from "wire": protected
        "drl",  # too short to guess at
        "m18v",  # digits: a model number or size
        "zzzzzzzz",  # nothing near it
        "ryobe1",
    ],
)
def test_known_short_protected_and_coded_words_are_kept(speller: QuerySpeller, word: str) -> None:
    assert speller.correct_word(word) is None


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("pedestalxx", "pedestal"),  # two letters too many
        ("pedisstal", "pedestal"),  # one wrong, one too many
        ("pidistal", None),  # two wrong: beyond the lookup
        ("pedstl", None),  # two missing: beyond the lookup
    ],
)
def test_which_two_edit_misspellings_the_lookup_reaches(speller: QuerySpeller, typed: str, read_as: str | None) -> None:
    assert speller.correct_word(typed) == read_as


def test_two_edits_only_for_long_words(speller: QuerySpeller) -> None:
    assert speller.correct_word("ryobe") == "ryobi"  # one edit, 5 letters
    assert speller.correct_word("rybbe") is None  # two edits, 5 letters: too much of a guess


def test_ties_go_to_the_word_more_products_use() -> None:
    speller = QuerySpeller.from_texts(["cable tie", "table lamp", "table top", "table saw"])
    assert speller.correct_word("gable") == "table"


def test_read_reports_each_change_and_keeps_the_rest_as_typed(speller: QuerySpeller) -> None:
    reading = speller.read("Glaciar Bay toilett, 3/4 in. for my wife (glaciar)")
    assert reading.text == "glacier Bay toilet, 3/4 in. for my wife (glacier)"
    assert reading.lexical_text == reading.text
    assert reading.changes == [("glaciar", "glacier"), ("toilett", "toilet")]


def test_split_words_add_the_joined_catalog_word_for_lexical_search_only(speller: QuerySpeller) -> None:
    reading = speller.read("nu tone chime")
    assert reading.text == "nu tone chime"
    assert reading.lexical_text == "nu tone chime nutone"
    assert reading.changes == []


def test_a_query_in_the_catalogs_words_is_returned_as_typed(speller: QuerySpeller) -> None:
    reading = speller.read("Cordless Drill, 18V")
    assert (reading.text, reading.lexical_text, reading.changes) == ("Cordless Drill, 18V", "Cordless Drill, 18V", [])


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("toilet", "toilet", 0),
        ("toilet", "toilett", 1),  # insert
        ("milwaukee", "milwakee", 1),  # delete
        ("pedestal", "pedistal", 1),  # substitute
        ("ceramic", "cermaic", 1),  # adjacent swap
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  # optimal string alignment: a swapped pair is not edited again
        ("glacier", "glaciarr", 2),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_english_words_come_from_the_packaged_minilm_vocabulary() -> None:
    words = english_words()
    assert {"wife", "gift", "shoes"} <= words
    assert not any(w.startswith("##") or len(w) < 4 for w in words)
