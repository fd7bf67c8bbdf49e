"""Check bench: the tone and compliance checker on the labelled set (precision and recall per
rule, voice ROC AUC) and its latency on 280-character texts, against the raw embedding model.

    .venv/bin/python bench/bench_check.py [--quick] [--runs N]

Both brands (the sample coffee roaster and the bike shop written for this) are ingested into
a temporary store with the embedded model. Latency is measured after warm-up, alternating
the app's full check with the raw component it waits on most: sentence-transformers
encoding the same text.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import argparse
import random
import sys
from typing import Any

import common
from common import (
    ROOT,
    BenchError,
    CpuSnapshot,
    Timer,
    log,
    other_load,
    summarize_ms,
    table,
    target,
)

NAME = "check"
LABELLED = ROOT / "tests" / "data" / "check_labelled.jsonl"
SECOND_BRAND = ROOT / "tests" / "data" / "brands" / "velofleuve"
LATENCY_TARGET_MS = 200.0
CHARS = 280


def texts_of_280(rows: list[Any], n: int, seed: int = 11) -> list[tuple[Any, str]]:
    """Labelled texts cut or padded with their own words to exactly 280 characters."""
    rng = random.Random(seed)
    out = []
    for row in rng.sample(rows, min(n, len(rows))):
        text = row.text
        while len(text) < CHARS:
            text = f"{text} {row.text}"
        out.append((row, text[:CHARS]))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from cmassist.bootstrap import Services
    from cmassist.config import Settings
    from cmassist.services.checking.evaluation import (
        MECHANICAL_RULES,
        evaluate,
        load_labelled,
        roc_auc,
    )
    from cmassist.services.ingest import ingest

    if not LABELLED.is_file() or not SECOND_BRAND.is_dir():
        raise BenchError(f"the labelled set {LABELLED} or the second brand is missing")
    rows = load_labelled(LABELLED)
    with common.temp_dir("check") as tmp:
        services = Services(Settings(data_dir=tmp / "data"))
        with Timer() as t_ingest:
            brands = ((common.SAMPLE_BRAND_DIR, "boreale"), (SECOND_BRAND, "velofleuve"))
            for folder, brand in brands:
                report = ingest(services.store, [folder], brand=brand)
                if not report.ok:
                    raise BenchError(f"ingesting {brand} failed: {report.summary()}")
        checker = services.checker
        with Timer() as t_profile:
            for brand in ("boreale", "velofleuve"):
                checker.profile(brand)

        before = CpuSnapshot.take()
        ev = evaluate(checker, rows)
        quality_load = other_load(before, CpuSnapshot.take())

        # Latency: warm up, then alternate app check and raw encode on the same 280-char texts.
        model = services.embedder.raw_model()  # the loaded SentenceTransformer
        samples = texts_of_280(rows, args.texts)
        for row, text in samples[:5]:
            checker.check(text, platform="instagram", brand=row.brand, kind=row.kind)
            model.encode([text], normalize_embeddings=True)
        app_s: list[float] = []
        raw_s: list[float] = []
        off_voice_s: list[float] = []
        before = CpuSnapshot.take()
        for i in range(args.runs):
            row, text = samples[i % len(samples)]
            with Timer() as t_app:
                result = checker.check(
                    text,
                    platform="instagram",
                    brand=row.brand,
                    kind=row.kind,
                    sponsored=row.sponsored,
                    language=row.language,
                )
            with Timer() as t_raw:
                model.encode([text], normalize_embeddings=True)
            app_s.append(t_app.elapsed)
            raw_s.append(t_raw.elapsed)
            if any(f.rule == "voice" for f in result.findings):
                off_voice_s.append(t_app.elapsed)
        latency_load = other_load(before, CpuSnapshot.take())

    app, raw = summarize_ms(app_s), summarize_ms(raw_s)
    off = summarize_ms(off_voice_s) if off_voice_s else None
    off_voice_row = [off[k] for k in ("p50_ms", "p95_ms", "mean_ms")] if off else ["-"] * 3
    rule_rows = [
        [rule, s.tp + s.fn, s.tp, s.fp, s.fn, round(s.precision, 3), round(s.recall, 3)]
        for rule, s in ev.per_rule.items()
    ]
    o = ev.overall
    rule_rows.append(
        ["all rules", o.tp + o.fn, o.tp, o.fp, o.fn, round(o.precision, 3), round(o.recall, 3)]
    )
    voice_rows = []
    for brand in ("boreale", "velofleuve"):
        for lang in ("fr", "en", None):
            ids = {r.id for r in rows if r.brand == brand and (lang is None or r.language == lang)}
            on = [float(s) for i, lbl, s in ev.voice_scores if i in ids and lbl == "on"]
            off = [float(s) for i, lbl, s in ev.voice_scores if i in ids and lbl == "off"]
            voice_rows.append(
                [brand, lang or "both", len(on), len(off), round(roc_auc(on, off), 3)]
            )
    voice_rows.append(
        [
            "both",
            "both",
            sum(1 for _, lbl, _ in ev.voice_scores if lbl == "on"),
            sum(1 for _, lbl, _ in ev.voice_scores if lbl == "off"),
            round(ev.voice_auc, 3),
        ]
    )
    min_p = min(s.precision for s in ev.per_rule.values())
    min_r = min(s.recall for s in ev.per_rule.values())
    worst_p = min(ev.per_rule, key=lambda r: ev.per_rule[r].precision)
    worst_r = min(ev.per_rule, key=lambda r: ev.per_rule[r].recall)
    return {
        "tables": [
            table(
                f"Rule findings on the labelled set ({len(rows)} texts, "
                f"{sum(1 for r in rows if r.brand == 'boreale')} coffee roaster, "
                f"{sum(1 for r in rows if r.brand == 'velofleuve')} bike shop; French and "
                "English)",
                [
                    "rule",
                    "texts breaking it",
                    "found",
                    "false alarms",
                    "missed",
                    "precision",
                    "recall",
                ],
                rule_rows,
            ),
            table(
                "Voice score: how well it ranks on-voice above off-voice texts (ROC AUC)",
                ["brand", "language", "on-voice", "off-voice", "AUC"],
                voice_rows,
            ),
            table(
                f"Latency of one check, {CHARS}-character texts, after warm-up "
                f"({args.runs} runs, alternating)",
                ["", "p50 ms", "p95 ms", "mean ms"],
                [
                    [
                        "cmassist check (all rules + voice)",
                        app["p50_ms"],
                        app["p95_ms"],
                        app["mean_ms"],
                    ],
                    [
                        "raw: sentence-transformers encode of the same text",
                        raw["p50_ms"],
                        raw["p95_ms"],
                        raw["mean_ms"],
                    ],
                    [
                        "cmassist check, off-voice texts only (also embeds each sentence)",
                        *off_voice_row,
                    ],
                ],
            ),
            table(
                "One-off costs",
                ["step", "seconds"],
                [
                    [
                        "ingest both brands (embedding every passage, post and reply)",
                        round(t_ingest.elapsed, 2),
                    ],
                    [
                        "build both brand profiles (rules, fact index, voice references)",
                        round(t_profile.elapsed, 2),
                    ],
                ],
            ),
        ],
        "targets": [
            target(
                "rule precision (lowest rule)", "≥ 0.95", f"{min_p:.3f} ({worst_p})", min_p >= 0.95
            ),
            target(
                "rule recall (lowest rule)", "≥ 0.90", f"{min_r:.3f} ({worst_r})", min_r >= 0.90
            ),
            target("voice ROC AUC", "≥ 0.85", f"{ev.voice_auc:.3f}", ev.voice_auc >= 0.85),
            target(
                f"check of a {CHARS}-character text, p95",
                f"< {LATENCY_TARGET_MS:.0f} ms",
                f"{app['p95_ms']:.1f} ms",
                app["p95_ms"] < LATENCY_TARGET_MS,
            ),
        ],
        "notes": [
            "A (text, rule) pair counts as found when the checker reports at least one finding "
            "of that rule on the text. The labelled set was written from the rule definitions "
            "in the README by a different author than the checker, then labelled mechanically "
            "by those definitions: these figures measure how faithfully the checker applies "
            "the brands' written rules, not how it would fare on arbitrary wild text.",
            "Voice AUC: the probability that a random on-voice text scores above a random "
            "off-voice one. 36 of the texts are off-voice, half of them breaking no rule at all "
            "(tone only: corporate, pushy, snobbish, the wrong register).",
            f"Mistakes: {len(ev.mistakes)}"
            + (
                ": " + "; ".join(f"{m['id']} {m['rule']} {m['kind']}" for m in ev.mistakes[:10])
                if ev.mistakes
                else "."
            ),
            f"Other processes used {quality_load['other_cores']:.2f} cores during the quality "
            f"run and {latency_load['other_cores']:.2f} during the latency run.",
            f"Rules measured: {', '.join(MECHANICAL_RULES)}.",
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 30 latency runs")
    parser.add_argument("--runs", type=int, default=None, help="latency runs (default 200)")
    args = parser.parse_args(argv)
    args.runs = args.runs or (30 if args.quick else 200)
    args.texts = 40
    common.install_signal_handlers()
    result = common.run_and_save(NAME, run, args)
    if result is None:
        return 1
    for t in result["targets"]:
        log(f"check: {t['name']}: {t['value']} (target {t['goal']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
