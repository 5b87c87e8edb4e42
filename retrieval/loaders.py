"""Load a shop's catalog export (CSV, JSON Lines, Parquet) into products.

A column mapping names which source column feeds which product field, so an export
loads without code. Bad rows are reported with their line number and skipped; a load
never dies half-way.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.product import Product

log = logging.getLogger(__name__)

FIELDS = (
    "id",
    "title",
    "description",
    "category_path",
    "brand",
    "price",
    "currency",
    "attributes",
    "image_url",
    "rating",
    "stock",
    "updated_at",
    "title_zh",
    "description_zh",
)


@dataclass
class SkippedRow:
    """A source row that could not become a product."""

    line: int
    reason: str


@dataclass
class LoadReport:
    """What a catalog load produced: the products and the rows it skipped."""

    products: list[Product] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Return counts of loaded and skipped rows, with skip reasons grouped."""
        reasons: dict[str, int] = {}
        for row in self.skipped:
            key = row.reason.split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
        return {"loaded": len(self.products), "skipped": len(self.skipped), "reasons": reasons}


class RowError(ValueError):
    """A row that cannot become a product; the message says why."""


def _parse_price(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        price = float(value)
    else:
        text = str(value).strip().replace(",", "")
        for symbol in ("$", "€", "£", "₹", "Rs.", "Rs", "INR", "USD", "EUR"):
            text = text.replace(symbol, "")
        try:
            price = float(text.strip())
        except ValueError as exc:
            raise RowError(f"unparsable price: {value!r}") from exc
    if price < 0:
        raise RowError(f"unparsable price: negative {price}")
    return price


def _parse_category(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value or "").strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text.replace("'", '"'))
            return tuple(str(v).strip() for v in parsed if str(v).strip())
        except json.JSONDecodeError:
            text = text.strip("[]")
    sep = ">>" if ">>" in text else ">" if ">" in text else "/"
    return tuple(p.strip(" '\"") for p in text.split(sep) if p.strip(" '\""))


def _parse_attributes(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k).lower(): str(v) for k, v in value.items()}
    if not value:
        return {}
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError:
        return {}
    return {str(k).lower(): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def _optional_float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def row_to_product(row: Mapping[str, Any], mapping: Mapping[str, str]) -> Product:
    """Build a product from one source row, mapping source columns to fields.

    Raises:
        RowError: the row lacks an id or title, or its price cannot be parsed.
    """

    def get(name: str) -> Any:
        return row.get(mapping.get(name, name))

    pid = str(get("id") or "").strip()
    if not pid:
        raise RowError("missing id")
    title = str(get("title") or "").strip()
    if not title:
        raise RowError("missing title")
    return Product(
        id=pid,
        title=title,
        description=str(get("description") or "").strip(),
        category_path=_parse_category(get("category_path")),
        brand=str(get("brand") or "").strip(),
        price=_parse_price(get("price")),
        currency=str(get("currency") or "INR").strip() or "INR",
        attributes=_parse_attributes(get("attributes")),
        image_url=str(get("image_url") or "").strip(),
        rating=_optional_float(get("rating"), "rating"),
        stock=_int(get("stock"), default=1),
        updated_at=str(get("updated_at") or ""),
        translations=_translations(row, mapping),
    )


TRANSLATED = ("title", "description")
LANGUAGES = ("zh",)


def _translations(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The row's texts in other languages: columns `title_zh`, `description_zh` (or mapped names)."""
    out: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        found = {k: str(row.get(mapping.get(f"{k}_{lang}", f"{k}_{lang}")) or "").strip() for k in TRANSLATED}
        if any(found.values()):
            out[lang] = {k: v for k, v in found.items() if v}
    return out


def _read_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                yield reader.line_num, row
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"malformed JSON: {exc.msg}"}
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        for number, row in enumerate(pq.read_table(path).to_pylist(), start=2):
            yield number, row
    else:
        raise ValueError(f"unsupported catalog format {suffix!r}: use .csv, .jsonl or .parquet")


def load_catalog(path: str | Path, mapping: Mapping[str, str] | None = None) -> LoadReport:
    """Load a catalog file, skipping (and reporting) rows that cannot be products."""
    return load_rows(_read_rows(Path(path)), mapping or {})


def load_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], mapping: Mapping[str, str]) -> LoadReport:
    """Turn numbered source rows into products, skipping bad and duplicate rows."""
    report = LoadReport()
    seen: set[str] = set()
    for line, row in rows:
        if "__error__" in row:
            report.skipped.append(SkippedRow(line, str(row["__error__"])))
            continue
        try:
            product = row_to_product(row, mapping)
        except RowError as exc:
            report.skipped.append(SkippedRow(line, str(exc)))
            continue
        if product.id in seen:
            report.skipped.append(SkippedRow(line, f"duplicate id: {product.id}"))
            continue
        seen.add(product.id)
        report.products.append(product)
    if report.skipped:
        log.warning("retrieval.load.skipped_rows count=%d", len(report.skipped))
    return report


def load_mapping(path: str | Path | None) -> dict[str, str]:
    """Read a column mapping (JSON or YAML: field -> source column)."""
    if not path:
        return {}
    text = Path(path).read_text()
    if str(path).endswith((".yml", ".yaml")):
        import yaml

        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown product fields in mapping: {sorted(unknown)}; known: {FIELDS}")
    return {str(k): str(v) for k, v in data.items()}
