"""Quality bench: the product's posts and replies for the bench's own briefs and comments
(bench/quality/<brand>/), with the embedded model and the real embedding model, each
returned text read for mechanical defects by bench/defects.py (not by the checker), with
its time to first token and its total time; plus, in the same run, 3 X variants against 3
raw llama.cpp generations of the same length. Writes bench/results/quality-<date>-<brand>
.json and .md, and a labelling sheet of 60 returned texts under tests/data/quality_labels/.

    .venv/bin/python bench/bench_quality.py --brand boreale [--limit 20] [--tag before]
    .venv/bin/python bench/bench_quality.py --rescore bench/results/quality-...json
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import argparse
import json
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
from common import BenchError, CpuSnapshot, log, markdown_table, other_load, percentile
from defects import DEFECT_KINDS, BrandFiles, Request, find_defects

NAME = "quality"
BRANDS = {
    "boreale": common.ROOT / "brand_guidelines",
    "velofleuve": common.ROOT / "tests" / "data" / "brands" / "velofleuve",
}
DATA_DIR = common.BENCH_DIR / "quality"
LABELS_DIR = common.ROOT / "tests" / "data" / "quality_labels"
SEED = 20261101
SHEET_SIZE = 60
X_VARIANTS = 3
DEFECT_TARGET = 0.05
FIRST_TOKEN_TARGET_S = 1.0
X_RATIO_TARGET = 2.0


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON Lines file, one per non-empty line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_cases(brand: str, limit: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(briefs, comments) of a brand; with a `limit`, that many of each, half French and
    half English (the first of each language in file order)."""
    briefs = read_jsonl(DATA_DIR / brand / "briefs.jsonl")
    comments = read_jsonl(DATA_DIR / brand / "comments.jsonl")
    return pick(briefs, limit), pick(comments, limit)


def pick(rows: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """`limit` rows, as many French as English (French first), or all rows."""
    if limit is None or limit >= len(rows):
        return rows
    fr = [r for r in rows if r["language"] == "fr"][: (limit + 1) // 2]
    en = [r for r in rows if r["language"] != "fr"][: limit - len(fr)]
    return fr + en


def code_commit(override: str | None) -> dict[str, Any]:
    """The commit of the cmassist code this run imports, and whether its tree was dirty."""
    import cmassist

    root = Path(cmassist.__file__).resolve().parents[2]
    if override:
        return {"commit": override, "dirty": None, "code_root": str(root)}

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "src", "prompts")
    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "dirty": bool(dirty),
        "code_root": str(root),
    }


def uptime() -> str:
    """`uptime`'s line: how loaded the shared machine was."""
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


# -- one request through the product --------------------------------------------------------


def draft_record(draft: Any) -> dict[str, Any]:
    """What a returned draft says about itself (text, notes, check, candidates, the honest
    "no good draft" state when this version of cmassist has it)."""
    data = draft.public()
    check = data.get("check") or {}
    keep = ("text", "language", "platform", "notes", "candidates", "why", "no_good_draft")
    out = {k: data[k] for k in keep if k in data}
    out["no_good_draft"] = bool(data.get("no_good_draft")) or not (data.get("text") or "").strip()
    out["rejected"] = [r.get("reasons") for r in data.get("rejected") or []]
    out["starting_points"] = len(data.get("starting_points") or [])
    out["check"] = {k: check[k] for k in ("verdict", "status", "score", "badge") if k in check}
    out["check_findings"] = sorted({str(f.get("rule")) for f in check.get("findings") or []})
    return out


def run_request(
    services: Any, brand: str, case: dict[str, Any], kind: str, seed: int
) -> dict[str, Any]:
    """One brief or comment as `cmassist draft`/`reply` sends it (one variant), timed."""
    drafting = services.drafting
    started = time.perf_counter()
    if kind == "post":
        events = drafting.stream_posts(
            case["text"], brand=brand, platforms=[case["platform"]], variants=1, seed=seed
        )
    else:
        events = drafting.stream_replies(
            case["text"], brand=brand, platform=case["platform"], variants=1, seed=seed
        )
    first_token = None
    drafts: list[dict[str, Any]] = []
    other_events: Counter[str] = Counter()
    error = None
    try:
        for event in events:
            if event.type == "token":
                if first_token is None and event.text:
                    first_token = time.perf_counter() - started
            elif event.draft is not None:
                drafts.append(draft_record(event.draft))
            else:
                other_events[event.type] += 1
    except Exception as e:  # one failed request is a result, not the end of the bench
        error = f"{type(e).__name__}: {e}"
    total = time.perf_counter() - started
    return {
        "id": case["id"],
        "kind": kind,
        "language": case["language"],
        "platform": case["platform"],
        "category": case.get("kind") or case.get("category"),
        "request": case["text"],
        "expects": case.get("expects", []),
        "seed": seed,
        "first_token_s": round(first_token, 3) if first_token is not None else None,
        "total_s": round(total, 3),
        "draft": drafts[0] if drafts else None,
        "other_events": dict(other_events),
        "error": error,
    }


def score(record: dict[str, Any], brand_files: BrandFiles) -> None:
    """Add the mechanical defects of the record's returned text (none when it has none)."""
    draft = record.get("draft") or {}
    text = "" if draft.get("no_good_draft") else draft.get("text") or ""
    request = Request(record["kind"], record["request"], record["language"], record["platform"])
    record["returned"] = bool(text.strip())
    found = [asdict(d) for d in find_defects(text, request, brand_files)] if text else []
    # A template's blank ("[heure]") that the checker blocks until a person fills it in is
    # the brand's holding statement working as meant: counted apart, not as a defect.
    flagged = {
        text[f["start"] : f["end"]]
        for f in (draft.get("check") or {}).get("findings") or []
        if f.get("rule") == "blank"
    }
    record["blanks"] = [
        d for d in found if d["detail"] == "a template placeholder" and d["span"] in flagged
    ]
    record["defects"] = [d for d in found if d not in record["blanks"]]


# -- 3 X variants against 3 raw generations -----------------------------------------------


class PromptRecorder:
    """Wraps the LLM's `stream` to keep the prompts and parameters drafting asks for."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self.original = llm.stream
        self.calls: list[tuple[str, Any]] = []
        llm.stream = self.stream

    def stream(self, prompt: Any, params: Any, usage: Any = None) -> Any:
        self.calls.append((prompt.text, params.temperature))
        yield from self.original(prompt, params, usage)


def raw_same_length(
    llama: Any, prompt: str, lengths: list[int], temperature: float, seed: int
) -> float:
    """Seconds for len(lengths) raw generations of exactly these token counts (end of text
    suppressed), streamed from the same loaded model, from an empty KV cache."""
    import numpy as np
    from llama_cpp import LogitsProcessorList

    eos = llama.token_eos()

    def no_eos(_ids: Any, scores: Any) -> Any:
        scores[eos] = -np.inf
        return scores

    llama.reset()
    started = time.perf_counter()
    for n, length in enumerate(lengths):
        for _chunk in llama.create_completion(
            prompt,
            max_tokens=max(1, length),
            temperature=temperature,
            repeat_penalty=1.1,
            seed=seed + n,
            logits_processor=LogitsProcessorList([no_eos]),
            stream=True,
        ):
            pass
    return time.perf_counter() - started


def x_app(
    services: Any, recorder: PromptRecorder, brand: str, brief: str, seed: int
) -> dict[str, Any]:
    """3 X variants of a brief through the product, from an empty KV cache, timed: until the
    third is returned (`returned_s`), and until the generator ends (`wall_s`: with the
    other-language versions the brand's X rules require, written after the variants)."""
    recorder.calls.clear()
    services.llm.raw_model().reset()
    s0 = CpuSnapshot.take()
    started = time.perf_counter()
    first = None
    texts: list[str] = []
    returned = 0.0
    for event in services.drafting.stream_posts(
        brief, brand=brand, platforms=["x"], variants=X_VARIANTS, seed=seed
    ):
        if event.type == "token" and first is None:
            first = time.perf_counter() - started
        elif event.draft is not None:
            texts.append(event.draft.text)
            returned = time.perf_counter() - started
    return {
        "wall_s": time.perf_counter() - started,
        "returned_s": returned,
        "first_token_s": first,
        "texts": texts,
        "calls": len(recorder.calls),
        "load": other_load(s0, CpuSnapshot.take()),
        "prompt": recorder.calls[0] if recorder.calls else (brief, 0.8),
    }


def x_raw(llama: Any, texts: list[str], prompt: tuple[str, float], seed: int) -> dict[str, Any]:
    """3 raw generations of the returned texts' token lengths (the longest for a missing one)."""
    lengths = [len(llama.tokenize(t.encode("utf-8"), add_bos=False, special=False)) for t in texts]
    lengths = [n for n in lengths if n > 0] or [40]
    while len(lengths) < X_VARIANTS:
        lengths.append(max(lengths))
    s0 = CpuSnapshot.take()
    wall = raw_same_length(llama, prompt[0], lengths[:X_VARIANTS], prompt[1], seed)
    return {
        "wall_s": wall,
        "tokens": lengths[:X_VARIANTS],
        "load": other_load(s0, CpuSnapshot.take()),
    }


def x_variant_timing(
    services: Any, brand: str, briefs: list[dict[str, Any]], seed: int
) -> list[dict[str, Any]]:
    """For each brief: 3 X variants through the product, and 3 raw generations of the returned
    texts' lengths on the same model, alternating which side goes first (the raw side first
    takes its prompt and lengths from an untimed product run with the same seed)."""
    llama = services.llm.raw_model()
    recorder = PromptRecorder(services.llm)
    rows = []
    try:
        for i, brief in enumerate(briefs):
            if i % 2 == 0:
                a = x_app(services, recorder, brand, brief["text"], seed + i)
                r = x_raw(llama, a["texts"], a["prompt"], seed + i)
            else:
                warm = x_app(services, recorder, brand, brief["text"], seed + i)
                r = x_raw(llama, warm["texts"], warm["prompt"], seed + i)
                a = x_app(services, recorder, brand, brief["text"], seed + i)
            first = a["first_token_s"]
            rows.append(
                {
                    "id": brief["id"],
                    "order": "app→raw" if i % 2 == 0 else "raw→app",
                    "app_wall_s": round(a["wall_s"], 3),
                    "app_returned_s": round(a["returned_s"], 3),
                    "app_first_token_s": round(first, 3) if first is not None else None,
                    "app_llm_calls": a["calls"],
                    "raw_wall_s": round(r["wall_s"], 3),
                    "raw_tokens": r["tokens"],
                    # the variants returned against the raw generations (the pairs apart)
                    "ratio": round(a["returned_s"] / r["wall_s"], 3) if r["wall_s"] else None,
                    "ratio_with_pairs": round(a["wall_s"] / r["wall_s"], 3)
                    if r["wall_s"]
                    else None,
                    "other_cores": [a["load"]["other_cores"], r["load"]["other_cores"]],
                    "returned": a["texts"],
                }
            )
            log(
                f"X variants {brief['id']}: app {a['returned_s']:.1f} s ({a['wall_s']:.1f} s with "
                f"pairs), raw {r['wall_s']:.1f} s ({rows[-1]['ratio']}×), {a['calls']} LLM calls"
            )
    finally:
        services.llm.stream = recorder.original
    return rows


# -- the run --------------------------------------------------------------------------------


def build_services(tmp: Path, brand: str, threads: int) -> tuple[Any, dict[str, Any]]:
    """Services on a fresh data folder with the brand ingested, the embedded model loaded."""
    from cmassist.adapters.llm.llama import LlamaCppLLM
    from cmassist.bootstrap import Services
    from cmassist.config import Settings
    from cmassist.services.ingest import ingest

    settings = Settings(
        data_dir=tmp / "data", llm_backend="llama-cpp", llm_threads=threads, brand=brand
    )
    services = Services(settings)
    report = ingest(services.store, [BRANDS[brand]], brand=brand)
    counts = services.store.counts(brand)
    if not counts.get("guideline"):
        raise BenchError(f"{brand}: no guideline passage after ingest ({report.summary()})")
    if not isinstance(services.llm, LlamaCppLLM):
        raise BenchError(f"expected the llama-cpp backend, got {services.llm.backend}")
    services.embedder.embed_one("warm up")
    services.llm.raw_model()
    return services, {"counts": counts, "model": services.llm.model_name}


def run_brand(args: argparse.Namespace, brand: str) -> dict[str, Any]:
    """Every brief and comment of one brand through the product, scored; the X timing."""
    briefs, comments = load_cases(brand, args.limit)
    brand_files = BrandFiles.load(BRANDS[brand])
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = uptime()
    records: list[dict[str, Any]] = []
    with common.temp_dir(f"quality-{brand}") as tmp:
        services, ingested = build_services(tmp, brand, args.threads)
        log(f"{brand}: {ingested['counts']}, model {ingested['model']}")
        run_request(
            services,
            brand,
            {"id": "warm-up", "language": "en", "platform": "x", "text": "Our opening hours"},
            "post",
            SEED,
        )
        cases = [("post", c) for c in briefs] + [("reply", c) for c in comments]
        for n, (kind, case) in enumerate(cases):
            record = run_request(services, brand, case, kind, SEED + n)
            score(record, brand_files)
            records.append(record)
            found = sorted({d["kind"] for d in record["defects"]})
            log(
                f"{n + 1}/{len(cases)} {case['id']}: {record['total_s']:.1f} s, first token "
                f"{record['first_token_s']} s, defects {found or 'none'}"
                + (f", error {record['error']}" if record["error"] else "")
            )
        x_rows = (
            x_variant_timing(services, brand, briefs[: args.x_briefs], SEED)
            if args.x_briefs
            else []
        )
        services.llm.close()
    return {
        "bench": NAME,
        "brand": brand,
        "tag": args.tag,
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_commit(args.commit),
        "uptime_before": load_before,
        "uptime_after": uptime(),
        "machine": common.machine_info(),
        "params": {
            "limit": args.limit,
            "threads": args.threads,
            "seed": SEED,
            "briefs": len(briefs),
            "comments": len(comments),
            **ingested,
        },
        "records": records,
        "x_variants": x_rows,
    }


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    """Defect rates, the "no good draft" count and the times, from the records."""
    records = result["records"]
    returned = [r for r in records if r.get("returned")]
    with_defect = [r for r in returned if r["defects"]]
    kinds = Counter(k for r in returned for k in {d["kind"] for d in r["defects"]})
    firsts = [r["first_token_s"] for r in records if r["first_token_s"] is not None]
    totals = [r["total_s"] for r in records]
    passed_with_defect = [
        r for r in with_defect if (r["draft"].get("check") or {}).get("verdict") == "pass"
    ]
    x = result.get("x_variants") or []
    ratios = [row["ratio"] for row in x if row["ratio"]]
    out = {
        "requests": len(records),
        "returned": len(returned),
        "no_good_draft": sum(1 for r in records if r["draft"] and r["draft"]["no_good_draft"]),
        "errors": sum(1 for r in records if r["error"]),
        "with_defect": len(with_defect),
        "defect_rate": round(len(with_defect) / len(returned), 3) if returned else None,
        "by_kind": {k: kinds.get(k, 0) for k in DEFECT_KINDS},
        "checker_pass_with_defect": len(passed_with_defect),
        "blanks_blocked": sum(1 for r in returned if r.get("blanks")),
        "first_token_p50_s": round(percentile(firsts, 50), 3) if firsts else None,
        "first_token_p95_s": round(percentile(firsts, 95), 3) if firsts else None,
        "first_token_max_s": round(max(firsts), 3) if firsts else None,
        "total_p50_s": round(percentile(totals, 50), 2) if totals else None,
        "x_ratio_median": round(percentile(ratios, 50), 3) if ratios else None,
    }
    for kind in ("post", "reply"):
        mine = [r for r in returned if r["kind"] == kind]
        bad = [r for r in mine if r["defects"]]
        out[f"{kind}_defect_rate"] = round(len(bad) / len(mine), 3) if mine else None
    return out


def render_md(result: dict[str, Any]) -> str:
    """The run's summary in Markdown."""
    s = result["summary"]
    code = result["code"]
    lines = [
        f"# Quality bench: {result['brand']} ({result['tag']})",
        "",
        f"Run {result['started_at']} → {result['finished_at']}, cmassist {code['commit'][:12]}"
        + (" (tree dirty)" if code.get("dirty") else "")
        + f", {result['params']['briefs']} "
        f"briefs and {result['params']['comments']} comments, one variant each, "
        f"llm_threads={result['params']['threads']}.",
        "",
        f"Machine load: before `{result['uptime_before']}`; after `{result['uptime_after']}`.",
        "",
        markdown_table(
            ["Figure", "Value"],
            [
                ("Requests", s["requests"]),
                ("Returned texts", s["returned"]),
                ('"No good draft" answers', s["no_good_draft"]),
                ("Errors", s["errors"]),
                (
                    "Returned texts with ≥ 1 mechanical defect",
                    f"{s['with_defect']} ({_pct(s['defect_rate'])}; target ≤ {DEFECT_TARGET:.0%})",
                ),
                (
                    "… posts / replies",
                    f"{_pct(s['post_defect_rate'])} / {_pct(s['reply_defect_rate'])}",
                ),
                ('… of which the checker said "pass"', s["checker_pass_with_defect"]),
                (
                    "Holding statements with a blank to fill, blocked until filled (no defect)",
                    s.get("blanks_blocked", 0),
                ),
                (
                    "First token p50 / p95 / max (s)",
                    f"{s['first_token_p50_s']} / {s['first_token_p95_s']} / "
                    f"{s['first_token_max_s']} "
                    f"(target ≤ {FIRST_TOKEN_TARGET_S:g} s)",
                ),
                ("Total per request p50 (s)", s["total_p50_s"]),
                (
                    "3 X variants ÷ 3 raw generations, same length (median)",
                    f"{s['x_ratio_median']} (target ≤ {X_RATIO_TARGET:g})",
                ),
            ],
        ),
        "",
        _reading_line(result.get("reading")),
        "",
        "**Texts with each defect**",
        "",
        markdown_table(["Defect", "Texts"], list(s["by_kind"].items())),
        "",
    ]
    if result.get("x_variants"):
        lines += [
            "**3 X variants against 3 raw generations**",
            "",
            markdown_table(
                [
                    "Brief",
                    "Order",
                    "App, 3 returned (s)",
                    "App with FR/EN pairs (s)",
                    "App first token (s)",
                    "LLM calls",
                    "Raw (s)",
                    "Raw tokens",
                    "Ratio (returned)",
                    "Ratio with pairs",
                    "Other cores (app/raw)",
                ],
                [
                    (
                        r["id"],
                        r["order"],
                        r.get("app_returned_s", "—"),
                        r["app_wall_s"],
                        r["app_first_token_s"],
                        r["app_llm_calls"],
                        r["raw_wall_s"],
                        "/".join(map(str, r["raw_tokens"])),
                        r["ratio"],
                        r.get("ratio_with_pairs", r["ratio"] if "app_returned_s" not in r else "—"),
                        "/".join(map(str, r["other_cores"])),
                    )
                    for r in result["x_variants"]
                ],
            ),
            "",
        ]
    lines += ["**Returned texts and their defects**", ""]
    for r in result["records"]:
        draft = r.get("draft") or {}
        text = " ".join((draft.get("text") or "").split()) or "(no text)"
        found = "; ".join(f"{d['kind']}: {d['detail']} «{d['span']}»" for d in r["defects"])
        lines.append(
            f"- `{r['id']}` ({r['kind']}, {r['platform']}, {r['total_s']} s): {text}"
            + (f" — **{found}**" if found else "")
        )
    return "\n".join(lines) + "\n"


def _reading_line(read: dict[str, Any] | None) -> str:
    if not read:
        return "Read by a person: not yet (fill in the labelling sheet, then `--rescore`)."
    return (
        f"Read by a person ({read['file']}): {read['read']} texts, {read.get('usable', 0)} "
        f"usable as is, {read.get('light_edit', 0)} with a light edit, "
        f"{read.get('unusable', 0)} unusable: {_pct(read['usable_share'])} usable "
        "(target ≥ 70%)."
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def write_sheet(result: dict[str, Any], size: int, force: bool) -> Path:
    """A labelling sheet of `size` returned texts (half posts, half replies when there are
    enough), with empty label fields, for a person to read."""
    rng = random.Random(f"{SEED}-{result['brand']}")
    returned = [r for r in result["records"] if r.get("returned")]
    posts = [r for r in returned if r["kind"] == "post"]
    replies = [r for r in returned if r["kind"] == "reply"]
    n_posts = min(len(posts), max(size // 2, size - len(replies)))
    chosen = rng.sample(posts, n_posts) + rng.sample(replies, min(len(replies), size - n_posts))
    path = LABELS_DIR / f"{result['brand']}-{result['tag']}.jsonl"
    if path.exists() and not force and any(r.get("label") for r in read_jsonl(path)):
        path = common.RESULTS_DIR / f"quality-sheet-{result['brand']}-{result['tag']}.jsonl"
        log(f"labels already exist for this tag; the new sheet goes to {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in sorted(chosen, key=lambda r: r["id"]):
            row = {
                "id": r["id"],
                "kind": r["kind"],
                "platform": r["platform"],
                "language": r["language"],
                "request": r["request"],
                "expects": r["expects"],
                "text": r["draft"]["text"],
                "commit": result["code"]["commit"][:12],
                "label": "",
                "reason": "",
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def reading(result: dict[str, Any]) -> dict[str, Any] | None:
    """The person's labels of this run's texts, when the sheet has been filled in."""
    path = LABELS_DIR / f"{result['brand']}-{result['tag']}.jsonl"
    rows = read_jsonl(path) if path.is_file() else []
    texts = {r["id"]: (r.get("draft") or {}).get("text") for r in result["records"]}
    rows = [r for r in rows if r.get("label") and texts.get(r["id"]) == r["text"]]
    if not rows:
        return None
    labels = Counter(r["label"] for r in rows)
    usable = labels["usable"] + labels["light_edit"]
    return {
        "file": str(path.relative_to(common.ROOT)),
        "read": len(rows),
        **labels,
        "usable_share": round(usable / len(rows), 3),
    }


def save(result: dict[str, Any], out: Path) -> Path:
    """Write the run's JSON and Markdown; the JSON's path."""
    result["summary"] = summarize(result)
    result["reading"] = reading(result)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{NAME}-{result['started_at'][:10]}-{result['brand']}" + (
        f"-{result['tag']}" if result["tag"] else ""
    )
    path = out / f"{stem}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    path.with_suffix(".md").write_text(render_md(result))
    return path


def rescore(path: Path) -> Path:
    """Score a saved run's texts again with today's defect script (same texts, new yardstick)."""
    result = json.loads(path.read_text())
    brand_files = BrandFiles.load(BRANDS[result["brand"]])
    for record in result["records"]:
        score(record, brand_files)
    result["rescored_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return save(result, path.parent)


def main(argv: list[str] | None = None) -> int:
    """Run the bench for one brand or both; print where the results went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brand", choices=[*BRANDS, "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="briefs and comments per brand")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR)
    parser.add_argument("--tag", default="", help="before, after... (in file names)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--x-briefs", type=int, default=3, help="briefs for the X timing")
    parser.add_argument("--sheet", type=int, default=SHEET_SIZE, help="texts to label, 0: none")
    parser.add_argument("--force-sheet", action="store_true", help="overwrite labelled sheets")
    parser.add_argument("--commit", default=None, help="the code's commit, when not a git tree")
    parser.add_argument("--rescore", type=Path, default=None, help="a saved run to score again")
    args = parser.parse_args(argv)
    common.install_signal_handlers()
    if args.rescore:
        log(f"rescored: {rescore(args.rescore)}")
        return 0
    for brand in BRANDS if args.brand == "all" else [args.brand]:
        result = run_brand(args, brand)
        path = save(result, args.out)
        s = result["summary"]
        log(
            f"{brand}: {s['with_defect']}/{s['returned']} returned texts with a defect "
            f"({_pct(s['defect_rate'])}), first token p50 {s['first_token_p50_s']} s; {path}"
        )
        if args.sheet:
            log(f"labelling sheet: {write_sheet(result, args.sheet, args.force_sheet)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
