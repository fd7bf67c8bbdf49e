"""A draft's card, rendered: its header (what it is, its count against the platform's
limit, its verdict, notes, provenance and review state) and its sources."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cmassist.domain.models import Draft
from cmassist.domain.platforms import PLATFORMS, count_chars
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.findings import check_line
from cmassist.interfaces.web.render import frame, md
from cmassist.services.review import DraftView

# A card's outputs, in order.
SLOT_FIELDS = ("box", "header", "text", "findings", "fixes", "sources", "meta", "submit")
SOURCE_COLUMNS = ["kind", "title", "excerpt", "score"]
SOURCE_WIDTHS = ["12%", "28%", "50%", "10%"]
REVIEW_HINTS = {
    "draft": "not submitted yet: edit it above if you like, then submit it for review",
    "submitted": "waiting for a second person's review (Review tab)",
    "changes_requested": "changes requested: see the Review tab",
}


def draft_meta(draft: Draft) -> dict[str, Any]:
    """What a slot keeps about its draft (in a gr.State) to redraw its header after edits."""
    data = draft.public()
    data["sources"] = len(draft.sources)
    return data


def review_meta(view: DraftView) -> dict[str, Any]:
    """What a draft card keeps about its saved draft, to submit it without a lost update."""
    return {
        "id": view.id,
        "state": view.state,
        "version": view.version,
        "row_version": view.row_version,
    }


def _length(text: str, platform: str | None) -> int:
    return count_chars(text, PLATFORMS[platform]) if platform in PLATFORMS else len(text)


def count_line(length: int, limit: int | None, platform: str | None, tr: Translator) -> str:
    """The character count against the platform's limit, with a clear over/under mark."""
    if not limit:
        return tr("{n} characters", n=length)
    p = PLATFORMS.get(platform or "")
    how = (
        tr(" (counted as {name} counts them)", name=md(p.name))
        if p and (p.weighted or p.link_chars)
        else ""
    )
    if length <= limit:
        return tr(
            "🟢 **{n} / {limit}** characters{how} · fits, {left} left",
            n=length,
            limit=limit,
            how=how,
            left=limit - length,
        )
    return tr(
        "🔴 **{n} / {limit}** characters{how} · **too long: {over} over the limit**",
        n=length,
        limit=limit,
        how=how,
        over=length - limit,
    )


def _card_title(kind: str, platform: str | None, variant: int, tr: Translator) -> str:
    name = PLATFORMS[platform].name if platform in PLATFORMS else None
    if kind == "reply":
        return tr("**Reply {n}**", n=variant) + (f" · {md(name)}" if name else "")
    return tr("**{name} · variant {n}**", name=md(name or tr("Post")), n=variant)


def draft_header(meta: dict[str, Any], text: str | None, tr: Translator) -> str:
    """Markdown for a finished draft: what it is, its count, notes and provenance.

    `text` is the text as the user edited it, if they did; the count follows it.
    """
    if not meta or "kind" not in meta:
        return ""
    platform = meta.get("platform")
    title = _card_title(meta["kind"], platform, meta.get("variant", 1), tr)
    title += f" · {md(str(meta.get('language', '')).upper())}"
    edited = text is not None and text != meta.get("text")
    length = _length(text, platform) if edited and text is not None else meta.get("length") or 0
    lines = [
        title,
        count_line(length, meta.get("limit"), platform, tr) + (tr(" · edited") if edited else ""),
    ]
    verdict = check_line(meta.get("check"), tr)
    if verdict:  # the verdict of the text as last checked; its findings are folded below
        lines.append(md(verdict) if "error" in (meta.get("check") or {}) else verdict)
    if meta.get("notes"):
        lines.append(tr("Notes: ") + "; ".join(md(tr.error(n)) for n in meta["notes"]))
    lines.append(_provenance(meta, tr))
    review = review_line(meta.get("review") or {}, tr)
    if review:
        lines.append(review)
    return "\n".join(lines)


def _provenance(meta: dict[str, Any], tr: Translator) -> str:
    """Which model and prompt wrote the draft, how fast, from how many sources."""
    prompt = meta.get("prompt") or {}
    return " · ".join(
        md(x)
        for x in (
            f"{meta.get('backend')} / {meta.get('model')}",
            tr(
                "prompt {template} @ {sha}",
                template=prompt.get("template"),
                sha=str(prompt.get("sha256", ""))[:12],
            ),
            tr("{s} s", s=tr.number(meta.get("elapsed_s") or 0, 1)),
            tr("{n} tokens", n=meta.get("tokens") or 0),
            tr("{n} sources", n=meta.get("sources", 0)),
        )
    )


def review_line(review: dict[str, Any], tr: Translator) -> str:
    """Where a card's draft stands in review: its number and state, or why it was not saved."""
    if review.get("id"):
        state = str(review.get("state") or "draft")
        hint = REVIEW_HINTS.get(state, "see the Review tab")
        return tr(
            "📝 Draft **{number}** · **{state}** · {hint}",
            number=md("#" + str(review["id"])),
            state=md(tr(state.replace("_", " "))),
            hint=md(tr(hint)),
        )
    if review.get("unsaved"):
        return f"⚠️ {md(tr.error(review['unsaved']))}"
    return ""


def writing_header(platform: str | None, variant: int, kind: str, tr: Translator) -> str:
    """A card's header while its draft is being written."""
    return f"{_card_title(kind, platform, variant, tr)} · {tr('✍️ writing…')}"


def sources_frame(draft: Draft, tr: Translator) -> pd.DataFrame:
    """The guideline passages and past examples a draft was written from."""
    return frame(
        [
            [
                tr(s.kind.value),
                s.title or s.id,
                s.excerpt,
                round(s.score, 3) if s.score is not None else None,
            ]
            for s in draft.sources
        ],
        SOURCE_COLUMNS,
        tr,
    )
