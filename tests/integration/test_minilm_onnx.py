"""The ONNX MiniLM the API serves agrees with sentence-transformers on PyTorch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.encoders.minilm_onnx import MiniLMOnnxEncoder, ensure_onnx, model_dir

pytestmark = pytest.mark.integration
TEXTS = [
    "hi",
    "I'm looking for waterproof hiking boots under 50 dollars, not black",
    "Asics Gel-Kayano 22 Running Shoes. Footwear Sports Shoes. " * 20,  # truncated at 256 tokens
    "",
]


@pytest.fixture(scope="module")
def onnx_encoder(tmp_path_factory: pytest.TempPathFactory) -> MiniLMOnnxEncoder:
    cache = Path(__file__).resolve().parents[2] / "var" / "models"
    return MiniLMOnnxEncoder(ensure_onnx(cache))


def test_onnx_embeddings_match_pytorch(onnx_encoder: MiniLMOnnxEncoder) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir()), device="cpu").encode(TEXTS, normalize_embeddings=True)
    ours = onnx_encoder.encode_documents(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.9999


def test_query_and_batch_encoding_agree(onnx_encoder: MiniLMOnnxEncoder) -> None:
    batch = onnx_encoder.encode_documents(TEXTS[:2])
    single = onnx_encoder.encode_query(TEXTS[1])
    assert np.allclose(batch[1], single, atol=1e-5)
    assert np.isclose(np.linalg.norm(single), 1.0, atol=1e-5)


def test_int8_query_vectors_stay_next_to_the_fp32_ones() -> None:
    cache = Path(__file__).resolve().parents[2] / "var" / "models"
    fp32 = MiniLMOnnxEncoder(ensure_onnx(cache))
    int8 = MiniLMOnnxEncoder(ensure_onnx(cache), query_onnx_path=ensure_onnx(cache, int8=True))
    queries = ["angle bracket", "waterproof hiking boots under 50 dollars, not black", "samsung galaxy s4 case", "hi"]
    cosines = [float(fp32.encode_query(q) @ int8.encode_query(q)) for q in queries]
    assert min(cosines) > 0.98, cosines
    docs = fp32.encode_documents(["Simpson Strong-Tie angle bracket", "Samsung Galaxy S4 phone case", "hiking boots"])
    for q in queries[:3]:
        assert np.argmax(docs @ int8.encode_query(q)) == np.argmax(docs @ fp32.encode_query(q)), q
    assert np.allclose(int8.encode_documents(queries), fp32.encode_documents(queries)), "documents stay fp32"
