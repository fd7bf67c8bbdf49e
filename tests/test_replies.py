"""The reply to an inbox message (services.replies): one workflow for the CLI and the app,
saved with what it answers (the message, its thread, its triage), linked to the message,
and nothing saved when the model fails or gives no reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmassist.adapters.llm.fake import FakeLLM
from cmassist.bootstrap import Services
from cmassist.domain.errors import LLMError, LLMTimeoutError, NotFoundError
from cmassist.domain.hostile import detect_injection
from cmassist.domain.triage import Triage
from cmassist.services.replies import InboxReply, reply_context, triage_words
from tests.support import model_answers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = ROOT / "brand_guidelines" / "inbox" / "sample.jsonl"
SORRY = "So sorry about that! Please DM us your order number and we'll sort it out today."


def _imported(services: Services) -> None:
    services.inbox.import_messages(SAMPLE_INBOX, brand="boreale", name="sample.jsonl")


def test_a_reply_is_saved_for_review_with_what_it_answers_and_linked(
    services: Services, fake_llm: FakeLLM
) -> None:
    _imported(services)
    alice = services.review.add_user("alice", "pw-alice-123456", "author")
    message = next(
        m for m in services.inbox.list(action="reply") if m.thread and model_answers(services, m)
    )
    fake_llm.enqueue(SORRY)
    reply = services.replies.draft_reply(alice, message.id)
    assert isinstance(reply, InboxReply)
    assert reply.message.id == message.id and reply.triage is not None
    assert reply.triage.action == message.action
    assert (
        reply.draft.text.startswith("So sorry about that!") and reply.saved.text == reply.draft.text
    )
    assert reply.verdict in ("pass", "warn", "block") and reply.blocked == (
        reply.verdict == "block"
    )
    view = services.review.list(author="alice")[0]
    assert (view.id, view.brand, view.platform, view.kind, view.state) == (
        reply.saved.id,
        message.brand,
        message.platform,
        "reply",
        "draft",
    )
    # the message, its thread and its triage, in that order
    header, *body, triage = view.context.splitlines()
    assert f"#{message.id}" in header and message.author in header and message.thread in header
    assert "\n".join(body) == message.text
    assert triage == f"Triage: {triage_words(reply.triage)}." and message.action in triage
    assert services.inbox.get(message.id).draft_id == view.id
    linked = services.review.audit_log(action="inbox_reply_drafted")
    assert [(a.actor, a.draft_id, a.details["messages"]) for a in linked] == [
        ("alice", view.id, [message.id])
    ]


def test_the_stream_gives_the_message_then_tokens_then_the_saved_reply(
    services: Services, fake_llm: FakeLLM
) -> None:
    _imported(services)
    alice = services.review.add_user("alice", "pw-alice-123456", "author")
    flagged = next(m for m in services.inbox.list(status=None) if (m.triage or {}).get("injection"))
    fake_llm.enqueue(SORRY)
    events = list(services.replies.stream_reply(alice, flagged.id))
    assert events[0].type == "message" and events[0].message.id == flagged.id
    assert events[0].triage is not None and events[0].triage.injection
    tokens = [e.text for e in events if e.type == "token"]
    # praise gets the brand's own thanks at once (`compose`), the injected link never
    assert tokens and tokens[0].startswith("Merci") and "free-coffee" not in "".join(tokens)
    assert [e.type for e in events][-1] == "reply"
    reply = events[-1].reply
    assert reply is not None and reply.injection  # drafting is allowed; the app warns first
    assert "possible injection" in reply.saved.context

    # a consumer that stops before the end saves nothing
    other = next(m for m in services.inbox.list(action="reply") if m.id != flagged.id)
    fake_llm.enqueue(SORRY)
    stream = services.replies.stream_reply(alice, other.id)
    next(e for e in stream if e.type == "token")
    stream.close()
    assert services.inbox.get(other.id).draft_id is None
    assert len(services.review.list(author="alice")) == 1


def test_no_reply_or_a_failed_model_is_one_error_and_saves_nothing(
    services: Services, fake_llm: FakeLLM
) -> None:
    _imported(services)
    alice = services.review.add_user("alice", "pw-alice-123456", "author")
    message = next(m for m in services.inbox.list(action="reply") if model_answers(services, m))
    fake_llm.enqueue("", "", "")  # the first try and both retries
    with pytest.raises(LLMError, match="the model gave no reply"):
        services.replies.draft_reply(alice, message.id)
    broken = Services(
        services.settings,
        llm=FakeLLM(error=LLMTimeoutError("no answer in 60 s")),
        embedder=services.embedder,
    )
    with pytest.raises(LLMTimeoutError):
        broken.replies.draft_reply(alice, message.id)
    assert services.review.list() == [] and services.inbox.get(message.id).draft_id is None
    with pytest.raises(NotFoundError, match="no inbox message 99999"):
        services.replies.draft_reply(alice, 99999)


def test_the_saved_context_reads_as_injection_only_when_the_message_does(
    services: Services,
) -> None:
    """The review checks an edited reply against the saved context as the words it answers:
    the header and the triage line add no injection signal of their own."""
    _imported(services)
    for m in services.inbox.list(status=None):
        triage = Triage.from_public(m.triage) if m.triage else None
        context = reply_context(m, triage)
        assert detect_injection(context).flagged == detect_injection(m.text).flagged, context
        if triage is not None:
            assert not any(q in triage_words(triage) for q in '“”«»"')
