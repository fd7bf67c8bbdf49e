"""Defects of issue 11, item 6, in drafting: the signature added twice, a banned link
reported as a lost fact in a Rewrite, a Rewrite that crashed (here: hung) on some texts."""

from __future__ import annotations

from typing import Any

import pytest

from cmassist.adapters.embeddings import SentenceTransformerEmbedder
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.guidelines import BrandRules
from cmassist.domain.models import Draft
from cmassist.domain.platforms import count_chars, get_platform
from cmassist.domain.textutil import find_signature, place_signature
from cmassist.services.drafting import add_signature, fit_to_platform

FR = "— L'équipe Boréale"
EN = "— The Boréale team"


# -- the reply signature, exactly once ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "signature", "expected"),
    [
        # the doubled signature of the issue
        ("Merci! – L'équipe Boréale — L'équipe Boréale", FR, f"Merci! {FR}"),
        ("Merci! – L'équipe Boréale", FR, f"Merci! {FR}"),
        ("Merci!- L'équipe Boréale", FR, f"Merci! {FR}"),
        ("Merci !\n-l’equipe boreale", FR, f"Merci !\n{FR}"),
        ("Merci ! L'ÉQUIPE BORÉALE.", FR, f"Merci ! {FR}"),
        ("Bonne journée — L'équipe Boréale ☕", FR, f"Bonne journée ☕ {FR}"),
        ("Merci!—L'équipe Boréale!!", FR, f"Merci! {FR}"),
        (f"Merci. {FR}", FR, f"Merci. {FR}"),
        ("Sorry about that! - the boreale team :)", EN, f"Sorry about that! {EN}"),
        ("Thanks!\nThe Boreale Team 👋", EN, f"Thanks! 👋\n{EN}"),
        (f"Thanks! {EN} {EN}", EN, f"Thanks! {EN}"),
        ("We are on it.", EN, f"We are on it. {EN}"),
    ],
)
def test_the_signature_is_there_once_however_it_was_written(
    text: str, signature: str, expected: str
) -> None:
    notes: list[str] = []
    signed = add_signature(text, signature, notes)
    assert signed == expected
    assert add_signature(signed, signature, []) == signed  # idempotent
    assert len(notes) == 1 or signed == text


def test_words_inside_a_sentence_are_not_taken_for_a_signature() -> None:
    found = find_signature("Please ask the Boréale team", EN)
    assert found is not None and not found.set_apart
    # never doubled, never cut into "Thanks from — The Boréale team"
    assert place_signature("Thanks from the Boréale team", EN) == "Thanks from the Boréale team"
    assert find_signature("Le café de l'équipe", FR) is None


def test_a_name_the_model_signed_with_is_replaced_but_not_a_time_range() -> None:
    assert add_signature("Merci de votre patience — Julie", FR, []) == (
        f"Merci de votre patience {FR}"
    )
    assert add_signature("Ouvert de 8 h – 18 h", FR, []) == f"Ouvert de 8 h – 18 h {FR}"
    assert add_signature("Our café – a place for all", EN, []).startswith(
        "Our café – a place for all"
    )


def test_suggested_replies_already_signed_by_the_model_are_signed_once(
    services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue(
        "Désolés pour ce retard, écrivez-nous en privé. – L'équipe Boréale 🙏",
        "So sorry about the wait, please DM us your order number - the Boreale team.",
    )
    fr = services.drafting.suggest_replies("Ma commande est en retard!", platform="instagram")[0]
    en = services.drafting.suggest_replies(
        "My order is late, this is ridiculous", platform="instagram"
    )[0]
    for reply, signature in ((fr, FR), (en, EN)):
        assert reply.text.endswith(signature), reply.text
        assert reply.text.count("Boréale") == 1, reply.text
        assert not any(f["rule"] == "reply_signature" for f in reply.check["findings"])


def test_a_rewritten_reply_is_signed_once(services: Services, fake_llm: FakeLLM) -> None:
    fake_llm.enqueue("Toutes nos excuses pour ce retard. — L'équipe Boréale")
    original = "Dear customer, as per our policy your order is late. – L'équipe Boréale"
    d = next(
        e.draft
        for e in services.drafting.stream_rewrite(
            original, platform="facebook", kind="reply", language="fr"
        )
        if e.draft is not None
    )
    assert d.text == f"Toutes nos excuses pour ce retard. {FR}"
    prompt = fake_llm.history[-1].text
    assert "Boréale" not in prompt[prompt.rindex("Topic:") :]  # the body only, to rewrite


# -- Rewrite: facts flagged on purpose are not "lost" --------------------------------------


def _rewrite(services: Services, text: str, *, platform: str = "x", **kw: Any) -> Draft:
    drafts = [
        e.draft
        for e in services.drafting.stream_rewrite(text, platform=platform, **kw)
        if e.draft is not None
    ]
    assert len(drafts) == 1
    return drafts[0]


def test_a_banned_link_removed_by_the_rewrite_is_not_a_lost_fact(
    services: Services, fake_llm: FakeLLM
) -> None:
    original = "Our cheap coffee is back on Sept. 14! Order at http://bit.ly/3xYz now"
    fake_llm.enqueue("Our affordable coffee is back on Sept. 14, order on our site.")
    d = _rewrite(services, original)
    assert not any("lost" in n for n in d.notes), d.notes

    # the same, with the caller's findings (as the app and the CLI have them), offsets
    # counted in the text as the caller had it (leading spaces included)
    before = services.checker.check("  " + original, platform="x", brand="boreale")
    assert any(f.rule == "link_domain" for f in before.findings)
    fake_llm.enqueue("Our affordable coffee is back on Sept. 14, order on our site.")
    d = _rewrite(services, "  " + original, findings=before.public()["findings"])
    assert not any("lost" in n for n in d.notes), d.notes


def test_a_fact_the_checker_did_not_flag_is_still_reported_lost(
    services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("Our affordable coffee is back soon, order on our site.")
    d = _rewrite(services, "Our cheap coffee is back on Sept. 14! Order at http://bit.ly/3xYz")
    lost = [n for n in d.notes if "lost" in n]
    assert lost and "Sept. 14" in lost[0] and "bit.ly" not in lost[0]


# -- texts that once crashed or hung a Rewrite ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "🔥" * 400,  # no space anywhere: the shortening loop never ended
        "Supercalifragilistique" * 20,
        "Café\ufffd\ufffd" * 60,
    ],
)
def test_shortening_a_text_without_spaces_ends(text: str) -> None:
    x = get_platform("x")
    notes: list[str] = []
    out = fit_to_platform(text, x, BrandRules(), notes, keep_suffix=None)
    assert count_chars(out, x) <= x.max_chars and out.endswith("…") and notes
    signed = fit_to_platform(f"{text} {FR}", x, BrandRules(), [], keep_suffix=FR)
    assert signed.endswith(f" {FR}") and count_chars(signed, x) <= x.max_chars


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ok", "post"),
        (".", "reply"),
        ("🔥🔥🔥", "post"),
        ("Caf\ufffd\ufffd\ufffd du P\ufffdrou \ufffd\ufffd dispo!", "post"),
        ("Merci \ufffd\ufffd\ufffd\ufffd pour tout – L'équipe Boréale", "reply"),
        ("Dear valued customer, " + "as per our policy we cannot refund you. " * 48, "reply"),
        ("Notre café " + "🔥" * 300, "post"),
        ("Get 50% off at http://bit.ly/3xYz and www.evil.example/win !!! 😍😍", "post"),
    ],
)
def test_rewrite_survives_odd_texts(
    services: Services, fake_llm: FakeLLM, text: str, kind: str
) -> None:
    # The model echoing its input is the worst case for what follows generation.
    fake_llm.responder = lambda prompt: text
    d = _rewrite(services, text, kind=kind)
    assert d.text and d.length <= (d.limit or 280)


REAL_TEXTS = [
    ("ok", "post", "x"),
    ("Caf\ufffd\ufffd\ufffd du P\ufffdrou \ufffd\ufffd enfin de retour!", "post", "x"),
    ("Merci \ufffd\ufffd\ufffd\ufffd pour tout – L'équipe Boréale", "reply", "facebook"),
    ("Dear valued customer, " + "as per our policy we cannot refund you. " * 48, "reply", "x"),
    ("Notre café " + "🔥" * 300, "post", "x"),
    ("Our cheap coffee is back on Sept. 14! Order at http://bit.ly/3xYz now 😍😍", "post", "x"),
]


@pytest.mark.slow
def test_rewrite_with_the_real_embedded_model_on_odd_texts(
    sample_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    """The embedded GGUF model, FR and EN, near-empty and long texts, links, emoji, U+FFFD."""
    services = Services(
        sample_settings.model_copy(update={"llm_threads": 2, "llm_backend": "llama-cpp"}),
        embedder=embedder,
    )
    for text, kind, platform in REAL_TEXTS:
        d = _rewrite(services, text, kind=kind, platform=platform, seed=3)
        assert d.backend == "llama-cpp" and d.text.strip(), (text, d.notes)
        assert d.length <= (d.limit or 0) and "\ufffd" not in d.text, (text, d.text)
        assert not any("check failed" in n for n in d.notes), (text, d.notes)
        assert not any("bit.ly" in n for n in d.notes), (text, d.notes)
        if kind == "reply":
            signature = FR if d.language == "fr" else EN
            assert (
                d.text.endswith(signature)
                and d.text.count("Boréale team") + d.text.count("équipe Boréale") == 1
            ), d.text
