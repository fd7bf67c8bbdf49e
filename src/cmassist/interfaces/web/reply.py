"""The Reply tab: suggested replies to a customer's comment, streamed into cards and saved
for review like post drafts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from cmassist.domain.platforms import get_platform
from cmassist.interfaces.web.drafts import (
    VARIANT_SLOTS,
    DraftCardHandlers,
    DraftStream,
    flat,
    slots,
)
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import LANGUAGES, read_language, read_text, read_whole
from cmassist.interfaces.web.layout import LLM_EVENTS, L
from cmassist.interfaces.web.request import translator

REPLY_SLOTS = VARIANT_SLOTS
ANY_PLATFORM = "any"


class ReplyHandlers(DraftCardHandlers):
    """Suggested replies."""

    @user_errors
    def suggest_replies(
        self,
        comment: str,
        platform: str | None,
        variants: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[list[Any]]:
        """Suggested replies to a customer's comment, streamed and saved like drafts."""
        comment = read_text(
            comment,
            "comment",
            self.services.settings.max_comment_chars,
            "paste the customer's comment",
        )
        key = None if platform in (None, "", ANY_PLATFORM) else get_platform(platform).key
        n = read_whole(variants, "variants", 1, VARIANT_SLOTS)
        lang = read_language(language)
        slug = self.brand(brand)
        author = self.author(request)
        events = self.services.drafting.stream_replies(
            comment, brand=slug, platform=key, variants=n, language=lang
        )
        yield from self.stream(
            DraftStream(events, n, "reply", REPLY_SLOTS, author, f"Customer comment: {comment}"),
            translator(request),
            request,
        )


def reply_tab(
    h: ReplyHandlers, brand: gr.Dropdown, platform_choices: list[tuple[str, str]]
) -> None:
    """The Reply tab: the comment on the left, the replies' cards on the right."""
    with gr.Tab(L("Reply")), gr.Row():
        with gr.Column(scale=2, min_width=340):
            comment = gr.Textbox(
                label=L("Customer comment"),
                lines=6,
                max_lines=20,
                info=L(
                    "Up to {n} characters; shown as plain text",
                    n=h.services.settings.max_comment_chars,
                ),
                placeholder=L("Paste the customer's comment"),
            )
            reply_platform = gr.Dropdown(
                [(L("any / not specified"), ANY_PLATFORM), *platform_choices],
                value=ANY_PLATFORM,
                label=L("Posted on"),
            )
            with gr.Row():
                reply_variants = gr.Slider(
                    1, VARIANT_SLOTS, value=2, step=1, precision=0, label=L("Variants")
                )
                reply_lang = gr.Radio(L.choices(LANGUAGES), value="auto", label=L("Language"))
            with gr.Row():
                reply_btn = gr.Button(L("Suggest replies"), variant="primary", scale=3)
                reply_stop = gr.Button(L("Stop"), variant="stop", scale=1)
        with gr.Column(scale=3):
            reply_status = gr.Markdown(latex_delimiters=[])
            reply_slots = slots(REPLY_SLOTS, "reply", h)
    reply_outputs = [reply_status, *flat(reply_slots)]
    reply_btn.click(
        h.suggest_replies,
        [comment, reply_platform, reply_variants, reply_lang, brand],
        reply_outputs,
        api_name="reply",
        show_progress_on=reply_status,
        **LLM_EVENTS,
    )
    # Stop is cooperative (see cmassist.interfaces.web.stops).
    reply_btn.click(h.replies_asked, None, None, queue=False, api_visibility="private")
    reply_stop.click(h.stop_replies, None, None, queue=False, api_visibility="private")
    reply_stop.click(
        h.stopped,
        [s.meta for s in reply_slots],
        reply_outputs,
        queue=False,
        api_visibility="private",
    )
