"""Load historical behaviour logs from CSV: our own columns, Diginetica or Taobao exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from tqdm import tqdm

from api.behaviour.service import store_events, validate_batch

BATCH = 1000
TAOBAO_TYPES = {"pv": "view", "cart": "add_to_cart", "fav": "wishlist", "buy": "purchase"}
EVENT_FIELDS = (
    "event_id",
    "type",
    "session_id",
    "customer_id",
    "product_id",
    "query",
    "quantity",
    "price",
    "timestamp",
)


@dataclass
class ImportReport:
    """What an import did; rejected rows carry their line numbers."""

    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"read {self.rows} rows: stored {self.stored}, already stored {self.duplicates}, "
            f"rejected {len(self.rejected)}"
        ]
        lines += [f"  line {line}: {why}" for line, why in self.rejected[:20]]
        if len(self.rejected) > 20:
            lines.append(f"  ... and {len(self.rejected) - 20} more")
        return "\n".join(lines)


def _diginetica(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter=";"), start=2):
            try:
                day = datetime.fromisoformat(row["eventdate"]).replace(tzinfo=UTC)
                at = day + timedelta(milliseconds=int(row["timeframe"]))
            except (KeyError, TypeError, ValueError):
                yield line, {"event_id": f"dgn-line-{line}", "type": "view", "timestamp": "not a date"}
                continue
            user = row.get("user_id")
            yield (
                line,
                {
                    "event_id": f"dgn-{row['session_id']}-{row['timeframe']}-{row['item_id']}",
                    "type": "view",
                    "session_id": f"dgn-{row['session_id']}",
                    "customer_id": f"dgn-user-{user}" if user and user != "NA" else None,
                    "product_id": row["item_id"] or None,
                    "timestamp": at.isoformat(),
                },
            )


def _taobao(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            if len(row) != 5:
                yield line, {"event_id": f"tb-line-{line}", "type": "?"}
                continue
            user, item, category, behaviour, ts = row
            try:
                at = datetime.fromtimestamp(int(ts), UTC).isoformat()
            except ValueError:
                at = "not a timestamp"
            yield (
                line,
                {
                    "event_id": f"tb-{user}-{item}-{ts}-{behaviour}",
                    "type": TAOBAO_TYPES.get(behaviour, behaviour),
                    "customer_id": f"tb-{user}",
                    "product_id": item,
                    "timestamp": at,
                    "extra": {"category_id": category},
                },
            )


def _shoptalk(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            yield line, {k: v for k, v in row.items() if k in EVENT_FIELDS and v not in (None, "")}


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Our own JSON Lines: the EventIn fields; a `shopper_id` is read as the customer id."""
    with path.open() as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except ValueError:
                yield line, {"event_id": f"jsonl-line-{line}", "type": "not JSON"}
                continue
            if isinstance(row, dict) and "shopper_id" in row and "customer_id" not in row:
                row["customer_id"] = row.pop("shopper_id")
            yield line, {k: v for k, v in row.items() if k in EVENT_FIELDS} if isinstance(row, dict) else {}


READERS: dict[str, Callable[[Path], Iterator[tuple[int, dict[str, Any]]]]] = {
    "shoptalk": _shoptalk,
    "jsonl": _jsonl,
    "diginetica": _diginetica,
    "taobao": _taobao,
}


def import_events(session: Session, path: Path, fmt: str, progress: bool = True) -> ImportReport:
    """Import a CSV of behaviour events in batches; bad rows are reported and skipped."""
    if fmt not in READERS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(READERS)}")
    report = ImportReport()
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        valid, rejected = validate_batch([item for _, item in batch])
        for r in rejected:
            report.rejected.append((batch[r.index][0], "; ".join(r.errors)))
        stored, dupes = store_events(session, valid)
        report.stored += stored
        report.duplicates += dupes
        batch.clear()

    for line, item in tqdm(READERS[fmt](path), desc=f"import {path.name}", unit="row", disable=not progress):
        report.rows += 1
        batch.append((line, item))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return report
