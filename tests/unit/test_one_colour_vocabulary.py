"""One colour vocabulary for the NLU's lookup tables, the query parser and the catalog (issue 23)."""

from __future__ import annotations

from pathlib import Path

import yaml

from retrieval.colors import COLOR_SYNONYMS, COLORS
from retrieval.filters import ProductFilter
from retrieval.product import Product
from retrieval.query_parser import parse_query

LOOKUPS = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu" / "lookups.yml"


def _table(kind: str, name: str) -> list[str]:
    for entry in yaml.safe_load(LOOKUPS.read_text())["nlu"]:
        if entry.get(kind) == name:
            return [line[2:].strip() for line in entry["examples"].splitlines() if line.strip()]
    return []


def test_the_nlus_colour_table_is_the_retrieval_vocabulary() -> None:
    assert _table("lookup", "color") == list(COLORS)
    for other, colour in COLOR_SYNONYMS.items():
        assert other in _table("synonym", colour)


def test_a_synonym_is_the_colour_everywhere() -> None:
    assert Product(id="h", title="Gray Cotton Hoodie").colors == ["grey"]
    assert Product(id="c", title="Hoodie", attributes={"color": "Gray"}).colors == ["grey"]
    assert ProductFilter(colors=("Gray",), exclude_colors=("navy blue",)).normalised().colors == ("grey",)
    assert parse_query("a jacket, not tan").filter.exclude_colors == ("tan",)
