"""Train the triage's two small heads on all-MiniLM-L6-v2 embeddings; writes
src/cmassist/data/triage_heads.npz (a few kilobytes, shipped in the package).

- sentiment (negative / neutral / positive): TweetEval sentiment, validation split (2,000
  tweets; the task ships no training split here);
- offensive language (offensive or not): TweetEval offensive, training split (11,916 tweets);
- complaint or not: tests/data/triage_train.jsonl (640 FR/EN comments to 20 kinds of
  businesses, none a coffee brand, written and labelled by the team), which also joins the
  sentiment training so that French is covered, and tests/data/triage_train_tweets.jsonl
  (662 real tweets of TweetEval's sentiment validation split, labelled complaint or not by
  the team: general negativity, politics and sadness are not complaints).

Then the complaint decision: a 5-feature logistic mixer
(cmassist.services.triage.COMPLAINT_FEATURES:
the complaint head's log-odds, problem cues, negativity, praise only, urgency) is fitted on
out-of-fold outputs of the heads (5 folds of triage_train.jsonl, each fold's heads trained
without it), and its threshold is the one with the best out-of-fold F1.

Evaluation is on the test splits only (bench/bench_inbox.py), never on these.

    .venv/bin/python bench/train_triage.py [--tweeteval ../shared/data/tweeteval]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from cmassist.adapters.embeddings import build_embedder
from cmassist.config import Settings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cmassist" / "data" / "triage_heads.npz"


def read(folder: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (folder / f"{split}_labels.txt").read_text().split()]
    assert len(texts) == len(labels), folder
    return [t.strip() for t in texts], labels


def fit_complaint_mix(
    embed: Callable[[list[str]], np.ndarray],
    own: list[dict],
    tweets: list[dict],
    tweeteval: Path,
    meta: dict[str, object],
) -> dict[str, np.ndarray]:
    """The complaint mixer, fitted on out-of-fold head outputs: in each of 5 folds the
    complaint and sentiment heads are trained without the fold's texts."""
    from sklearn.model_selection import StratifiedKFold

    from cmassist.domain.textmatch import fold
    from cmassist.domain.textutil import detect_language
    from cmassist.services.triage import COMPLAINT_FEATURES, complaint_features, sentiment_reading

    rows = own + tweets
    texts = [r["text"] for r in rows]
    y = np.asarray([int(r["complaint"]) for r in rows])
    sentiment_ids = {"negative": 0, "neutral": 1, "positive": 2}
    s_rows = np.asarray([sentiment_ids[r["sentiment"]] for r in rows])
    x = embed(texts)
    # the validation tweets that are not among the labelled rows: sentiment training only
    tw_texts, tw_labels = read(tweeteval / "sentiment", "val")
    taken = {r["line"] for r in tweets}
    rest = [i for i in range(len(tw_texts)) if i + 1 not in taken]
    x_tw = embed([tw_texts[i] for i in rest])
    y_tw = np.asarray([tw_labels[i] for i in rest])
    comp_p = np.zeros(len(rows))
    sent_p = np.zeros((len(rows), 3))
    # strata: complaint label and source, so that every fold holds complaint tweets
    strata = y * 2 + np.asarray([0] * len(own) + [1] * len(tweets))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(x, strata):
        c = LogisticRegression(max_iter=2000, class_weight="balanced").fit(x[tr], y[tr])
        comp_p[te] = c.predict_proba(x[te])[:, 1]
        sx = np.concatenate([x_tw, x[tr]])
        sy = np.concatenate([y_tw, s_rows[tr]])
        sc = LogisticRegression(max_iter=2000, class_weight="balanced").fit(sx, sy)
        sent_p[te] = sc.predict_proba(x[te])
    feats = []
    for i, text in enumerate(texts):
        folded = fold(text).text
        lang = detect_language(text) or "und"
        score, sentiment, _, _ = sentiment_reading(text, folded, lang, sent_p[i])
        feats.append(complaint_features(folded, score, sentiment, float(comp_p[i]))[0])
    f = np.asarray(feats)
    mix = LogisticRegression(max_iter=2000, class_weight="balanced").fit(f, y)
    p = mix.predict_proba(f)[:, 1]
    source = np.asarray([0] * len(own) + [1] * len(tweets))

    def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
        tp = float((pred & (gold == 1)).sum())
        prec = tp / max(float(pred.sum()), 1.0)
        rec = tp / max(float(gold.sum()), 1.0)
        return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)

    # the threshold with the best mean F1 over the two sources (brand comments, where most
    # messages ask something of the brand, and tweets, where complaints are rare)
    best_th, best_f1 = 0.5, -1.0
    for th in np.arange(0.2, 0.91, 0.01):
        f1s = [prf(p[source == k] >= th, y[source == k])[2] for k in (0, 1)]
        if sum(f1s) / 2 > best_f1:
            best_th, best_f1 = float(th), sum(f1s) / 2
    report: dict[str, object] = {}
    for k, label in ((0, "comments"), (1, "tweets")):
        for name, pred in (("mixer", p >= best_th), ("head alone", comp_p >= 0.5)):
            prec, rec, f1 = prf(pred[source == k], y[source == k])
            report[f"{label}, {name}"] = {
                "precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3)
            }  # fmt: skip
    meta["complaint_mix"] = {
        "features": list(COMPLAINT_FEATURES),
        "weights": [round(float(w), 3) for w in mix.coef_[0]],
        "threshold": round(best_th, 2),
        "out_of_fold": report,
    }
    print("complaint mix", meta["complaint_mix"])
    return {
        "complaint_mix_W": mix.coef_[0].astype(np.float32),
        "complaint_mix_b": np.asarray(mix.intercept_[0], dtype=np.float32),
        "complaint_threshold": np.asarray(best_th, dtype=np.float32),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tweeteval", type=Path, default=ROOT.parent / "shared" / "data" / "tweeteval")
    args = ap.parse_args()
    embedder = build_embedder(Settings())
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        """Embeddings, each text encoded once across the heads and the mixer."""
        new = list(dict.fromkeys(t for t in texts if t not in cache))
        if new:
            cache.update(zip(new, np.asarray(embedder.embed(new), dtype=np.float32), strict=True))
        return np.stack([cache[t] for t in texts])

    heads: dict[str, np.ndarray] = {}
    meta: dict[str, object] = {"embedding": embedder.name, "built": time.strftime("%Y-%m-%d")}
    own = [json.loads(line) for line in (ROOT / "tests/data/triage_train.jsonl").open()]
    tweets = [json.loads(line) for line in (ROOT / "tests/data/triage_train_tweets.jsonl").open()]
    sentiment_ids = {"negative": 0, "neutral": 1, "positive": 2}
    for name, split, c in (
        ("sentiment", "val", 1.0),
        ("offensive", "train", 1.0),
        ("complaint", "own+tweets", 1.0),
    ):
        if name == "complaint":
            texts = [r["text"] for r in own + tweets]
            labels = [int(r["complaint"]) for r in own + tweets]
        else:
            texts, labels = read(args.tweeteval / name, split)
        if name == "sentiment":  # French and brand-comment examples beside the tweets
            texts += [r["text"] for r in own]
            labels += [sentiment_ids[r["sentiment"]] for r in own]
        t0 = time.perf_counter()
        x = embed(texts)
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
    heads.update(fit_complaint_mix(embed, own, tweets, args.tweeteval, meta))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, meta=np.array(json.dumps(meta)), **heads)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
