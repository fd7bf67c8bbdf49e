"""Shared helpers for the benchmarks: timers, percentiles, peak memory, synthetic posts,
temporary folders and subprocesses that are always cleaned up, and the result writers.

Each bench writes `bench/results/<name>.json`; `write_results()` then rebuilds
`results.json` and `results.md` from every per-bench file present, so a bench run alone
updates its own section and `run_all.py` rebuilds the whole report.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Set before any model library is imported (the bench scripts import this module first).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
TMP_ROOT = RESULTS_DIR / "tmp"  # ignored by git
SAMPLE_BRAND_DIR = ROOT / "brand_guidelines"
BENCH_ORDER = (
    "draft",
    "candidates",
    "retrieval",
    "ingest",
    "memory",
    "check",
    "profile",
    "inbox",
)
LIBRARIES = (
    "cmassist",
    "llama-cpp-python",
    "chromadb",
    "sentence-transformers",
    "torch",
    "transformers",
    "numpy",
    "gradio",
    "gradio_client",
)


class BenchError(RuntimeError):
    """A bench cannot run (missing model, broken setup): one clear line for the reader."""


# -- timing and statistics ----------------------------------------------------------------------


@dataclass
class Timer:
    """`with Timer() as t: ...` then `t.elapsed` in seconds (perf_counter)."""

    elapsed: float = 0.0
    _start: float = field(default=0.0, repr=False)

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self._start


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return math.nan
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def summarize_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/min/max in milliseconds, from durations in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else math.nan,
        "min_ms": round(min(ms), 3) if ms else math.nan,
        "max_ms": round(max(ms), 3) if ms else math.nan,
    }


def pct_over(value: float, base: float) -> float:
    """How much `value` is above `base`, in percent of `base`."""
    return (value - base) / base * 100.0 if base else math.nan


# -- memory -------------------------------------------------------------------------------------


def proc_status_mib(pid: int | str = "self", field_name: str = "VmHWM") -> float:
    """A memory field of /proc/PID/status (VmHWM: peak resident set; VmRSS: current), in MiB."""
    path = Path(f"/proc/{pid}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field_name + ":"):
                parts = line.split()
                return int(parts[1]) / 1024.0  # the kernel reports kB
    except OSError as e:
        raise BenchError(f"cannot read {path} ({e.strerror}); this bench needs Linux /proc") from e
    raise BenchError(f"{field_name} not in {path}")


@dataclass
class CpuSnapshot:
    """CPU time so far: the whole machine (busy, from /proc/stat) and this process."""

    at: float
    machine_busy_s: float
    self_s: float

    @classmethod
    def take(cls) -> CpuSnapshot:
        tick = os.sysconf("SC_CLK_TCK")
        busy = 0.0
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
            busy = (user + nice + system + irq + softirq + steal) / tick
        return cls(time.perf_counter(), busy, time.process_time())


def other_load(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """How busy the machine was with *other* processes between two snapshots.

    `other_cores` is the average number of cores used by everything but this process (and
    its threads): on a 2-core machine, 1.0 means half the machine was taken by others.
    """
    wall = max(after.at - before.at, 1e-9)
    own = after.self_s - before.self_s
    other = max(0.0, (after.machine_busy_s - before.machine_busy_s) - own)
    return {
        "wall_s": round(wall, 2),
        "own_cpu_s": round(own, 2),
        "other_cores": round(other / wall, 2),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


# -- machine ------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 2**20, 1)
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": mem_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "libraries": versions,
    }


# -- synthetic data -----------------------------------------------------------------------------

PLATFORM_KEYS = ("x", "instagram", "linkedin", "facebook", "threads", "mastodon")
_PLATFORM_WEIGHTS = (0.25, 0.25, 0.12, 0.18, 0.1, 0.1)

_WORDS = {
    "fr": {
        "open": [
            "Nouveau cette semaine :",
            "C'est arrivé à Saint-Henri.",
            "Petite nouvelle du matin :",
            "On vous l'avait promis.",
            "Bonne nouvelle pour les lève-tôt :",
            "Ça sent bon ici.",
            "Retour en magasin :",
            "Pour la fin de semaine :",
            "Question du jour :",
        ],
        "product": [
            "l'Éthiopie Guji lavé",
            "le Pérou Sol del Chinchipe",
            "notre mélange Aurore",
            "le Colombie Huila décaféiné",
            "le Kenya Nyeri",
            "l'espresso Boréal",
            "le Brésil Cerrado nature",
            "le Guatemala Huehuetenango",
            "le mélange Nordet",
        ],
        "notes": [
            "bleuet, jasmin et miel",
            "chocolat au lait et caramel",
            "agrumes et sucre brun",
            "noisette grillée et cacao",
            "pêche blanche et bergamote",
            "cerise noire et épices",
            "érable et amande",
        ],
        "detail": [
            "torréfié ce matin en petits lots",
            "en grains ou moulu pour filtre",
            "disponible en format 340 g et 1 kg",
            "servi au comptoir toute la semaine",
            "parfait en cafetière à piston",
            "notre équipe l'adore en espresso",
            "récolte 2024, importé en direct",
            "emballage compostable, comme toujours",
        ],
        "close": [
            "Passez le goûter !",
            "Dites-nous ce que vous en pensez.",
            "Lien dans la bio.",
            "On vous attend au comptoir.",
            "Quantités limitées.",
            "Bonne dégustation ☕",
            "Merci de votre fidélité.",
            "À demain !",
        ],
        "tags": [
            "#CafeDeSpecialite",
            "#Montreal",
            "#SaintHenri",
            "#Torrefaction",
            "#CafeLocal",
            "#BrulerieBoreale",
            "#Espresso",
            "#Filtre",
        ],
    },
    "en": {
        "open": [
            "New this week:",
            "Just landed in Saint-Henri.",
            "Morning news from the roastery:",
            "We promised, here it is.",
            "Good news for early risers:",
            "It smells great in here.",
            "Back in the shop:",
            "For the weekend:",
            "Question of the day:",
        ],
        "product": [
            "our washed Ethiopia Guji",
            "the Peru Sol del Chinchipe",
            "our Aurore blend",
            "the decaf Colombia Huila",
            "the Kenya Nyeri",
            "the Boreal espresso",
            "the natural Brazil Cerrado",
            "the Guatemala Huehuetenango",
            "the Nordet blend",
        ],
        "notes": [
            "blueberry, jasmine and honey",
            "milk chocolate and caramel",
            "citrus and brown sugar",
            "toasted hazelnut and cocoa",
            "white peach and bergamot",
            "black cherry and spice",
            "maple and almond",
        ],
        "detail": [
            "roasted this morning in small batches",
            "whole bean or ground for filter",
            "in 340 g and 1 kg bags",
            "on the bar all week",
            "lovely in a French press",
            "our baristas love it as espresso",
            "2024 harvest, direct trade",
            "compostable bags, as always",
        ],
        "close": [
            "Come taste it!",
            "Tell us what you think.",
            "Link in bio.",
            "See you at the bar.",
            "Limited quantities.",
            "Enjoy ☕",
            "Thanks for your support.",
            "See you tomorrow!",
        ],
        "tags": [
            "#SpecialtyCoffee",
            "#Montreal",
            "#SaintHenri",
            "#CoffeeRoaster",
            "#LocalCoffee",
            "#BrulerieBoreale",
            "#Espresso",
            "#FilterCoffee",
        ],
    },
}


def make_post_text(
    rng: random.Random, lang: str, *, min_chars: int = 100, max_chars: int = 280
) -> str:
    """A plausible short brand post, in French or English, of min_chars..max_chars."""
    w = _WORDS[lang]
    joiner = " : " if lang == "fr" else ": "
    while True:
        product = rng.choice(w["product"])
        parts = [
            rng.choice(w["open"]),
            f"{product[0].upper()}{product[1:]}{joiner}{rng.choice(w['notes'])}.",
            f"{rng.choice(w['detail']).capitalize()}.",
        ]
        if rng.random() < 0.6:
            parts.append(f"{rng.choice(w['detail']).capitalize()}.")
        parts.append(rng.choice(w["close"]))
        if rng.random() < 0.7:
            parts.append(" ".join(rng.sample(w["tags"], rng.randint(1, 3))))
        parts.append(f"({rng.randrange(10**6):06d})")  # keeps texts distinct, as real posts are
        text = " ".join(parts)
        if len(text) > max_chars:
            text = text[:max_chars].rsplit(" ", 1)[0]
        if min_chars <= len(text) <= max_chars:
            return text


@dataclass
class SyntheticPost:
    external_id: str
    platform: str
    date: datetime
    language: str
    topic: str
    text: str
    likes: int
    comments: int
    shares: int
    impressions: int
    link: str


def synthetic_posts(n: int, seed: int = 1234) -> list[SyntheticPost]:
    """n realistic past posts: 6 platforms, fr/en, dates over 3 years, engagement counts."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, 8, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        lang = "fr" if rng.random() < 0.55 else "en"
        plat = rng.choices(PLATFORM_KEYS, _PLATFORM_WEIGHTS)[0]
        impressions = int(rng.lognormvariate(7.5, 0.8))
        likes = int(impressions * rng.uniform(0.005, 0.06))
        out.append(
            SyntheticPost(
                external_id=f"bench-{i:07d}",
                platform=plat,
                date=start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
                language=lang,
                topic=rng.choice(_WORDS[lang]["product"]),
                text=make_post_text(rng, lang),
                likes=likes,
                comments=int(likes * rng.uniform(0, 0.2)),
                shares=int(likes * rng.uniform(0, 0.1)),
                impressions=impressions,
                link=f"https://example.com/{plat}/{i}",
            )
        )
    return out


# -- cleanup: temporary folders and subprocesses ------------------------------------------------


def install_signal_handlers() -> None:
    """Turn SIGTERM/SIGHUP into SystemExit, so `finally` blocks clean up when a bench is stopped."""

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            signal.signal(sig, _exit)


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder under bench/results/tmp/ (git-ignored), removed afterwards."""
    TMP_ROOT.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=TMP_ROOT))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            TMP_ROOT.rmdir()  # only when empty


def stop_process(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Stop a process this bench started: SIGTERM, then SIGKILL if it does not exit."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@contextlib.contextmanager
def running(args: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """Start a subprocess and always stop it on the way out."""
    proc = subprocess.Popen(list(args), **popen)
    try:
        yield proc
    finally:
        stop_process(proc)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: offline, no telemetry, no stray CMASSIST_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMASSIST_")}
    env.update(
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def ingest_sample_brand(store: Any, brand: str = "boreale") -> dict[str, Any]:
    """Ingest brand_guidelines/ (read, never written) into `store`; a summary of what came in."""
    from cmassist.services.ingest import ingest

    if not SAMPLE_BRAND_DIR.is_dir():
        raise BenchError(f"sample brand folder {SAMPLE_BRAND_DIR} not found")
    report = ingest(store, [SAMPLE_BRAND_DIR], brand=brand)
    counts = store.counts(brand)
    if not counts.get("guideline"):
        raise BenchError(
            f"the sample brand has no guideline passages after ingest: {report.summary()}"
        )
    return {
        "summary": report.summary(),
        "ok": report.ok,
        "counts": counts,
        "files": sorted(f.path.rsplit("/", 1)[-1] for f in report.files if not f.error),
    }


# -- results ------------------------------------------------------------------------------------


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {"title": title, "columns": list(columns), "rows": [list(r) for r in rows]}


def target(name: str, goal: str, value: str, met: bool | None) -> dict[str, Any]:
    return {"name": name, "goal": goal, "value": value, "met": met}


def save_bench(name: str, result: dict[str, Any], *, quick: bool, started: float) -> Path:
    """Write one bench's result and rebuild results.json and results.md."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        "bench": name,
        "quick": quick,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 1),
        **result,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    write_results()
    return path


def save_failure(name: str, error: BaseException, *, quick: bool, started: float) -> None:
    save_bench(
        name,
        {"error": f"{type(error).__name__}: {error}", "tables": [], "targets": [], "notes": []},
        quick=quick,
        started=started,
    )


def run_and_save(
    name: str, run: Callable[[Any], dict[str, Any]], args: Any
) -> dict[str, Any] | None:
    """Run one bench and save its result, or its failure; None when it failed."""
    started = time.perf_counter()
    try:
        result = run(args)
    except BenchError as e:
        log(f"{name} bench failed: {e}")
        save_failure(name, e, quick=args.quick, started=started)
        return None
    except Exception as e:
        traceback.print_exc()
        save_failure(name, e, quick=args.quick, started=started)
        return None
    save_bench(name, result, quick=args.quick, started=started)
    return result


def write_results() -> tuple[Path, Path]:
    benches = {}
    for name in BENCH_ORDER:
        path = RESULTS_DIR / f"{name}.json"
        if path.is_file():
            benches[name] = json.loads(path.read_text())
    combined = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "benches": benches,
    }
    json_path = RESULTS_DIR / "results.json"
    md_path = RESULTS_DIR / "results.md"
    json_path.write_text(json.dumps(combined, indent=2, ensure_ascii=False, default=str) + "\n")
    md_path.write_text(render_markdown(combined))
    return json_path, md_path


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(combined: dict[str, Any]) -> str:
    m = combined["machine"]
    out = [
        "# cmassist benchmarks",
        "",
        f"Generated {combined['generated_at']}. Each bench compares the app with the raw "
        "component it wraps, in the same process and run.",
        "",
        "## Machine",
        "",
    ]
    rows = [
        ("CPU", m["cpu"]),
        ("Cores (logical / usable)", f"{m['logical_cores']} / {m['usable_cores']}"),
        ("Memory", f"{m['memory_gib']} GiB"),
        ("OS", m["os"]),
        ("Python", f"{m['python']} ({m['python_impl']})"),
    ]
    rows += [(lib, ver) for lib, ver in m["libraries"].items()]
    out += [markdown_table(["", ""], rows), ""]
    all_targets = []
    for name, bench in combined["benches"].items():
        title = f"## {name.capitalize()}"
        if bench.get("quick"):
            title += " (quick run)"
        out += [
            title,
            "",
            f"Finished {bench.get('finished_at')}, took {bench.get('duration_s')} s.",
            "",
        ]
        if bench.get("error"):
            out += ["**Failed:** " + " ".join(str(bench["error"]).split()), ""]
        for t in bench.get("tables", []):
            out += [f"**{t['title']}**", "", markdown_table(t["columns"], t["rows"]), ""]
        for t in bench.get("targets", []):
            all_targets.append((name, t))
        if bench.get("targets"):
            out += [
                markdown_table(
                    ["Target", "Goal", "Measured", "Met"],
                    [(t["name"], t["goal"], t["value"], _met(t["met"])) for t in bench["targets"]],
                ),
                "",
            ]
        for note in bench.get("notes", []):
            out.append("- " + " ".join(str(note).split()))
        if bench.get("notes"):
            out.append("")
    if all_targets:
        out += [
            "## Targets",
            "",
            markdown_table(
                ["Bench", "Target", "Goal", "Measured", "Met"],
                [(b, t["name"], t["goal"], t["value"], _met(t["met"])) for b, t in all_targets],
            ),
            "",
        ]
    return "\n".join(out)


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "**MISSED**")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
