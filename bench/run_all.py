"""Run every bench, each in its own process, and write bench/results/results.{json,md}.

    .venv/bin/python bench/run_all.py [--quick] [--only draft,memory]

The sample brand is ingested once into a temporary folder that the draft and memory benches
copy, so the run does not embed it twice. Each bench can also be run alone.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import common
from common import BENCH_DIR, BENCH_ORDER, RESULTS_DIR, log

# Wall-clock limits per bench (full run); a bench past its limit is stopped and reported.
LIMITS_S = {
    "draft": 900,
    "candidates": 2400,
    "retrieval": 600,
    "ingest": 600,
    "memory": 600,
    "check": 600,
    "profile": 600,
    "inbox": 900,
}
USES_SAMPLE = {"draft", "memory"}


def prepare_sample(data: Path) -> None:
    """Ingest the sample brand in a child process, so its store is closed before it is copied."""
    code = subprocess.run(
        [sys.executable, __file__, "--prepare-sample", str(data)],
        cwd=common.ROOT,
        env=common.bench_env(),
        timeout=600,
    ).returncode
    if code != 0:
        raise common.BenchError(f"ingesting the sample brand exited with {code}")


def _prepare_sample_child(data: Path) -> None:
    from cmassist.bootstrap import Services
    from cmassist.config import Settings

    info = common.ingest_sample_brand(Services(Settings(data_dir=data)).store)
    log(f"sample brand ingested once for the draft and memory benches: {info['counts']}")


def wait_for_quiet(limit_s: float, cores: float = 0.25) -> None:
    """Wait (at most limit_s) until other processes leave the machine nearly idle: on a
    2-core machine a single busy neighbour makes llama.cpp and torch several times slower."""
    if limit_s <= 0:
        return
    started = time.perf_counter()
    while True:
        before = common.CpuSnapshot.take()
        time.sleep(5)
        busy = common.other_load(before, common.CpuSnapshot.take())["other_cores"]
        waited = time.perf_counter() - started
        if busy <= cores:
            return
        if waited >= limit_s:
            log(f"other processes still use {busy:.2f} cores after {waited:.0f} s: going on")
            return
        log(f"other processes use {busy:.2f} cores: waiting for a quieter machine")
        time.sleep(10)


def run_bench(name: str, quick: bool, sample: Path | None) -> tuple[int, float]:
    args = [sys.executable, str(BENCH_DIR / f"bench_{name}.py")]
    if quick:
        args.append("--quick")
    if sample is not None and name in USES_SAMPLE:
        args += ["--sample-data", str(sample)]
    log(f"── {name}: {' '.join(args[1:])}")
    started = time.perf_counter()
    with common.running(args, cwd=common.ROOT, env=common.bench_env()) as proc:
        try:
            code = proc.wait(timeout=LIMITS_S[name])
        except subprocess.TimeoutExpired:
            log(f"{name} ran past {LIMITS_S[name]} s: stopping it")
            common.stop_process(proc)
            code = -1
    elapsed = time.perf_counter() - started
    if code != 0 and not (RESULTS_DIR / f"{name}.json").is_file():
        common.save_failure(
            name,
            RuntimeError(f"exited with {code} after {elapsed:.0f} s"),
            quick=quick,
            started=started,
        )
    return code, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller smoke run of every bench")
    parser.add_argument(
        "--only",
        default=",".join(BENCH_ORDER),
        help=f"comma-separated benches (default: {','.join(BENCH_ORDER)})",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each bench, wait up to this long for other processes to "
        "leave the machine nearly idle (default 0: do not wait)",
    )
    parser.add_argument("--prepare-sample", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_sample:
        _prepare_sample_child(args.prepare_sample)
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCH_ORDER]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)}; choose from {', '.join(BENCH_ORDER)}")
    common.install_signal_handlers()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:  # no stale section from an earlier run
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)

    started = time.perf_counter()
    codes: dict[str, int] = {}
    with common.temp_dir("sample") as tmp:
        sample = None
        if USES_SAMPLE & set(names):
            sample = tmp / "data"
            try:
                prepare_sample(sample)
            except Exception as e:  # each bench then ingests on its own
                log(f"could not prepare the shared sample brand ({e}); each bench will try")
                sample = None
        for name in names:
            wait_for_quiet(args.wait_quiet)
            code, elapsed = run_bench(name, args.quick, sample)
            codes[name] = code
            log(f"── {name}: exit {code} after {elapsed:.0f} s")
    json_path, md_path = common.write_results()
    total = time.perf_counter() - started
    combined = json.loads(json_path.read_text())
    missed = [
        (b, t)
        for b, bench in combined["benches"].items()
        for t in bench.get("targets", [])
        if t["met"] is False
    ]
    failed = [n for n, c in codes.items() if c != 0]
    log(f"all done in {total:.0f} s: {md_path.relative_to(common.ROOT)}")
    for b, t in missed:
        log(f"target missed: {b}: {t['name']} {t['goal']}, measured {t['value']}")
    if failed:
        log(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
