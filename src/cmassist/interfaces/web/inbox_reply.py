"""A reply to an inbox message, in the Inbox tab: drafted in the brand's voice, checked,
saved for review as the user's and linked to the message, then edited and submitted there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from cmassist.domain.errors import InputError, LLMError
from cmassist.domain.models import Draft
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.cards import draft_meta, review_meta
from cmassist.interfaces.web.drafts import choice_block
from cmassist.interfaces.web.errors import stopped_reason, user_errors
from cmassist.interfaces.web.findings import (
    FINDING_COLUMNS,
    check_line,
    findings_frame,
    findings_highlight,
)
from cmassist.interfaces.web.inbox_render import INJECTION_WARNING
from cmassist.interfaces.web.inputs import message_number
from cmassist.interfaces.web.layout import L, findings_table, findings_text
from cmassist.interfaces.web.render import frame, md
from cmassist.interfaces.web.request import translator
from cmassist.services.replies import InboxReply, NoGoodReply, no_reply

# What a drafted reply fills, in order.
INBOX_REPLY_FIELDS = ("status", "text", "check", "findings", "saved", "submit")


class InboxReplyHandlers(TabHandlers):
    """Draft a reply to the open message, and submit it for review."""

    @staticmethod
    def inbox_reply_cleared(request: gr.Request | None = None) -> tuple[Any, ...]:
        """The reply area emptied, when another message is opened."""
        tr = translator(request)
        return (
            "",
            "",
            gr.update(value=[("", None)], label=tr("Check")),
            frame([], FINDING_COLUMNS, tr),
            None,
            gr.update(visible=False),
        )

    @user_errors
    def inbox_draft_reply(
        self, message_id: float | None, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """A reply to the open message, drafted in the brand's voice, checked, saved for
        review as the user's and linked to the message (the reply service's workflow); it
        can be edited and submitted right there."""
        tr = translator(request)
        actor = self.actor(request)
        events = self.services.replies.stream_reply(actor, message_number(message_id))
        first = next(events)  # the message and its triage; an unknown one fails here
        lead = tr("**Reply to message {number}**", number=md("#" + str(first.message.id)))
        if first.triage is not None and first.triage.injection:
            lead = f"{tr(INJECTION_WARNING)}\n\n{lead}"
        drafting = f"{lead} · {tr('✍️ drafting…')}"
        yield (self.waiting(tr, drafting), *self.inbox_reply_cleared(request)[1:])
        skip2 = (gr.skip(), gr.skip())
        partial = ""
        reply: InboxReply | None = None
        try:
            for event in events:
                if event.reply is not None:
                    reply = event.reply
                elif event.type == "token":
                    if not partial:
                        yield (drafting, gr.skip(), gr.skip(), gr.skip(), *skip2)
                    partial += event.text
                    yield (gr.skip(), partial, gr.skip(), gr.skip(), *skip2)
        except NoGoodReply as e:
            # Not an error to pop up: the honest answer, with what to start from instead.
            yield (no_good_status(lead, e.draft, tr), "", *skip2, *skip2)
            return
        except Exception as e:
            if _no_reply(e):
                status = tr("{lead} · ⚠️ the model gave no reply", lead=lead)
            else:
                status = tr("{lead} · ⚠️ stopped: {why}", lead=lead, why=md(stopped_reason(e, tr)))
            yield (status, "", *skip2, *skip2)
            raise
        if reply is None:  # the service ends with the reply or raises
            raise no_reply()
        yield _drafted(lead, reply, tr)

    @user_errors
    def inbox_submit_reply(
        self, text: str | None, saved: dict[str, Any] | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Submit the drafted reply for review as the user edited it in the Inbox tab."""
        tr = translator(request)
        author = self.actor(request)
        if not saved or not saved.get("id"):
            raise InputError("no reply is drafted for this message", "press Draft reply first")
        view = self.services.review.submit_edited(
            author,
            int(saved["id"]),
            text or "",
            expected=saved.get("row_version"),
            note="edited in the inbox",
        )
        result = self.services.checker.check(
            view.text,
            platform=saved.get("platform"),
            brand=saved.get("brand") or self.services.settings.brand,
            kind="reply",
        ).public()
        return (
            tr(
                "✅ Draft {number} submitted for review: a second person approves it in the "
                "Review tab.",
                number=md("#" + str(view.id)),
            ),
            gr.update(
                value=findings_highlight(view.text, result, tr), label=check_line(result, tr)
            ),
            findings_frame(view.text, result, tr),
            {**saved, **review_meta(view)},
            gr.update(interactive=False, value=tr("Submitted for review ✓")),
        )


def _no_reply(error: Exception) -> bool:
    """The model gave no reply (the reply service's one error for it)."""
    return isinstance(error, LLMError) and error.problem == no_reply().problem


def no_good_status(lead: str, draft: Draft, tr: Translator) -> str:
    """The reply area's status when no candidate reply was good enough: nothing saved, why
    each candidate was dropped, and the past replies and facts to start from (the block the
    draft cards show, its untrusted text escaped the same way)."""
    saved = tr("Not saved: no candidate was good enough")
    return f"{lead} · {saved}\n\n{choice_block(draft_meta(draft), tr)}"


def _drafted(lead: str, reply: InboxReply, tr: Translator) -> tuple[Any, ...]:
    """The reply area once the reply is drafted and saved: INBOX_REPLY_FIELDS."""
    draft, message = reply.draft, reply.message
    status = tr(
        "{lead} · 📝 Draft {number} saved for review: edit it here and submit it, "
        "or open it in the Review tab",
        lead=lead,
        number=md("#" + str(reply.saved.id)),
    )
    if reply.blocked:
        status += "\n\n" + tr("⛔ It has blocking findings: fix them before submitting.")
    return (
        status,
        draft.text,
        gr.update(
            value=findings_highlight(draft.text, draft.check, tr),
            label=check_line(draft.check, tr) or tr("Check"),
        ),
        findings_frame(draft.text, draft.check, tr),
        {**review_meta(reply.saved), "platform": message.platform, "brand": message.brand},
        gr.update(visible=True, interactive=True, value=tr("Submit for review")),
    )


# -- layout -----------------------------------------------------------------------------------


@dataclass
class ReplyColumn:
    """The reply area beside the open message, in the order of INBOX_REPLY_FIELDS."""

    draft: gr.Button
    status: gr.Markdown
    text: gr.Textbox
    check: gr.HighlightedText
    findings: gr.Dataframe
    saved: gr.State
    submit: gr.Button

    def outputs(self) -> list[Any]:
        return [self.status, self.text, self.check, self.findings, self.saved, self.submit]


def reply_column() -> ReplyColumn:
    """The Draft reply button, the reply as drafted (editable), its check and Submit."""
    with gr.Column(scale=1, variant="panel"):
        draft = gr.Button(L("Draft reply"), variant="primary", elem_id="inbox-draft")
        status = gr.Markdown(latex_delimiters=[], elem_id="inbox-reply-status")
        text = gr.Textbox(
            label=L("Drafted reply: edit it here, then submit it for review"),
            interactive=True,
            lines=4,
            max_lines=20,
            buttons=["copy"],
            elem_id="inbox-reply",
        )
        check = findings_text(L("Check"))
        findings = findings_table()
        saved = gr.State(None)
        submit = gr.Button(
            L("Submit for review"),
            variant="primary",
            visible=False,
            elem_id="inbox-submit-reply",
        )
    return ReplyColumn(draft, status, text, check, findings, saved, submit)
