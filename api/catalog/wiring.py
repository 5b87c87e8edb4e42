"""Build the product searcher the settings ask for (embedded Edge or a Qdrant server)."""

from __future__ import annotations

import logging

from api.config import Settings
from retrieval.chinese import Glossary
from retrieval.encoders.bm25 import Bm25Encoder
from retrieval.encoders.port import DenseEncoder
from retrieval.index.port import ProductIndex
from retrieval.search import ProductSearcher
from retrieval.spelling import english_words

log = logging.getLogger(__name__)


def build_dense_encoder(settings: Settings) -> DenseEncoder:
    """Return the configured dense encoder (MiniLM on ONNX Runtime, or hashing for tests)."""
    if settings.encoder == "hashing":
        from retrieval.encoders.hashing import HashingDenseEncoder

        return HashingDenseEncoder()
    from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, encoder_name, ensure_onnx

    source = settings.encoder_model_dir
    if source is not None and not (source / "model.safetensors").exists():
        raise ValueError(f"ENCODER_MODEL_DIR={source} holds no model.safetensors (run `shoptalk adapt-encoder`)")
    queries = ensure_onnx(settings.model_cache, int8=True, source=source) if settings.query_encoder_int8 else None
    return MiniLMOnnxEncoder(
        ensure_onnx(settings.model_cache, source=source),
        threads=settings.encoder_threads,
        query_onnx_path=queries,
        name=encoder_name(source),
    )


def build_multilingual_encoder(settings: Settings) -> DenseEncoder | None:
    """Return the encoder of the second named vector (multilingual-e5-small), or None when it
    is off or the test encoder (hashing) is configured: CJK queries then search BM25 alone."""
    if not settings.search_multilingual or settings.encoder == "hashing":
        return None
    from retrieval.encoders.e5_multilingual import E5MultilingualEncoder

    return E5MultilingualEncoder(threads=settings.encoder_threads)


def build_index(settings: Settings, dim: int, multilingual_dim: int | None = None) -> ProductIndex:
    """Return ServerProductIndex when QDRANT_URL is set, else the embedded EdgeProductIndex;
    a rebuild gives it the multilingual vector when `multilingual_dim` is set."""
    if settings.qdrant_url:
        from retrieval.index.server import ServerProductIndex

        log.info("retrieval.index.server url=%s", settings.qdrant_url)
        return ServerProductIndex.connect(
            settings.qdrant_url, settings.qdrant_api_key, dim, settings.qdrant_collection, multilingual_dim
        )
    from retrieval.index.edge import EdgeProductIndex

    return EdgeProductIndex(settings.qdrant_path, dim, multilingual_dim=multilingual_dim)


def build_searcher(settings: Settings, *, vocabulary_now: bool = False) -> ProductSearcher:
    """Wire encoders and index into a searcher. The speller's vocabulary loads in the
    background (a server starts at once), or before returning with `vocabulary_now`."""
    dense = build_dense_encoder(settings)
    multilingual = build_multilingual_encoder(settings)
    searcher = ProductSearcher(
        build_index(settings, dense.dim, multilingual.dim if multilingual else None),
        dense,
        Bm25Encoder(),
        fusion=settings.search_fusion,
        spelling=settings.search_spelling,
        protected_words=english_words(),
        multilingual=multilingual,
        glossary=Glossary.load(settings.search_glossary_file) if settings.search_glossary_file else None,
    )
    if settings.search_spelling and vocabulary_now:
        searcher.refresh_vocabulary()
    elif settings.search_spelling:
        searcher.refresh_vocabulary_in_background()
    return searcher
