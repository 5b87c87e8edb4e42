"""Catalog loaders: a shop's export loads without code; bad rows are reported, not fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.loaders import load_catalog, load_mapping


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_with_column_mapping_loads_products(tmp_path: Path) -> None:
    csv = _write(tmp_path / "shop.csv", 'sku,name,cost,cat\nA1,Blue Mug,"1,299.00",Kitchen > Mugs\n')
    report = load_catalog(csv, {"id": "sku", "title": "name", "price": "cost", "category_path": "cat"})
    assert [p.id for p in report.products] == ["A1"]
    product = report.products[0]
    assert product.price == 1299.0
    assert product.category_path == ("Kitchen", "Mugs")


def test_bad_rows_are_skipped_with_line_numbers_and_reasons(tmp_path: Path) -> None:
    csv = _write(
        tmp_path / "shop.csv",
        "id,title,price\nA,Good,10\n,No id,5\nB,,5\nC,Bad price,abc\nA,Duplicate,3\nD,Also good,\n",
    )
    report = load_catalog(csv)
    assert [p.id for p in report.products] == ["A", "D"]
    assert [(s.line, s.reason.split(":")[0]) for s in report.skipped] == [
        (3, "missing id"),
        (4, "missing title"),
        (5, "unparsable price"),
        (6, "duplicate id"),
    ]
    assert report.summary()["reasons"] == {
        "missing id": 1,
        "missing title": 1,
        "unparsable price": 1,
        "duplicate id": 1,
    }


def test_jsonl_with_a_malformed_line_keeps_loading(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "1", "title": "One", "price": 2}), "{not json", json.dumps({"id": "2", "title": "Two"})]
    report = load_catalog(_write(tmp_path / "c.jsonl", "\n".join(lines) + "\n"))
    assert [p.id for p in report.products] == ["1", "2"]
    assert report.skipped[0].line == 2
    assert report.skipped[0].reason.startswith("malformed JSON")


def test_parquet_loads(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["x"], "title": ["Thing"], "price": [9.5]}), path)
    assert [p.price for p in load_catalog(path).products] == [9.5]


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported catalog format"):
        load_catalog(_write(tmp_path / "c.xml", "<x/>"))


def test_mapping_with_unknown_field_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown product fields"):
        load_mapping(_write(tmp_path / "m.json", json.dumps({"colour": "c"})))


def test_demo_catalog_loads_without_skips() -> None:
    report = load_catalog(Path(__file__).resolve().parents[2] / "demo" / "catalog.jsonl")
    assert len(report.products) > 900
    assert report.skipped == []
    assert all(p.price and p.price > 0 for p in report.products)
