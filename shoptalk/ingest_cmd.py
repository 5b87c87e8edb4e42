"""`shoptalk ingest` and `shoptalk search`: load a catalog into the product index."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

from tqdm import tqdm

from api.catalog.wiring import build_dense_encoder, build_index, build_multilingual_encoder, build_searcher
from api.config import Settings
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.cache import CachedDenseEncoder
from retrieval.filters import ProductFilter
from retrieval.index.port import PAYLOAD_VERSION
from retrieval.ingest import ingest_catalog
from retrieval.loaders import load_catalog, load_mapping


def _marker(settings: Settings) -> Path:
    return settings.var_dir / "ingested.json"


def catalog_fingerprint(path: Path, mapping: dict[str, str], settings: Settings) -> str:
    """Return a hash of the catalog file, mapping and encoder choice (an adapted encoder's
    vectors differ from the packaged one's, so switching it re-ingests)."""
    digest = hashlib.sha256(path.read_bytes())
    model = str(settings.encoder_model_dir.resolve()) if settings.encoder_model_dir else ""
    inputs = [mapping, settings.encoder, model, settings.qdrant_url, PAYLOAD_VERSION]
    if settings.search_multilingual:
        inputs.append("multilingual")  # switching it on (or off) re-ingests
    digest.update(json.dumps(inputs, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def ingest(settings: Settings, catalog: Path, mapping_file: Path | None, *, if_needed: bool) -> None:
    """Ingest a catalog into the configured index, printing progress and a summary."""
    mapping = load_mapping(mapping_file)
    fingerprint = catalog_fingerprint(catalog, mapping, settings)
    marker = _marker(settings)
    if if_needed and marker.exists() and json.loads(marker.read_text()).get("fingerprint") == fingerprint:
        print(f"ingest: {catalog.name} already loaded")
        return
    bulk = settings.model_copy(update={"encoder_threads": max(settings.encoder_threads, os.cpu_count() or 1)})
    dense = CachedDenseEncoder(
        build_dense_encoder(bulk), settings.model_cache / f"embeddings-{settings.encoder}.sqlite"
    )
    second = build_multilingual_encoder(bulk)
    multilingual = None if second is None else CachedDenseEncoder(second, settings.model_cache / "embeddings-e5.sqlite")
    index = build_index(settings, dense.dim, multilingual.dim if multilingual else None)
    bar = tqdm(total=0, unit="products", desc="encoding")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        summary = ingest_catalog(
            catalog, index, dense, Bm25Encoder(), mapping=mapping, progress=progress, multilingual=multilingual
        )
        count = index.count()
    finally:
        bar.close()
        index.close()
    print(
        f"ingest: loaded {summary.loaded}, skipped {summary.skipped} {summary.skip_reasons or ''}, "
        f"encoded {summary.encoded} new ({summary.encoded_multilingual} multilingual), {count} in the index, "
        f"{summary.seconds:.1f}s"
    )
    for line in summary.first_skips:
        print(f"  skipped {line}")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"fingerprint": fingerprint, "catalog": str(catalog), **summary.to_dict()}))


def search(settings: Settings, query: str, filters: list[str], limit: int) -> None:
    """Print the top products for a query (filters as key=value)."""
    fields: dict[str, list[str]] = {}
    for item in filters:
        key, _, value = item.partition("=")
        fields.setdefault(key.strip(), []).append(value.strip())
    flt = ProductFilter(
        categories=tuple(fields.get("category", [])),
        brands=tuple(fields.get("brand", [])),
        colors=tuple(fields.get("color", [])),
        exclude_colors=tuple(fields.get("exclude_color", [])),
        price_min=float(fields["price_min"][0]) if "price_min" in fields else None,
        price_max=float(fields["price_max"][0]) if "price_max" in fields else None,
    )
    try:
        searcher = build_searcher(settings, vocabulary_now=True)
    except Exception as exc:  # Qdrant Edge opens its folder in one process only
        if "WouldBlock" not in str(exc) and "lock" not in str(exc).lower():
            raise
        raise SystemExit(
            f"search: the product index in {settings.qdrant_path} is in use by a running API (Qdrant Edge is "
            "opened by one process at a time). Search through it instead:\n"
            f"  curl -s 'http://127.0.0.1:8000/v1/products/search?q={query.replace(' ', '+')}'"
        ) from None
    try:
        result = searcher.search(query, flt, limit=limit)
    finally:
        searcher.index.close()
    if result.spelling:
        print(f"(showing results for '{result.query_text}')")
    if result.relaxed:
        print(f"(no exact match; dropped: {', '.join(result.relaxed)})")
    for rank, hit in enumerate(result.hits, 1):
        price = f"{hit.currency} {hit.price:,.0f}" if hit.price is not None else "-"
        print(f"{rank:2d}. {hit.title[:60]:60s} {price:>12s}  {'; '.join(hit.why)}")


def adapt_encoder(settings: Settings, catalog: Path, mapping_file: Path | None, options: argparse.Namespace) -> Path:
    """Adapt MiniLM to the catalog, export it to ONNX (fp32 and int8) and say how to serve it."""
    from retrieval.adapt import AdaptArguments, ensure_adapted
    from retrieval.encoders.minilm_onnx import ensure_onnx

    report = load_catalog(catalog, load_mapping(mapping_file))
    if report.skipped:
        print(f"adapt-encoder: skipped {len(report.skipped)} bad rows (see `shoptalk ingest` for reasons)")
    args = AdaptArguments(epochs=options.epochs, max_products=options.max_products, threads=options.threads)
    folder = ensure_adapted(report.products, settings.model_cache, args)
    ensure_onnx(settings.model_cache, int8=True, source=folder)  # the fp32 export first, then its int8 copy
    print(
        f"adapt-encoder: adapted to {len(report.products)} products: {folder}\n"
        f"  serve it: ENCODER_MODEL_DIR={folder}  (then `shoptalk ingest` re-encodes the catalog)"
    )
    return folder
