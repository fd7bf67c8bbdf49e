"""The Compose tab: post ideas for a topic, and post drafts for a brief streamed into one
card per platform and variant, each saved for review as the user's."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from cmassist.domain.errors import InputError
from cmassist.domain.models import Draft
from cmassist.domain.platforms import PLATFORMS, get_platform
from cmassist.domain.platforms import table as platform_table
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.cards import SOURCE_COLUMNS, SOURCE_WIDTHS, sources_frame
from cmassist.interfaces.web.drafts import (
    VARIANT_SLOTS,
    DraftCardHandlers,
    DraftStream,
    flat,
    slots,
)
from cmassist.interfaces.web.errors import stopped_reason, user_errors
from cmassist.interfaces.web.inputs import LANGUAGES, read_language, read_text, read_whole
from cmassist.interfaces.web.layout import LLM_EVENTS, PRIVATE, L, table
from cmassist.interfaces.web.render import frame, md
from cmassist.interfaces.web.request import translator
from cmassist.interfaces.web.stops import close_events

MAX_IDEAS = 20
POST_SLOTS = len(PLATFORMS) * VARIANT_SLOTS
LIMIT_COLUMNS = ["platform", "name", "max_chars", "max_hashtags", "link_chars"]
# A model may number its ideas twice ("1. 1. ..."): the list numbers them once.
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")


class ComposeHandlers(DraftCardHandlers):
    """Ideas, post drafts and the platforms' limits."""

    @user_errors
    def ideas(
        self,
        topic: str,
        count: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Post ideas for a topic: streamed text, then a numbered list and its sources."""
        tr = translator(request)
        topic = read_text(
            topic,
            "topic",
            self.services.settings.max_brief_chars,
            "write a topic or goal, e.g. 'the holiday gift box'",
        )
        n = read_whole(count, "the number of ideas", 1, MAX_IDEAS)
        lang = read_language(language)
        slug = self.brand(brand)
        started = time.perf_counter()
        raw = ""
        drafts: list[Draft] = []
        yield (
            "",
            gr.update(choices=[], value=None),
            frame([], SOURCE_COLUMNS, tr),
            self.waiting(tr, tr("✍️ Thinking of ideas…")),
        )
        flag = self.stops.begin(request, "ideas")
        events = self.services.drafting.stream_ideas(topic, brand=slug, count=n, language=lang)
        try:
            for event in events:
                if flag.is_set():
                    close_events(events)
                    yield gr.skip(), gr.skip(), gr.skip(), "⏹️"
                    return
                if event.draft is not None:
                    drafts.append(event.draft)
                elif event.type == "token":
                    if not raw:
                        yield raw, gr.skip(), gr.skip(), tr("✍️ Thinking of ideas…")
                    raw += event.text
                    yield raw, gr.skip(), gr.skip(), gr.skip()
        except Exception as e:
            yield "", gr.skip(), gr.skip(), tr("⚠️ Stopped: {why}", why=md(stopped_reason(e, tr)))
            raise
        finally:
            self.stops.end(request, "ideas", flag)
        if flag.is_set():
            yield gr.skip(), gr.skip(), gr.skip(), "⏹️"
            return
        if not drafts:
            yield (
                "",
                gr.skip(),
                gr.skip(),
                tr("⚠️ The model gave no usable ideas: try again, or rephrase the topic."),
            )
            return
        texts = [_NUMBERED.sub("", d.text) or d.text for d in drafts]
        numbered = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1))
        info = _ideas_info(drafts, n, time.perf_counter() - started, tr)
        yield numbered, gr.update(choices=texts, value=None), sources_frame(drafts[0], tr), info

    @user_errors
    def draft_posts(
        self,
        brief: str,
        platforms: list[str] | None,
        variants: float,
        language: str,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[list[Any]]:
        """Post drafts, streamed token by token into one slot per platform and variant, each
        saved for review as the logged-in user's."""
        brief = read_text(
            brief,
            "brief",
            self.services.settings.max_brief_chars,
            "write what the post should say, e.g. 'our Ethiopian coffee is back'",
        )
        if not platforms:
            raise InputError("no platform is selected", "tick at least one platform")
        keys = list(dict.fromkeys(get_platform(p).key for p in platforms))
        n = read_whole(variants, "variants", 1, VARIANT_SLOTS)
        lang = read_language(language)
        slug = self.brand(brand)
        author = self.author(request)
        events = self.services.drafting.stream_posts(
            brief, brand=slug, platforms=keys, variants=n, language=lang
        )
        yield from self.stream(
            DraftStream(events, len(keys) * n, "post", POST_SLOTS, author, f"Brief: {brief}"),
            translator(request),
            request,
        )

    @staticmethod
    def platform_limits(request: gr.Request | None = None) -> pd.DataFrame:
        """Each platform's limits, its columns in the user's language."""
        rows = [
            [r.get(c) if r.get(c) is not None else "" for c in LIMIT_COLUMNS]
            for r in platform_table()
        ]
        return frame(rows, LIMIT_COLUMNS, translator(request))


def _ideas_info(drafts: list[Draft], asked: int, seconds: float, tr: Translator) -> str:
    """The status line under a finished list of ideas: how many, which model and prompt."""
    first = drafts[0]
    found = tr("{n} ideas", n=len(drafts))
    if len(drafts) < asked:
        found += tr(" (asked for {n})", n=asked)
    return "✅ " + " · ".join(
        md(x)
        for x in (
            found,
            first.language.upper(),
            f"{first.backend} / {first.model}",
            tr(
                "prompt {template} @ {sha}",
                template=first.prompt.template,
                sha=first.prompt.sha256[:12],
            ),
            tr("{s} s", s=tr.number(seconds, 1)),
        )
    )


# -- layout -----------------------------------------------------------------------------------


def compose_tab(
    app: gr.Blocks, h: ComposeHandlers, brand: gr.Dropdown, platform_choices: list[tuple[str, str]]
) -> None:
    """The Compose tab: ideas folded on top, then the brief and its drafts' cards."""
    with gr.Tab(L("Compose")):
        use_idea = _ideas_section(h, brand)
        with gr.Row():
            with gr.Column(scale=2, min_width=340):
                brief = gr.Textbox(
                    label=L("Brief"),
                    lines=5,
                    max_lines=15,
                    info=L("Up to {n} characters", n=h.services.settings.max_brief_chars),
                    placeholder=L(
                        "What should the post say? "
                        "e.g. 'Our Ethiopian single origin is back Friday'"
                    ),
                )
                platforms = gr.CheckboxGroup(
                    platform_choices, value=["instagram"], label=L("Platforms")
                )
                with gr.Row():
                    variants = gr.Slider(
                        1,
                        VARIANT_SLOTS,
                        value=2,
                        step=1,
                        precision=0,
                        label=L("Variants per platform"),
                    )
                    post_lang = gr.Radio(L.choices(LANGUAGES), value="auto", label=L("Language"))
                with gr.Row():
                    draft_btn = gr.Button(L("Draft posts"), variant="primary", scale=3)
                    draft_stop = gr.Button(L("Stop"), variant="stop", scale=1)
                with gr.Accordion(L("Platform limits"), open=False):
                    limits = table(LIMIT_COLUMNS, "Platform limits", relabel=False)
            with gr.Column(scale=3):
                draft_status = gr.Markdown(
                    L(
                        "Drafts appear here as they are written: one card per platform "
                        "and variant, with its character count and its sources."
                    ),
                    latex_delimiters=[],
                )
                post_slots = slots(POST_SLOTS, "post", h)

    app.load(h.platform_limits, None, limits, **PRIVATE)
    use_idea.input(
        lambda idea: idea or gr.skip(), use_idea, brief, queue=False, api_visibility="private"
    )
    post_outputs = [draft_status, *flat(post_slots)]
    draft_btn.click(
        h.draft_posts,
        [brief, platforms, variants, post_lang, brand],
        post_outputs,
        api_name="draft",
        show_progress_on=draft_status,
        **LLM_EVENTS,
    )
    # Stop is cooperative (see cmassist.interfaces.web.stops): the stream ends at its next
    # token, so the next click runs at once.
    draft_btn.click(h.posts_asked, None, None, queue=False, api_visibility="private")
    draft_stop.click(h.stop_posts, None, None, queue=False, api_visibility="private")
    draft_stop.click(
        h.stopped,
        [s.meta for s in post_slots],
        post_outputs,
        queue=False,
        api_visibility="private",
    )


def _ideas_section(h: ComposeHandlers, brand: gr.Dropdown) -> gr.Dropdown:
    """Post ideas for a topic, folded away; returns the idea picker."""
    with gr.Accordion(L("Post ideas"), open=False), gr.Row():
        with gr.Column(scale=2):
            topic = gr.Textbox(
                label=L("Topic or goal"),
                lines=2,
                placeholder=L("e.g. 'more subscriptions before the holidays'"),
            )
            with gr.Row():
                count = gr.Slider(
                    1, MAX_IDEAS, value=5, step=1, precision=0, label=L("How many ideas")
                )
                ideas_lang = gr.Radio(L.choices(LANGUAGES), value="auto", label=L("Language"))
            ideas_btn = gr.Button(L("Suggest ideas"), variant="primary")
        with gr.Column(scale=3):
            ideas_status = gr.Markdown(latex_delimiters=[])
            ideas_text = gr.Textbox(
                label=L("Ideas"), lines=6, max_lines=25, buttons=["copy"], interactive=False
            )
            use_idea = gr.Dropdown(
                label=L("Use an idea as the brief below"), choices=[], value=None
            )
            with gr.Accordion(L("Sources"), open=False):
                ideas_sources = table(
                    SOURCE_COLUMNS, "Sources", ["score"], column_widths=SOURCE_WIDTHS
                )
    gr.on(
        [ideas_btn.click, topic.submit],
        h.ideas_asked,
        None,
        None,
        queue=False,
        api_visibility="private",
    )
    gr.on(
        [ideas_btn.click, topic.submit],
        h.ideas,
        [topic, count, ideas_lang, brand],
        [ideas_text, use_idea, ideas_sources, ideas_status],
        api_name="ideas",
        show_progress_on=ideas_status,
        **LLM_EVENTS,
    )
    return use_idea
