"""Catalog adaptation of the dense encoder: pseudo-queries, pairs, identity and wiring."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from api.catalog.wiring import build_dense_encoder
from api.config import Settings
from retrieval.adapt import AdaptArguments, adaptation_key, pseudo_query, training_pairs
from shoptalk.ingest_cmd import catalog_fingerprint
from tests.support.catalog import PRODUCTS


def test_pseudo_query_is_a_short_lower_case_span_of_the_title() -> None:
    rng = random.Random(0)
    title = "DEWALT 20-Volt MAX Lithium-Ion Cordless Drill (Tool-Only)"
    words = [w.strip(".-'\"").lower() for w in title.replace("(", " ").replace(")", " ").split()]
    spans = {pseudo_query(title, rng, max_words=3) for _ in range(200)}
    assert all(s is not None and 1 <= len(s.split()) <= 3 for s in spans)
    for span in spans:
        assert span is not None and span == span.lower()
        assert " ".join(span.split()) in " ".join(words), span
    assert "drill tool-only" in spans or "cordless drill tool-only" in spans, "the last words are favoured"
    assert len(spans) > 10, "spans vary"
    assert pseudo_query("  ()  ", rng, 4) is None


def test_training_pairs_are_seeded_sampled_and_pair_a_span_with_its_own_product() -> None:
    args = AdaptArguments(max_products=3, seed=7)
    first, again = training_pairs(PRODUCTS, args, epoch=0), training_pairs(PRODUCTS, args, epoch=0)
    assert first == again
    assert len(first) == 3
    by_text = {p.search_text(): p for p in PRODUCTS}
    for query, text in first:
        assert query in by_text[text].title.lower()
    assert training_pairs(PRODUCTS, args, epoch=1) != first, "each epoch draws new spans"
    assert len(training_pairs(PRODUCTS, dataclasses.replace(args, max_products=None), 0)) == len(PRODUCTS)


def test_adaptation_key_follows_the_catalog_and_arguments_but_not_threads() -> None:
    args = AdaptArguments()
    key = adaptation_key(PRODUCTS, args)
    assert adaptation_key(PRODUCTS, dataclasses.replace(args, threads=7)) == key
    assert adaptation_key(PRODUCTS, dataclasses.replace(args, learning_rate=1e-4)) != key
    assert adaptation_key(PRODUCTS[:-1], args) != key
    renamed = [dataclasses.replace(PRODUCTS[0], title="Trail Running Shoe"), *PRODUCTS[1:]]
    assert adaptation_key(renamed, args) != key


def test_an_encoder_model_dir_without_weights_is_refused_with_its_path(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, encoder_model_dir=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="nowhere.*adapt-encoder"):
        build_dense_encoder(settings)


def test_switching_the_encoder_model_re_ingests_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("id,title\n1,Boots\n")
    packaged = catalog_fingerprint(catalog, {}, Settings(var_dir=tmp_path))
    adapted = catalog_fingerprint(catalog, {}, Settings(var_dir=tmp_path, encoder_model_dir=tmp_path / "m"))
    assert packaged != adapted


def test_an_adapted_model_has_one_name_however_its_path_is_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from retrieval.encoders.minilm_onnx import encoder_name

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.safetensors").write_bytes(b"weights")
    monkeypatch.chdir(tmp_path)
    assert encoder_name(Path("m")) == encoder_name(tmp_path / "m") == encoder_name(Path("./m/../m"))
    assert encoder_name(Path("m")) != encoder_name(None)
