"""Replies the base model would write from nothing (issue 13, item 6): with the embedded
(completion) model, a comment that no past reply, fact or statement answers gets the honest
"no good draft" and the brand's replies and facts to start from; the model is not asked.
A chat model, or `draft_model_replies = "always"`, writes them. A template's blank
("[heure]") blocks until a person fills it in; praise is thanked in the brand's words even
when the most similar past comments are complaints."""

from __future__ import annotations

import pytest

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.config import Settings
from cmassist.domain.models import Kind
from cmassist.services.drafting.candidates import HELD_BACK
from cmassist.services.drafting.compose import comment_kind, compose_reply
from cmassist.services.drafting.factlines import grounding_facts
from cmassist.services.ports.models import Embedder
from cmassist.services.ports.store import Hit
from tests.test_grounded_prompts import boreale_sheet

# asks what the fact sheet does not answer: nothing is built for it
UNANSWERED = "Is the oat drink you use gluten free? I'm celiac and my sister is too."


def _services(settings: Settings, embedder: Embedder, llm: FakeLLM, mode: str) -> Services:
    return Services(settings.model_copy(update={"draft_model_replies": mode}), llm=llm,
                    embedder=embedder)  # fmt: skip


def test_the_embedded_model_writes_no_reply_from_nothing(
    sample_settings: Settings, embedder: Embedder
) -> None:
    llm = FakeLLM()
    llm.enqueue("Yes, gluten free at no extra cost! — The Boréale team")
    services = _services(sample_settings, embedder, llm, "auto")
    (draft,) = services.drafting.suggest_replies(UNANSWERED, brand="boreale", statements=False)
    assert draft.no_good_draft and draft.text == ""
    assert HELD_BACK in draft.why
    assert not llm.history  # the model was not asked
    kinds = {p.kind for p in draft.starting_points}
    assert "reply" in kinds  # the brand's closest past replies to start from


@pytest.mark.parametrize(("style", "mode"), [("chat", "auto"), ("completion", "always")])
def test_a_chat_model_or_always_writes_the_reply(
    sample_settings: Settings, embedder: Embedder, style: str, mode: str
) -> None:
    llm = FakeLLM(style=style)
    llm.enqueue("Hi, thanks for asking first: please ask our baristas, they will check.")
    services = _services(sample_settings, embedder, llm, mode)
    (draft,) = services.drafting.suggest_replies(UNANSWERED, brand="boreale", statements=False)
    assert llm.history
    assert HELD_BACK not in draft.why


def test_never_keeps_even_a_chat_model_from_writing(
    sample_settings: Settings, embedder: Embedder
) -> None:
    llm = FakeLLM(style="chat")
    services = _services(sample_settings, embedder, llm, "never")
    (draft,) = services.drafting.suggest_replies(UNANSWERED, brand="boreale", statements=False)
    assert draft.no_good_draft and not llm.history


def test_a_built_reply_is_still_returned_without_the_model(
    sample_settings: Settings, embedder: Embedder
) -> None:
    llm = FakeLLM()
    services = _services(sample_settings, embedder, llm, "auto")
    comment = "What time does the Saint-Henri café close on Saturdays?"
    (draft,) = services.drafting.suggest_replies(comment, brand="boreale", statements=False)
    assert not draft.no_good_draft and "5 p.m." in draft.text
    assert not llm.history


def test_a_template_blank_blocks_until_filled(services: Services) -> None:
    text = (
        "Nous avons été informés d'un problème possible avec [produit, lot]. Nous publierons "
        "une mise à jour d'ici [heure]. Détails sur [notre site](https://brulerie-boreale.example)."
    )
    check = services.checker.check(
        text, platform="instagram", brand="boreale", kind="reply", language="fr"
    )
    blanks = [text[f.start : f.end] for f in check.findings if f.rule == "blank"]
    assert blanks == ["[produit, lot]", "[heure]"]  # not the link's text
    assert check.verdict == "block"
    filled = text.replace("[produit, lot]", "le Nuit Polaire, lot 2611").replace("[heure]", "17 h")
    again = services.checker.check(
        filled, platform="instagram", brand="boreale", kind="reply", language="fr"
    )
    assert not [f for f in again.findings if f.rule == "blank"]


def _hit(n: int, comment: str, reply: str, *, complaint: bool = False) -> Hit:
    meta = {"reply": reply, "language": "fr", "complaint": complaint, "topic": ""}
    return Hit(f"reply-{n}", Kind.REPLY, comment, meta, 0.9 - n / 100)


def test_praise_is_thanked_in_the_brand_s_words_past_the_nearest_complaints() -> None:
    comment = "Le carré aux dattes de Saint-Henri, un pur bonheur avec mon allongé ce matin ☺️"
    assert comment_kind(comment) == "praise"
    complaints = [
        _hit(n, f"Le carré aux dattes était rassis ce matin, déçue ({n}).",
             "Bonjour, désolés pour cette déception. Écrivez-nous en privé.\n— L'équipe Boréale",
             complaint=True)
        for n in range(1, 9)
    ]  # fmt: skip
    thanks = _hit(
        20,
        "Meilleur latte en ville, merci!",
        "Merci beaucoup, ça nous fait chaud au cœur! On transmet à l'équipe.\n— L'équipe Boréale",
    )
    sheet = boreale_sheet()
    facts = grounding_facts(sheet, comment, "fr", kind="reply")
    got = compose_reply(comment, [*complaints, thanks], sheet, facts, "fr")
    assert got is not None
    assert got.text == "Merci beaucoup, ça nous fait chaud au cœur! On transmet à l'équipe."
    assert got.parts == ("thanks: past reply reply-20",)
