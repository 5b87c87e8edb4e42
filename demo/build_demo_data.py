"""Build the demo catalog and demo behaviour log from the Flipkart sample.

Source: ../shared/data/catalog/flipkart_1002_products.csv (PromptCloud Flipkart sample,
CC BY-SA 4.0). The derived demo/catalog.jsonl is shared under the same licence; see
demo/ATTRIBUTION.md. Stock levels and the behaviour log are generated (seeded).

Usage: python demo/build_demo_data.py [SOURCE_CSV]
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data" / "catalog" / "flipkart_1002_products.csv"
_SPEC = re.compile(r"'key': '(.*?)', 'value': '(.*?)'")


def _category(tree: str, name: str) -> list[str]:
    levels = [p.strip().strip("'\"") for p in tree.strip('[]"').split(",")]
    levels = [lvl for lvl in levels if lvl and lvl.lower() != name.lower()]
    return [re.sub(r"\s+", " ", lvl).title() for lvl in levels[:4]]


def _seeded(pid: str, salt: str) -> float:
    return int(hashlib.sha256(f"{pid}:{salt}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def convert(row: dict[str, str]) -> dict[str, object] | None:
    """Turn one Flipkart row into a demo product, or None when it has no price."""
    name = row["product_name"].strip()
    prices = [float(v) for v in (row["discounted_price"], row["retail_price"]) if v and float(v) > 0]
    if not name or not prices:
        return None
    specs = {k.lower(): v for k, v in _SPEC.findall(row.get("product_specifications", ""))}
    attributes = {k: specs[k] for k in ("color", "material", "type", "size", "ideal for") if k in specs}
    images = json.loads(row["image"]) if row["image"].startswith("[") else []
    rating = row["product_rating"]
    pid = row["pid"] or row["uniq_id"]
    return {
        "id": pid,
        "title": name.title(),
        "description": re.sub(r"\s+", " ", row["description"]).strip()[:1200],
        "category_path": _category(row["product_category_tree"], name),
        "brand": row["brand"].strip().title(),
        "price": prices[0],
        "currency": "INR",
        "attributes": attributes,
        "image_url": images[0] if images else "",
        "rating": float(rating) if rating.replace(".", "", 1).isdigit() and float(rating) > 0 else None,
        "stock": 0 if _seeded(pid, "stock") < 0.08 else 1 + int(_seeded(pid, "qty") * 40),
        "updated_at": row["crawl_timestamp"][:19].replace(" ", "T") + "Z",
    }


def behaviour_log(products: list[dict[str, object]], seed: int = 7) -> list[dict[str, object]]:
    """Generate a small, plausible behaviour log: sessions browsing within a category."""
    rng = random.Random(seed)
    by_cat: dict[str, list[dict[str, object]]] = {}
    for p in products:
        cats = p["category_path"]
        if isinstance(cats, list) and cats:
            by_cat.setdefault(str(cats[0]), []).append(p)
    cats = sorted(c for c, items in by_cat.items() if len(items) >= 5)
    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    events: list[dict[str, object]] = []
    for s in range(60):
        shopper = f"demo-shopper-{s % 20:02d}"
        pool = by_cat[rng.choice(cats)]
        when = start + timedelta(days=rng.randint(0, 45), minutes=rng.randint(0, 1440))
        for step in range(rng.randint(2, 7)):
            item = rng.choice(pool)
            kind = "view"
            if step > 1 and rng.random() < 0.25:
                kind = "add_to_cart"
            if kind == "add_to_cart" and rng.random() < 0.4:
                kind = "purchase"
            when += timedelta(seconds=rng.randint(20, 400))
            events.append(
                {
                    "event_id": f"demo-{s:03d}-{step}",
                    "shopper_id": shopper,
                    "session_id": f"demo-session-{s:03d}",
                    "type": kind,
                    "product_id": item["id"],
                    "quantity": 1,
                    "price": item["price"],
                    "timestamp": when.isoformat(),
                }
            )
    return events


def main() -> None:
    """Write demo/catalog.jsonl (with the Chinese texts of demo/catalog_zh.jsonl) and demo/events.jsonl."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    with source.open(newline="", encoding="utf-8") as fh:
        rows = [convert(r) for r in csv.DictReader(fh)]
    products, seen = [], set()
    for p in rows:
        if p and p["id"] not in seen:
            seen.add(p["id"])
            products.append(p)
    # Chinese titles and descriptions we wrote for 260 of them (demo/catalog_zh.jsonl)
    chinese = {}
    if (HERE / "catalog_zh.jsonl").exists():
        chinese = {
            r["id"]: r
            for r in map(json.loads, (HERE / "catalog_zh.jsonl").read_text(encoding="utf-8").splitlines())
            if r
        }
    for p in products:
        if p["id"] in chinese:
            p["title_zh"], p["description_zh"] = chinese[p["id"]]["title"], chinese[p["id"]]["description"]
    with (HERE / "catalog.jsonl").open("w") as out:
        for p in products:
            out.write(json.dumps(p, ensure_ascii=False) + "\n")
    with (HERE / "events.jsonl").open("w") as out:
        for e in behaviour_log(products):
            out.write(json.dumps(e) + "\n")
    print(f"wrote {len(products)} products and the behaviour log to {HERE}")


if __name__ == "__main__":
    main()
