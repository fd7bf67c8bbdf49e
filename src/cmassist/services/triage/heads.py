"""The embedded triage model: linear heads over all-MiniLM-L6-v2 embeddings (sentiment,
offensive language, complaint) trained by bench/train_triage.py, loaded once per process."""

from __future__ import annotations

import json
import threading
from importlib import resources

import numpy as np


class Heads:
    """Linear heads over all-MiniLM-L6-v2 embeddings, trained by bench/train_triage.py."""

    def __init__(self) -> None:
        path = resources.files("cmassist") / "data" / "triage_heads.npz"
        # The file is opened here so that it is closed even when np.load refuses it.
        with path.open("rb") as f, np.load(f) as z:
            self.sentiment_w = z["sentiment_W"]
            self.sentiment_b = z["sentiment_b"]
            self.offensive_w = z["offensive_W"]
            self.offensive_b = z["offensive_b"]
            self.complaint_w = z["complaint_W"]
            self.complaint_b = z["complaint_b"]
            self.meta = json.loads(str(z["meta"]))
            # complaint = sigmoid(features · W + b) >= threshold, see complaint_features()
            self.complaint_mix: tuple[np.ndarray, float, float] | None = (
                (
                    z["complaint_mix_W"].astype(np.float64),
                    float(z["complaint_mix_b"]),
                    float(z["complaint_threshold"]),
                )
                if "complaint_mix_W" in z
                else None
            )
        self.dimension = int(self.sentiment_w.shape[1])

    def sentiment(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.sentiment_w.T + self.sentiment_b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        p: np.ndarray = e / e.sum(axis=1, keepdims=True)  # columns: negative, neutral, positive
        return p

    def complaint(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.complaint_w.T + self.complaint_b
        p: np.ndarray = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return p

    def offensive(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.offensive_w.T + self.offensive_b
        p: np.ndarray = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return p


_HEADS: Heads | None = None
_HEADS_LOCK = threading.Lock()


def load_heads() -> Heads:
    global _HEADS
    with _HEADS_LOCK:
        if _HEADS is None:
            _HEADS = Heads()
        return _HEADS
