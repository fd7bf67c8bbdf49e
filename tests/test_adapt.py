"""Replies by adaptation and the crisis/safety path (issue 13, item 3): a comment with the
intent of one the brand has answered gets that answer with its own specifics swapped in from
the fact sheet, or nothing when a specific cannot be swapped; a comment tied to an open
crisis, or reporting a safety matter, gets the brand's holding statement or reply template
and its escalation path instead of free generation, in the inbox's reply workflow too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from cmassist.adapters.embeddings import FakeEmbedder
from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.domain.alerts import AlertView
from cmassist.domain.models import Kind
from cmassist.domain.platforms import get_platform
from cmassist.services.drafting.adapt import (
    ADAPT_THRESHOLD,
    adapt_reply,
    intent_score,
    reply_opening,
)
from cmassist.services.drafting.context import gather_context
from cmassist.services.drafting.statements import (
    keyword_topic,
    reply_templates,
    safety_statement,
    tied_alert,
)
from cmassist.services.ports.store import Hit
from tests.test_grounded_prompts import boreale_sheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = ROOT / "brand_guidelines" / "inbox" / "sample.jsonl"
EMBED = FakeEmbedder()

HOURS = (
    "Le café Saint-Henri est ouvert jusqu'à quelle heure dimanche?",
    "Bonjour, le dimanche, notre café Saint-Henri est ouvert de 8 h à 17 h. Au plaisir!\n"
    "— L'équipe Boréale",
)
LATE = (
    "ça fait 8 jours que j'ai commandé pis mon suivi bouge pu depuis vendredi",
    "Bonjour, on comprend votre frustration, 8 jours c'est long. Si le suivi ne bouge plus "
    "depuis 5 jours ouvrables, on réexpédie ou on rembourse. Écrivez-nous en privé.\n"
    "— L'équipe Boréale",
)
ALMOND = (
    "Avez-vous du lait d'amande? Je suis intolérante au lactose.",
    "Bonjour, on ne sert pas de boisson d'amande, mais on a une boisson d'avoine et de soya, "
    "sans frais. — L'équipe Boréale",
)


def _hits(comment: str, *pairs: tuple[str, str]) -> list[Hit]:
    """Past replies as the store finds them for `comment`: each scored by its cosine."""
    query = np.asarray(EMBED.embed_one(comment))
    out = []
    for n, (past, reply) in enumerate(pairs, start=1):
        score = float(np.asarray(EMBED.embed_one(past)) @ query)
        out.append(Hit(f"reply-{n}", Kind.REPLY, past, {"reply": reply, "language": "fr"}, score))
    return sorted(out, key=lambda h: -(h.score or 0))


def test_the_past_answer_to_the_same_question_is_adapted_to_the_other_cafe() -> None:
    comment = "Le café Mile End est ouvert jusqu'à quelle heure dimanche?"
    got = adapt_reply(comment, _hits(comment, LATE, HOURS, ALMOND), boreale_sheet(), "fr")
    assert got is not None and got.past_id == "reply-2"
    assert got.text == (
        "Bonjour, le dimanche, notre café Mile End est ouvert de 8 h à 18 h. Au plaisir!\n"
        "— L'équipe Boréale"
    )
    assert ("Saint-Henri", "Mile End") in got.swaps and ("17 h", "18 h") in got.swaps
    assert "adapted from past reply reply-2" in got.reason
    # another day: the day and that day's hours
    monday = "Le café Mile End est ouvert jusqu'à quelle heure lundi?"
    got = adapt_reply(monday, _hits(monday, HOURS), boreale_sheet(), "fr")
    assert got is not None and got.text is not None
    assert got.text.startswith("Bonjour, le lundi, notre café Mile End est ouvert de 7 h à 18 h.")


def test_the_customer_s_own_figure_is_the_new_customer_s() -> None:
    comment = "ça fait 12 jours que j'ai commandé et mon suivi bouge plus depuis lundi"
    got = adapt_reply(comment, _hits(comment, LATE, HOURS), boreale_sheet(), "fr")
    assert got is not None and got.past_id == "reply-1" and got.text is not None
    assert "12 jours c'est long" in got.text and "5 jours ouvrables" in got.text  # policy kept
    assert "8 jours" not in got.text


def test_a_specific_that_cannot_be_swapped_refuses_the_substitution() -> None:
    comment = "Avez-vous du lait de coco? Je suis intolérante au lactose."
    got = adapt_reply(comment, _hits(comment, ALMOND, HOURS), boreale_sheet(), "fr")
    assert got is not None and got.past_id == "reply-1"
    assert got.text is None and "amand" in got.reason  # the almond answer is not the coconut's
    assert got.opening == "Bonjour,"  # still a start for the model to continue
    # a past reply for a named café, and a comment that names none: no substitution either
    vague = "Vous êtes ouvert jusqu'à quelle heure dimanche?"
    got = adapt_reply(vague, _hits(vague, HOURS), boreale_sheet(), "fr", threshold=0.3)
    assert got is not None and got.text is None


def test_another_intent_or_language_is_not_adapted() -> None:
    comment = "Quelle mouture pour une cafetière italienne?"
    hits = _hits(comment, HOURS, LATE)
    assert max(intent_score(h.score or 0, comment, h.text) for h in hits) < ADAPT_THRESHOLD
    assert adapt_reply(comment, hits, boreale_sheet(), "fr") is None
    same = "Le café Mile End est ouvert jusqu'à quelle heure dimanche?"
    assert adapt_reply(same, _hits(same, HOURS), boreale_sheet(), "en") is None


def test_the_opening_of_a_past_reply_stops_at_its_first_specific() -> None:
    assert reply_opening(LATE[1]) == "Bonjour, on comprend votre frustration,"
    assert reply_opening("Le dimanche, on ouvre à 8 h.") == ""
    assert (
        reply_opening("Yes. From June 24, we open at 7:30 a.m.") == ""
    )  # the new answer may be no
    assert reply_opening("Hi, thanks for asking! The Boréal Blend is $21.", boreale_sheet()) == (
        "Hi, thanks for asking!"
    )


def test_the_store_s_nearest_past_reply_is_adapted(services: Services) -> None:
    comment = "Ça fait 12 jours que j'ai commandé pis mon suivi Postes Canada bouge pu depuis mardi"
    ctx = gather_context(
        services.store, "boreale", comment, "fr", Kind.REPLY, get_platform("x"), "replies",
        factsheet=boreale_sheet(),
    )  # fmt: skip
    got = adapt_reply(comment, ctx.nearest, ctx.sheet, "fr")
    assert got is not None and got.text is not None
    assert services.store.get("boreale", [got.past_id])[0].metadata["external_id"] == "r001"
    assert "12 jours" in got.text and "8 jours" not in got.text
    # a held-out past reply is never adapted
    held = gather_context(
        services.store, "boreale", comment, "fr", Kind.REPLY, None, "replies",
        exclude={"r001"},
    )  # fmt: skip
    assert all(h.metadata["external_id"] != "r001" for h in held.nearest)


# -- crisis and safety --------------------------------------------------------------------------


def _alert(topic: str, ids: list[int] | None = None, status: str = "open") -> AlertView:
    now = datetime(2025, 11, 15, 9, tzinfo=UTC)
    return AlertView(
        id=7, brand="boreale", topic=topic, window_start=now, window_end=now, count=9,
        baseline=0.5, reason="9 negative messages", message_ids=ids or [], status=status,
        raised_at=now, draft_ids=[],
    )  # fmt: skip


def test_a_comment_on_an_open_crisis_gets_the_holding_statement(services: Services) -> None:
    passages = list(services.store.records("boreale", [Kind.GUIDELINE]))
    comment = "J'ai trouvé du plastique dans les grains de mon sac de Nuit Polaire"
    st = safety_statement(
        comment, "fr", passages, [_alert("“plastique”")], EMBED.embed, brand="boreale"
    )
    assert st is not None and st.kind == "holding" and st.alert_id == 7
    assert st.text is not None and st.text.startswith("Nous avons été informés d'un problème")
    assert "open crisis alert #7" in st.reason and "05-crisis.md" in st.reason
    assert st.fill_in == ["[produit, lot]", "[heure]"]
    assert st.escalation is not None and st.escalation.source == "04-replies.md"
    # the same comment once the alert is closed, or for another brand's alert: still a
    # safety report (a foreign body), still the product's holding statement, without alert
    closed = safety_statement(comment, "fr", passages, [_alert("“plastique”", status="closed")],
                              EMBED.embed, brand="boreale")  # fmt: skip
    assert closed is not None and closed.alert_id is None and closed.label == "Produit"
    assert "safety report (foreign body)" in closed.reason
    assert tied_alert([_alert("delivery", ids=[42])], "anything", message_id=42) is not None


def test_a_safety_report_gets_its_reply_template_and_escalation(services: Services) -> None:
    passages = list(services.store.records("boreale", [Kind.GUIDELINE]))
    rules = services.store.rules("boreale")
    en = "I had an allergic reaction after the banana bread at Mile End, my throat swelled"
    st = safety_statement(en, "en", passages, [], EMBED.embed, rules=rules)
    assert st is not None and (st.kind, st.label) == ("template", "Reaction reported")
    assert st.text is not None and st.text.endswith("— The Boréale team")
    assert st.escalation is not None and "allergic reaction" in st.escalation.text
    question = safety_statement(
        "Est-ce que vos pâtisseries contiennent des arachides?", "fr", passages, [], EMBED.embed,
        rules=rules,
    )  # fmt: skip
    assert question is not None and question.label == "Question avant de commander"
    assert question.escalation is None  # a question, not a report
    # an ordinary comment, or a diet question no template is written for: free generation
    plain = "Le café Mile End ouvre à quelle heure?"
    assert safety_statement(plain, "fr", passages, [], EMBED.embed, rules=rules) is None
    lactose = "Avez-vous du lait d'amande? Je suis intolérante au lactose."
    assert safety_statement(lactose, "fr", passages, [], EMBED.embed, rules=rules) is None
    assert len(reply_templates(passages)) == 12


def test_a_brand_s_own_safety_topic_counts_as_a_report() -> None:
    from cmassist.domain.guidelines import BrandRules

    class P:
        def __init__(self, heading: str, text: str, language: str) -> None:
            self.heading, self.text, self.language = heading, text, language
            self.source, self.line = "04-replies.md", 1

    passages = [
        P("Reply templates > Reply templates (EN)",
          '- Repair delay: "Hi, sorry your bike is late. DM us."\n'
          '- Brake problem after a repair: "Thanks for telling us. Please stop riding the bike '
          'and bring it in."', "en"),
        P("Safety reports > Safety reports (EN)",
          "We treat any report of a crash or a brake failure as urgent. We tell Mathilde the "
          "same day.", "en"),
    ]  # fmt: skip
    rules = BrandRules.model_validate(
        {"topics": [{"name": "safety", "keywords": ["crash", "crashed"]},
                    {"name": "repairs", "keywords": ["brake", "tune-up"]}]}
    )  # fmt: skip
    comment = "After my tune-up the brake failed and I crashed"
    assert keyword_topic(rules, comment) == "safety"
    st = safety_statement(comment, "en", passages, [], EMBED.embed, rules=rules)
    assert st is not None and st.label == "Brake problem after a repair"
    assert st.escalation is not None and "Mathilde" in st.escalation.text


def test_the_inbox_reply_to_a_safety_report_is_the_brand_s_statement(
    services: Services, fake_llm: FakeLLM
) -> None:
    services.inbox.import_messages(SAMPLE_INBOX, brand="boreale", name="sample.jsonl")
    alice = services.review.add_user("alice", "pw-alice-123456", "author")
    report = next(m for m in services.inbox.list(limit=500) if m.external_id == "s-100")
    calls = len(fake_llm.history)
    events = list(services.replies.stream_reply(alice, report.id))
    reply = events[-1].reply
    assert reply is not None and len(fake_llm.history) == calls  # no generation
    assert [e.type for e in events] == ["message", "token", "reply"]
    draft = reply.draft
    assert draft.backend == "guidelines" and draft.language == "fr"
    assert draft.text.startswith("Nous avons été informés d'un problème possible avec")
    assert draft.text.endswith("— L'équipe Boréale")
    assert any(n.startswith("escalate: ") for n in draft.notes)
    assert any("[produit, lot]" in n for n in draft.notes)
    assert draft.sources[0].title and "Déclarations d'attente" in draft.sources[0].title
    assert reply.saved.text == draft.text and draft.check is not None
