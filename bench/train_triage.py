"""Train the triage's two small heads on all-MiniLM-L6-v2 embeddings; writes
src/cmassist/data/triage_heads.npz (a few kilobytes, shipped in the package).

- sentiment (negative / neutral / positive): TweetEval sentiment, validation split (2,000
  tweets; the task ships no training split here);
- offensive language (offensive or not): TweetEval offensive, training split (11,916 tweets);
- complaint or not: tests/data/triage_train.jsonl (640 FR/EN comments to 20 kinds of
  businesses, none a coffee brand, written and labelled by the team), which also joins the
  sentiment training so that French is covered.

Evaluation is on the test splits only (bench/bench_triage.py), never on these.

    .venv/bin/python bench/train_triage.py [--tweeteval ../shared/data/tweeteval]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from cmassist.config import Settings
from cmassist.embeddings import build_embedder

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cmassist" / "data" / "triage_heads.npz"


def read(folder: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (folder / f"{split}_labels.txt").read_text().split()]
    assert len(texts) == len(labels), folder
    return [t.strip() for t in texts], labels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tweeteval", type=Path, default=ROOT.parent / "shared" / "data" / "tweeteval")
    args = ap.parse_args()
    embedder = build_embedder(Settings())
    heads: dict[str, np.ndarray] = {}
    meta: dict[str, object] = {"embedding": embedder.name, "built": time.strftime("%Y-%m-%d")}
    own = [json.loads(line) for line in (ROOT / "tests/data/triage_train.jsonl").open()]
    sentiment_ids = {"negative": 0, "neutral": 1, "positive": 2}
    for name, split, c in (
        ("sentiment", "val", 1.0),
        ("offensive", "train", 1.0),
        ("complaint", "own", 1.0),
    ):
        if name == "complaint":
            texts = [r["text"] for r in own]
            labels = [int(r["complaint"]) for r in own]
        else:
            texts, labels = read(args.tweeteval / name, split)
        if name == "sentiment":  # French and brand-comment examples beside the tweets
            texts += [r["text"] for r in own]
            labels += [sentiment_ids[r["sentiment"]] for r in own]
        t0 = time.perf_counter()
        x = np.asarray(embedder.embed(texts), dtype=np.float32)
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        clf.fit(x, labels)
        heads[f"{name}_W"] = clf.coef_.astype(np.float32)
        heads[f"{name}_b"] = clf.intercept_.astype(np.float32)
        meta[name] = {
            "split": split,
            "n": len(texts),
            "train_accuracy": round(clf.score(x, labels), 3),
        }
        print(name, meta[name], f"{time.perf_counter() - t0:.0f} s")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, meta=np.array(json.dumps(meta)), **heads)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
