"""The Calendar tab: a week of scheduled and published posts, a row per day, in the
user's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import gradio as gr

from cmassist.domain.textutil import excerpt
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.layout import PRIVATE, L
from cmassist.interfaces.web.render import md, platform_name
from cmassist.interfaces.web.request import translator, username
from cmassist.interfaces.web.times import WEEK_DAYS, day_label, monday, read_zone
from cmassist.services.scheduling import CalendarEntry


class CalendarHandlers(TabHandlers):
    """The week shown, and the moves to the weeks around it."""

    def calendar(
        self,
        day: str | None,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """A week of scheduled and published posts, a row per day, in the user's time zone."""
        return self._calendar(day, zone, request, 0)

    def calendar_previous(
        self, day: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        return self._calendar(day, zone, request, -1)

    def calendar_next(
        self, day: str | None, zone: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        return self._calendar(day, zone, request, 1)

    def calendar_this_week(
        self,
        zone: str | None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        return self._calendar(None, zone, request, 0)

    @user_errors
    def _calendar(
        self, day: str | None, zone: str | None, request: gr.Request | None, weeks: int
    ) -> tuple[Any, ...]:
        tr = translator(request)
        if not username(request):
            return (tr("Log in to see the calendar."), *[gr.skip()] * WEEK_DAYS, day or "")
        self.actor(request)
        tz = read_zone(zone)
        review = self.services.review
        today = review.now().astimezone(tz).date()
        start = monday(day, today) + timedelta(weeks=weeks)
        begin = datetime(start.year, start.month, start.day, tzinfo=tz)
        end_day = start + timedelta(days=7)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
        posts = review.calendar(begin, end)
        days: dict[date, list[str]] = {start + timedelta(days=i): [] for i in range(WEEK_DAYS)}
        for post in posts:
            local = post.due_at.astimezone(tz)
            if local.date() in days:
                days[local.date()].append(_line(post, local, tr))
        # A text box per day: each post on its own line, shown as plain text.
        boxes = [
            gr.update(
                label=f"{day_label(d, tr)} · "
                + (tr("{n} post", n=1) if len(lines) == 1 else tr("{n} posts", n=len(lines))),
                value="\n".join(lines) or "–",
            )
            for d, lines in days.items()
        ]
        count = tr("{n} post", n=1) if len(posts) == 1 else tr("{n} posts", n=len(posts))
        title = tr(
            "**Week of {first}** to {last} · {count} · times in {zone}",
            first=md(day_label(start, tr, year=True)),
            last=md(day_label(end_day - timedelta(days=1), tr, year=True)),
            count=count,
            zone=md(tz.key),
        )
        if review.is_paused():
            title += tr(" · ⏸️ **publishing is paused**: nothing goes out until an admin resumes it")
        return (title, *boxes, start.isoformat())


def _line(post: CalendarEntry, local: datetime, tr: Translator) -> str:
    return " · ".join(
        (
            f"{local:%H:%M}",
            f"#{post.draft_id}",
            post.brand,
            platform_name(post.platform),
            ", ".join(post.adapters),
            "/".join(sorted({tr(state) for state in post.states})),
            excerpt(post.text, 90),
        )
    )


def calendar_tab(app: gr.Blocks, h: CalendarHandlers, zone: gr.Dropdown) -> None:
    """The Calendar tab: a week of scheduled and published posts, a row per day."""
    with gr.Tab(L("Calendar")) as tab:
        with gr.Row(equal_height=False):
            previous = gr.Button(L("← Previous week"), size="md")
            this_week = gr.Button(L("This week"), size="md")
            following = gr.Button(L("Next week →"), size="md")
            week = gr.Textbox(
                label=L("Week of"),
                placeholder=L("any day, YYYY-MM-DD, then Enter"),
                max_lines=1,
                scale=2,
                elem_id="calendar-week",
            )
        title = gr.Markdown(latex_delimiters=[])
        days = [
            gr.Textbox(label=L(name), interactive=False, lines=1, max_lines=12)
            for name in (
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            )
        ]
    out = [title, *days, week]
    gr.on([app.load, this_week.click], h.calendar_this_week, [zone], out, **PRIVATE)
    gr.on([tab.select, week.submit, zone.change], h.calendar, [week, zone], out, **PRIVATE)
    previous.click(h.calendar_previous, [week, zone], out, **PRIVATE)
    following.click(h.calendar_next, [week, zone], out, **PRIVATE)
