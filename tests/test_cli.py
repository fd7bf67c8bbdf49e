"""The `cmassist` command, in process (fake LLM) and as a real subprocess (real GGUF)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmassist.config import Settings
from cmassist.interfaces.cli.main import main

from .conftest import ROOT


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch, sample_settings: Settings) -> Settings:
    monkeypatch.setenv("CMASSIST_LLM_BACKEND", "fake")
    return sample_settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_json_has_the_documented_shape(fake_backend: Settings, capsys) -> None:
    code, out, err = run(
        capsys,
        "draft",
        "Nouveau café du Pérou",
        "--platform",
        "x",
        "--platform",
        "linkedin",
        "--variants",
        "2",
        "--json",
    )
    assert code == 0, err
    drafts = json.loads(out)["drafts"]
    assert [(d["platform"], d["variant"]) for d in drafts] == [
        ("x", 1),
        ("x", 2),
        ("linkedin", 1),
        ("linkedin", 2),
    ]
    for d in drafts:
        assert {"text", "platform", "sources", "model", "prompt"} <= set(d)
        assert d["prompt"]["template"] == "post.j2" and len(d["prompt"]["sha256"]) == 64
        assert d["sources"] and all({"id", "kind", "excerpt"} <= set(s) for s in d["sources"])
        assert d["language"] == "fr"


def test_reply_and_ideas_json(fake_backend: Settings, capsys) -> None:
    code, out, _ = run(capsys, "reply", "Where is my order??", "--variants", "2", "--json")
    assert code == 0 and len(json.loads(out)["replies"]) == 2
    code, out, _ = run(capsys, "ideas", "back to school", "--count", "3", "--json")
    assert code == 0 and len(json.loads(out)["ideas"]) == 3


def test_text_output_shows_drafts_and_sources(fake_backend: Settings, capsys) -> None:
    code, out, _ = run(capsys, "draft", "holiday hours", "-p", "x")
    assert code == 0 and "── post 1 · x" in out and "sources:" in out and "/280 chars" in out


@pytest.mark.parametrize(
    "args, code, needle",
    [
        (["draft", "", "--platform", "x"], 2, "brief is empty"),
        (["draft", "x" * 3000, "--platform", "x"], 2, "over the 2000 limit"),
        (["draft", "hello", "--platform", "tiktok"], 2, "unknown platform 'tiktok'"),
        (["draft", "hello", "--platform", "x", "--brand", "nobody"], 2, "unknown brand 'nobody'"),
        (["reply", "   "], 2, "comment is empty"),
        (["draft", "hello", "--platform", "x", "--variants", "50"], 2, "variants must be between"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    fake_backend: Settings, capsys, args, code, needle
) -> None:
    got, _, err = run(capsys, *args)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("cmassist: error:")


def test_errors_are_json_too(fake_backend: Settings, capsys) -> None:
    code, out, _ = run(capsys, "draft", "", "--platform", "x", "--json")
    assert code == 2 and json.loads(out)["error"]["type"] == "InputError"


def test_ingest_reports_rows_and_exits_non_zero(tmp_path: Path, capsys) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,text,date\nx,Good one,2025-01-01\nmyspace,Bad one,2025-01-01\n"
        "x,Another good one,yesterday\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "ingest", str(f), "--brand", "acme")
    assert code == 2
    assert "+1 added" in out and "!2 rejected" in out
    assert "posts.csv row 3, field 'platform'" in err and "posts.csv row 4, field 'date'" in err
    code, out, _ = run(capsys, "ingest", str(f), "--brand", "acme", "--json")
    report = json.loads(out)
    assert report["totals"]["unchanged"] == 1 and report["totals"]["added"] == 0


def test_brands_search_and_platforms(fake_backend: Settings, capsys) -> None:
    code, out, _ = run(capsys, "brands", "--json")
    assert code == 0 and json.loads(out)["brands"][0]["brand"] == "boreale"
    code, out, _ = run(capsys, "search", "heures d'ouverture", "--kind", "guideline", "--json")
    assert code == 0 and json.loads(out)["results"]
    code, out, _ = run(capsys, "platforms", "--json")
    assert {p["platform"] for p in json.loads(out)["platforms"]} >= {"x", "mastodon"}


def test_unreachable_llm_endpoint_is_a_clear_error(
    sample_settings: Settings, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CMASSIST_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CMASSIST_LLM_MAX_RETRIES", "0")
    code, _, err = run(capsys, "draft", "hello", "--platform", "x")
    assert code == 5 and "cannot reach the LLM endpoint http://127.0.0.1:9/v1" in err


@pytest.mark.slow
def test_end_to_end_with_the_real_gguf_model(sample_settings: Settings) -> None:
    """A real subprocess, the real store, the real embedding model and the real GGUF."""
    env = {
        **os.environ,
        "CMASSIST_DATA_DIR": str(sample_settings.data_dir),
        "CMASSIST_LLM_THREADS": "2",
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cmassist",
            "draft",
            "Launch of our new Ethiopian coffee",
            "--platform",
            "x",
            "--platform",
            "instagram",
            "--variants",
            "2",
            "--seed",
            "7",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    drafts = json.loads(proc.stdout)["drafts"]
    assert len(drafts) == 4
    for d in drafts:
        assert d["backend"] == "llama-cpp" and d["model"] == "gemma-3-270m-q4_k_m"
        # A draft is a text that fits, or an honest "no good draft" with its reasons.
        if d.get("no_good_draft"):
            assert not d["text"] and d["why"] and d["rejected"]
        else:
            assert d["text"].strip() and d["fits"] and d["length"] <= d["limit"]
        assert any(s["kind"] == "post" for s in d["sources"])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cmassist",
            "reply",
            "Ma commande est en retard depuis 2 semaines",
            "--seed",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    reply = json.loads(proc.stdout)["replies"][0]
    assert reply["language"] == "fr"
    # A reply, or an honest "no good reply": empty, with why and where to start from.
    if reply.get("no_good_draft"):
        assert not reply["text"] and reply["why"]
        # candidates dropped, or none asked of the embedded base model (`draft_model_replies`)
        assert reply["rejected"] or any("does not write replies" in w for w in reply["why"])
        assert reply["starting_points"]
    else:
        assert reply["text"].strip() and reply["fits"]
