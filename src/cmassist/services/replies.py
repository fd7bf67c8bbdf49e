"""The reply to an inbox message, one workflow for the CLI and the app: drafted in the brand's
voice (or, for a message tied to an open crisis or reporting a safety matter, the brand's
holding statement or reply template, with its escalation path), checked, saved for review
with what it answers, and linked to the message."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cmassist.domain.errors import LLMError
from cmassist.domain.models import Draft, Kind
from cmassist.domain.platforms import PLATFORMS
from cmassist.domain.safety import CATEGORY_NAMES
from cmassist.domain.triage import Triage
from cmassist.services.crisis import Passage
from cmassist.services.drafting.inputs import draft_language
from cmassist.services.drafting.statements import (
    SafetyStatement,
    safety_statement,
    statement_draft,
)

if TYPE_CHECKING:
    from cmassist.services.drafting import Drafting
    from cmassist.services.inbox import InboxService, MessageView
    from cmassist.services.review import Actor, DraftView, ReviewService


def no_reply(draft: Draft | None = None) -> LLMError:
    """The one error a model that gives no reply raises, whoever asked; with the no-good
    draft when candidates were written and none was good (`NoGoodReply`)."""
    if draft is not None and draft.no_good_draft:
        return NoGoodReply(draft)
    return LLMError("the model gave no reply", "try again, or write the reply yourself")


class NoGoodReply(LLMError):
    """No candidate reply was good enough: `draft` says why (`why`, `rejected`) and what a
    person can start from (`starting_points`: the closest past replies and the facts)."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(
            "the model gave no reply",
            "no candidate was good enough; start from a past reply or the facts, or write it",
        )
        self.draft = draft


@dataclass(frozen=True)
class InboxReply:
    """A reply drafted for an inbox message and saved for review."""

    message: MessageView
    triage: Triage | None  # the message's triage, None when it is not triaged yet
    draft: Draft  # as drafted: text, provenance, notes and its check
    saved: DraftView  # the review draft, linked to the message

    @property
    def injection(self) -> bool:
        """The message reads as a prompt-injection attempt: say so before anyone edits."""
        return self.triage is not None and self.triage.injection

    @property
    def verdict(self) -> str | None:
        """The check's verdict ("pass", "warn", "block"), None when it did not run."""
        check = self.draft.check or {}
        verdict = check.get("verdict")
        return str(verdict) if verdict else None

    @property
    def blocked(self) -> bool:
        """The reply has blocking findings: they must be fixed before it is submitted."""
        return self.verdict == "block"


@dataclass(frozen=True)
class ReplyEvent:
    """What `stream_reply` yields: the message first, the reply's tokens as they come, then
    the reply once it is saved."""

    type: Literal["message", "token", "reply"]
    message: MessageView
    triage: Triage | None = None
    text: str = ""  # a token
    reply: InboxReply | None = None


class ReplyService:
    """Drafts the reply to an inbox message; nothing is saved unless the model gave a reply."""

    def __init__(self, inbox: InboxService, drafting: Drafting, review: ReviewService) -> None:
        self.inbox = inbox
        self.drafting = drafting
        self.review = review

    def draft_reply(self, actor: Actor, message_id: int) -> InboxReply:
        """The reply to the message, drafted, checked, saved for review as `actor`'s and
        linked to the message. Raises NotFoundError for an unknown message, LLMError when
        the model fails or gives no reply (nothing is saved then)."""
        for event in self.stream_reply(actor, message_id):
            if event.reply is not None:
                return event.reply
        raise no_reply()  # pragma: no cover - stream_reply ends with the reply or raises

    def stream_reply(self, actor: Actor, message_id: int) -> Iterator[ReplyEvent]:
        """`draft_reply`, streamed: the message (with its triage), each token, then the
        saved reply. A consumer that stops early saves nothing."""
        message = self.inbox.get(message_id)
        triage = Triage.from_public(message.triage) if message.triage else None
        yield ReplyEvent("message", message, triage)
        # A comment tied to an open crisis, or reporting a safety matter, gets the brand's
        # own statement (holding statement, reply template), not the model's words.
        statement = self.statement_for(message, triage)
        draft: Draft | None = None
        if statement is not None and statement.text:
            draft = self.statement_draft(message, statement)
            yield ReplyEvent("token", message, triage, text=draft.text)
        else:
            for event in self.drafting.stream_replies(
                message.text,
                brand=message.brand,
                platform=message.platform,
                variants=1,
                statements=False,  # decided above, with the triage and the open alerts
            ):
                if event.draft is not None:
                    draft = event.draft
                elif event.type == "token":
                    yield ReplyEvent("token", message, triage, text=event.text)
        if draft is None or not draft.text.strip():
            raise no_reply(draft)
        if statement is not None and not statement.text:
            # a safety report: who must see it (drafting may have said it already)
            draft.notes.extend(n for n in statement.notes() if n not in draft.notes)
        [saved] = self.review.save_generated(
            actor, [draft], context=reply_context(message, triage), platform=message.platform
        )
        self.inbox.link_draft(actor, message.id, saved.id)
        yield ReplyEvent("reply", message, triage, reply=InboxReply(message, triage, draft, saved))

    def statement_for(self, message: MessageView, triage: Triage | None) -> SafetyStatement | None:
        """The brand's statement for the message when it is tied to an open crisis alert or
        reports a safety matter (see `drafting.statements`); None otherwise."""
        store = self.drafting.store
        checker = self.drafting.checker
        passages: Sequence[Passage] = (
            checker.profile(message.brand).passages
            if checker is not None
            else list(store.records(message.brand, [Kind.GUIDELINE]))
        )
        language = (triage.language if triage else "") or message.language
        return safety_statement(
            message.text,
            language if language in ("fr", "en") else draft_language(message.text, None),
            passages,
            self.inbox.alerts(status="open", brand=message.brand),
            store.embedder.embed,
            brand=message.brand,
            message_id=message.id,
            topic=(triage.topic if triage else None) or message.topic or None,
            safety=triage.safety if triage else (),
            rules=store.rules(message.brand),
            alert_texts=lambda alert: [m.text for m in self.inbox.messages(alert.message_ids)],
        )

    def statement_draft(self, message: MessageView, statement: SafetyStatement) -> Draft:
        """The statement as the message's reply draft (see `drafting.statements`)."""
        return statement_draft(
            statement,
            brand=message.brand,
            platform=message.platform,
            language=message.language,
            rules=self.drafting.store.rules(message.brand),
            checker=self.drafting.checker,
            replying_to=message.text,
        )


def reply_context(message: MessageView, triage: Triage | None) -> str:
    """What a reply answers, as the review keeps it beside the draft: where the message came
    from (platform, author, thread), the message itself on its own lines, then its triage in
    a word each. The review checks the reply against this text as the words it answers, so
    the triage line quotes nothing from the message and names no link, number or order."""
    platform = (
        PLATFORMS[message.platform].name if message.platform in PLATFORMS else message.platform
    )
    thread = f", in thread {message.thread}" if message.thread else ""
    lines = [
        f"Inbox message #{message.id}: a {message.kind} on {platform}"
        f" from {message.author or 'someone'}{thread}",
        message.text,
    ]
    if triage is not None:
        lines.append(f"Triage: {triage_words(triage)}.")
    return "\n".join(lines)


def triage_words(triage: Triage) -> str:
    """ "escalate, urgency high, negative, complaint, topic delivery, safety report (foreign
    body)": the triage in words of its own, none from the message."""
    words = [triage.action, f"urgency {triage.urgency}", triage.sentiment]
    if triage.complaint:
        words.append("complaint")
    if triage.topic:
        words.append(f"topic {triage.topic.replace('_', ' ')}")
    if triage.safety:
        names = ", ".join(CATEGORY_NAMES.get(c, c.replace("_", " ")) for c in triage.safety)
        words.append(f"safety report ({names})")
    if triage.health_question:
        words.append("health question")
    for flag in ("toxic", "harassment", "spam"):
        if getattr(triage, flag):
            words.append(flag)
    if triage.injection:
        words.append("possible injection, read before replying")
    return ", ".join(words)
