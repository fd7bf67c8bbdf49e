"""The Check tab: any text checked against the brand's guidelines, its findings marked with
their guideline and fix; the mechanical fixes applied, or the text rewritten in the
brand's voice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from cmassist.domain.errors import InputError
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.findings import (
    FINDING_COLUMNS,
    check_line,
    findings_frame,
    findings_highlight,
)
from cmassist.interfaces.web.inputs import LANGUAGES, read_language
from cmassist.interfaces.web.layout import LLM_EVENTS, PRIVATE, L, findings_table, findings_text
from cmassist.interfaces.web.render import frame, md
from cmassist.interfaces.web.request import translator
from cmassist.services.checking.checker import apply_fixes as put_fixes_in_place


class CheckHandlers(TabHandlers):
    """Check, fix and rewrite a pasted text."""

    def _check(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
    ) -> dict[str, Any]:
        return self.services.checker.check(
            text or "",
            platform=platform or None,
            brand=self.brand(brand),
            kind=kind or "post",
            sponsored=bool(sponsored),
            language=read_language(language),
        ).public()

    @staticmethod
    def _check_outputs(text: str, result: dict[str, Any], tr: Translator) -> tuple[Any, ...]:
        notes = "\n".join(f"- {md(tr.error(n))}" for n in result.get("notices", []))
        return (
            md(check_line(result, tr)),
            findings_highlight(text, result, tr),
            findings_frame(text, result, tr),
            notes,
        )

    @user_errors
    def check_text(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        result = self._check(text, platform, kind, sponsored, language, brand)
        return self._check_outputs(text or "", result, translator(request))

    @user_errors
    def apply_fixes(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """Put each mechanical fix in place (as a person would write it), then check again."""
        result = self._check(text, platform, kind, sponsored, language, brand)
        fixed = put_fixes_in_place(text or "", result["findings"])
        again = self._check(fixed, platform, kind, sponsored, language, brand)
        return (fixed, *self._check_outputs(fixed, again, translator(request)))

    @user_errors
    def rewrite(
        self,
        text: str | None,
        platform: str | None,
        kind: str | None,
        sponsored: bool | None,
        language: str | None,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """The text rewritten in the brand's voice, streamed, then checked."""
        tr = translator(request)
        if not platform:
            raise InputError("choose the platform the text is for", "pick one in Platform")
        before = self._check(text, platform, kind, sponsored, language, brand)
        problems = [f["message"] for f in before["findings"]][:8]
        partial = ""
        yield (
            self.waiting(tr, tr("✍️ Rewriting…")),
            "",
            [("", None)],
            frame([], FINDING_COLUMNS, tr),
        )
        for event in self.services.drafting.stream_rewrite(
            text or "",
            platform=platform,
            kind=kind or "post",
            brand=self.brand(brand),
            language=read_language(language),
            problems=problems,
            findings=before["findings"],  # the original is not checked twice
        ):
            if event.draft is None:
                if not partial:
                    yield (tr("✍️ Rewriting…"), gr.skip(), gr.skip(), gr.skip())
                partial += event.text
                yield (gr.skip(), partial, gr.skip(), gr.skip())
                continue
            d = event.draft
            notes = "; ".join(tr.error(n) for n in d.notes)
            # check_line is our own Markdown; the notes may quote the text: made inert.
            status = check_line(d.check, tr) + (f" · {md(notes)}" if notes else "")
            yield (
                status,
                d.text,
                findings_highlight(d.text, d.check, tr),
                findings_frame(d.text, d.check, tr),
            )


def check_tab(
    h: CheckHandlers, brand: gr.Dropdown, platform_choices: list[tuple[str, str]]
) -> None:
    """The Check tab: paste any text, see its findings highlighted with their guideline and
    fix, apply the mechanical fixes, or have it rewritten in the brand's voice."""
    with gr.Tab(L("Check")), gr.Row():
        with gr.Column(scale=2, min_width=340):
            text = gr.Textbox(
                label=L("Text to check"),
                lines=8,
                max_lines=30,
                info=L("Any post or reply, yours or a colleague's; shown as plain text"),
                placeholder=L("Paste a post or reply"),
                elem_id="check-text",
            )
            with gr.Row():
                platform = gr.Dropdown(platform_choices, value="instagram", label=L("Platform"))
                kind = gr.Radio(
                    L.choices([("post", "post"), ("reply", "reply")]), value="post", label=L("Kind")
                )
            with gr.Row():
                language = gr.Radio(L.choices(LANGUAGES), value="auto", label=L("Language"))
                sponsored = gr.Checkbox(label=L("Sponsored or partnership post"), value=False)
            with gr.Row():
                check_btn = gr.Button(L("Check"), variant="primary", elem_id="check-btn")
                fix_btn = gr.Button(L("Apply suggested fixes"), elem_id="check-fix")
                rewrite_btn = gr.Button(L("Rewrite in brand voice"), elem_id="check-rewrite")
        with gr.Column(scale=3):
            summary = gr.Markdown(latex_delimiters=[], elem_id="check-summary")
            highlight = findings_text(L("Findings in the text"), elem_id="check-highlight")
            findings = findings_table()
            notices = gr.Markdown(latex_delimiters=[])
            with gr.Accordion(L("Rewrite in brand voice"), open=True):
                rewrite_status = gr.Markdown(latex_delimiters=[])
                rewritten = gr.Textbox(
                    label=L("Rewrite: edit it, copy it, or check it"),
                    lines=5,
                    max_lines=25,
                    interactive=True,
                    buttons=["copy"],
                    elem_id="check-rewritten",
                )
                rewrite_hl = findings_text(L("Findings in the rewrite"))
                rewrite_table = findings_table()
                use_rewrite = gr.Button(L("Use the rewrite as the text to check"), size="sm")
    inputs = [text, platform, kind, sponsored, language, brand]
    outputs = [summary, highlight, findings, notices]
    gr.on([check_btn.click, text.submit], h.check_text, inputs, outputs, **PRIVATE)
    fix_btn.click(h.apply_fixes, inputs, [text, *outputs], **PRIVATE)
    rewrite_btn.click(
        h.rewrite,
        inputs,
        [rewrite_status, rewritten, rewrite_hl, rewrite_table],
        **PRIVATE,
        **LLM_EVENTS,
    )
    use_rewrite.click(lambda t: t, rewritten, text, **PRIVATE).then(
        h.check_text, inputs, outputs, **PRIVATE
    )
