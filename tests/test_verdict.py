"""Honest verdicts: the check says what it checked and what it could not (rules, facts,
names, voice, meaning), a text stating a fact the store cannot ground never reads as a
pass, and the badge (web, CLI) names what was not judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.interfaces.cli.main import main
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.findings import check_line
from cmassist.services.checking.checker import Checker
from cmassist.services.ingest import ingest
from cmassist.services.ports.models import Embedder

# A percentage the sample brand never states (it gives 10 %): no rule flags it in a post,
# and nothing vouches for it either.
UNGROUNDED = "Cette semaine, 15 % de rabais sur le Mélange Boréal dans nos trois cafés."
GROUNDED = "Le Mélange Boréal est à 21 $ le sac de 340 g, dans nos trois cafés."


@pytest.fixture
def checker(services: Services) -> Checker:
    return services.checker


def test_a_text_stating_a_fact_the_store_cannot_ground_never_reads_pass(
    checker: Checker,
) -> None:
    r = checker.check(UNGROUNDED, platform="facebook", brand="boreale", voice=False)
    facts = r.aspect("facts")
    assert facts is not None and facts.counts["unknown"] >= 1
    assert r.verdict != "pass" and facts.status != "pass"
    assert "facts: 1 unknown" in r.summary
    assert r.score < 100
    for lang in ("en", "fr"):
        line = check_line(r.public(), Translator(lang))
        assert not line.startswith("✅"), line
        assert "100/100" not in line


def test_every_fact_grounded_and_no_rule_broken_is_a_pass_that_says_what_was_not_judged(
    checker: Checker,
) -> None:
    r = checker.check(GROUNDED, platform="facebook", brand="boreale", voice=False)
    assert r.verdict == "pass", r.findings
    assert [a.name for a in r.coverage] == ["rules", "facts", "names", "voice", "meaning"]
    facts = r.aspect("facts")
    assert facts.status == "pass" and facts.counts["grounded"] >= 1  # the price, at least
    assert facts.counts["unknown"] == facts.counts["contradicted"] == 0
    assert r.aspect("meaning").status == "not_judged"
    assert r.aspect("voice").status == "not_judged"  # voice=False
    line = check_line(r.public(), Translator("en"))
    assert line.startswith(f"✅ pass · rules: pass · facts: {facts.detail} · names: "), line
    assert facts.detail.endswith(" grounded")
    assert "meaning: not judged (no chat model)" in line and "/100" not in line


def test_the_summary_counts_each_kind_of_finding_in_its_aspect(checker: Checker) -> None:
    text = "Our cheap Cerasses blend is at support@boreale-help.example!"
    r = checker.check(text, platform="x", brand="boreale", voice=False)
    assert r.verdict == "block"
    assert r.aspect("rules").status == "block" and r.aspect("rules").counts["block"] >= 1
    assert r.aspect("facts").status == "block" and r.aspect("facts").counts["unknown"] == 1
    assert r.aspect("names").status == "block" and r.aspect("names").counts["unknown"] == 1
    assert "names: 1 unknown" in r.summary


def test_a_reply_quoting_the_customer_s_figure_counts_it_as_quoted(checker: Checker) -> None:
    comment = "Ça fait 45 minutes que j'attends au comptoir."
    reply = "Désolés pour ces 45 minutes d'attente, ce n'est pas normal."
    r = checker.check(
        reply, platform="facebook", brand="boreale", kind="reply", replying_to=comment
    )
    facts = r.aspect("facts")
    assert facts is not None
    assert facts.counts["quoted"] + facts.counts["unknown"] + facts.counts["grounded"] >= 1


def test_the_meaning_is_judged_by_nothing_and_the_badge_says_why(
    sample_settings: Settings, embedder: Embedder
) -> None:
    plain = Services(sample_settings, embedder=embedder).checker
    r = plain.check(GROUNDED, platform="x", brand="boreale")
    assert r.aspect("meaning").detail == "not judged (no chat model)"
    chat = FakeLLM(['{"score": 80, "issues": []}'], style="chat")
    judged = Services(sample_settings, llm=chat, embedder=embedder).checker
    r = judged.check(GROUNDED, platform="x", brand="boreale")
    assert r.voice is not None and r.voice.method == "embeddings+llm"
    meaning = r.aspect("meaning")
    assert meaning.status == "not_judged" and "voice only" in meaning.detail
    assert "(embeddings + LLM)" in r.aspect("voice").detail


def test_the_french_badge_names_every_aspect_in_french(checker: Checker) -> None:
    r = checker.check(UNGROUNDED, platform="facebook", brand="boreale", voice=False)
    line = check_line(r.public(), Translator("fr"))
    assert line.startswith("⚠️ à revoir · règles : conforme · faits : 1 inconnu(s)"), line
    assert "sens : non jugé (aucun modèle conversationnel)" in line


def test_a_check_saved_before_coverage_shows_no_bare_score() -> None:
    old = {"verdict": "pass", "score": 100, "findings": [], "voice": {"score": 90}}
    line = check_line(old, Translator("en"))
    assert line.startswith("✅ pass") and "100/100" not in line
    assert "coverage not recorded" in line


def test_cli_check_prints_what_was_checked_and_what_was_not(
    sample_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", UNGROUNDED, "-p", "facebook", "--fail-on", "warn"])
    out = capsys.readouterr().out
    head = out.splitlines()[0]
    assert code == 1  # a warn, not a pass
    assert head.startswith("WARN · rules: pass · facts: 1 unknown"), head
    assert "meaning: not judged (no chat model)" in head and "score " not in head


def test_a_brand_that_checks_only_prices_still_counts_its_unknown_phone_number(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "facts.md").write_text(
        "---\nrules:\n  facts:\n    kinds: [price]\n---\n# Facts\n\n## Prices\n\n"
        "A coffee costs $3.\n"
    )
    services = Services(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    assert ingest(services.store, [folder], brand="prices-only").ok
    text = "A coffee costs $3, call 514-555-0199 to order."
    r = services.checker.check(text, platform="x", brand="prices-only", voice=False)
    assert not any(f.rule == "unverified_fact" for f in r.findings)  # phones not checked
    facts = r.aspect("facts")
    assert facts.counts == {"contradicted": 0, "unknown": 1, "quoted": 0, "grounded": 1}
    assert facts.status == "unknown" and r.verdict == "warn"


def test_the_facts_aspect_counts_a_commitment_grounded_only_where_the_grounding_cites_it(
    tmp_path: Path, embedder: Embedder
) -> None:
    """ "We never promise refunds" grounds no promised refund, in the badge as in the reply's
    grounding, and it does ground a reply that denies one; a post is counted the same way."""
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "policies.md").write_text(
        "---\nrules:\n  facts:\n    kinds: [price]\n---\n# Policies\n\n## Refunds\n\n"
        "In a reply, we never promise refunds.\n\n## Prices\n\nA coffee costs $3.\n"
    )
    services = Services(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    assert ingest(services.store, [folder], brand="never-refunds").ok
    check = services.checker.check

    promised = check(
        "A coffee costs $3, and we'll refund your order today.",
        platform="x",
        brand="never-refunds",
        kind="reply",
        replying_to="My coffee was cold.",
        voice=False,
    )
    refund = next(g for g in promised.grounding if g.kind == "commitment")
    assert refund.citation is None
    facts = promised.aspect("facts")
    assert facts.counts["grounded"] == sum(1 for g in promised.grounding if g.citation) == 1
    assert facts.counts["contradicted"] == 1 and promised.verdict == "block"

    denied = check(
        "Hi, we never promise refunds, but we'll look into it.",
        platform="x",
        brand="never-refunds",
        kind="reply",
        replying_to="I want my money back.",
        voice=False,
    )
    refund = next(g for g in denied.grounding if g.kind == "commitment")
    assert refund.citation is not None and "never promise" in refund.citation.excerpt
    assert denied.aspect("facts").counts["grounded"] == 1

    post = check(
        "A coffee costs $3, and we refund any order, no questions asked.",
        platform="x",
        brand="never-refunds",
        voice=False,
    )
    facts = post.aspect("facts")
    assert facts.counts["grounded"] == 1 and facts.counts["unknown"] == 1  # the price only
    assert facts.status == "unknown" and post.verdict == "warn"
