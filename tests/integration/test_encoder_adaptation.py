"""Adapting MiniLM to a catalog: real training on a tiny catalog, reuse, ONNX export, serving."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import retrieval.adapt as adapt_module
from api.catalog.wiring import build_dense_encoder
from api.config import Settings
from retrieval.adapt import AdaptArguments, ensure_adapted
from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, encoder_name, ensure_onnx
from tests.support.catalog import PRODUCTS

pytestmark = pytest.mark.integration
TINY = AdaptArguments(epochs=4, batch_size=4, learning_rate=1e-4, max_doc_tokens=24, threads=1)


def margin(encoder: MiniLMOnnxEncoder, queries: list[str], docs: np.ndarray) -> float:
    """Mean of (similarity to its own product - mean similarity to the others) over queries."""
    sims = np.stack([docs @ encoder.encode_query(q) for q in queries])
    own = np.diag(sims)
    others = (sims.sum(axis=1) - own) / (len(queries) - 1)
    return float(np.mean(own - others))


@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_adapted(PRODUCTS, tmp_path_factory.mktemp("models"), TINY)


def test_adaptation_trains_and_reports_what_it_did(adapted: Path) -> None:
    report = json.loads((adapted / "adaptation.json").read_text())
    assert (adapted / "model.safetensors").exists() and (adapted / "tokenizer.json").exists()
    assert report["products"] == len(PRODUCTS)
    assert report["steps"] == TINY.epochs * -(-len(PRODUCTS) // TINY.batch_size)
    assert np.isfinite(report["first_loss"]) and np.isfinite(report["last_loss"]), report
    assert not list(adapted.parent.glob("*.partial")), "no half-written folder is left"


def test_the_same_catalog_and_arguments_reuse_the_adaptation(adapted: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("trained again")

    monkeypatch.setattr(adapt_module, "adapt", refuse)
    assert ensure_adapted(PRODUCTS, adapted.parent, TINY) == adapted


def test_the_adapted_model_exports_and_serves_through_the_settings(adapted: Path, tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, encoder_model_dir=adapted)
    served = build_dense_encoder(settings)
    assert served.name == encoder_name(adapted) != encoder_name(None), "its own embedding cache key"
    base = MiniLMOnnxEncoder(ensure_onnx(Path(__file__).resolve().parents[2] / "var" / "models"))
    fp32 = MiniLMOnnxEncoder(ensure_onnx(settings.model_cache, source=adapted))
    texts = [p.search_text() for p in PRODUCTS]
    vectors = fp32.encode_documents(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # What it trains for: a span of a title lands nearer its own product than the others.
    spans = [" ".join(p.title.lower().split()[-2:]) for p in PRODUCTS]
    assert margin(fp32, spans, vectors) > margin(base, spans, base.encode_documents(texts))
    query = served.encode_query("hiking boots")  # int8 copy of the adapted model
    assert float(query @ fp32.encode_query("hiking boots")) > 0.97
    assert PRODUCTS[int(np.argmax(vectors @ query))].id == "boot-1"


def test_the_cli_adapts_a_catalog_file_and_says_how_to_serve_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from shoptalk.ingest_cmd import adapt_encoder

    catalog = tmp_path / "catalog.csv"
    rows = ["id,title,description,price"] + [f"{p.id},{p.title},{p.description},{p.price}" for p in PRODUCTS]
    catalog.write_text("\n".join([*rows, ",no id,,1", "x9,Bad price,,abc"]) + "\n")
    settings = Settings(var_dir=tmp_path / "var")
    folder = adapt_encoder(settings, catalog, None, argparse.Namespace(epochs=1, max_products=100, threads=1))
    out = capsys.readouterr().out
    assert "skipped 2 bad rows" in out
    assert f"ENCODER_MODEL_DIR={folder}" in out and f"adapted to {len(PRODUCTS)} products" in out
    assert json.loads((folder / "adaptation.json").read_text())["products"] == len(PRODUCTS)
    exports = {p.name for p in settings.model_cache.glob("minilm-adapted-*.onnx")}
    assert len(exports) == 2 and any(name.endswith("-int8pc.onnx") for name in exports), exports
