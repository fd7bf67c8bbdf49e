"""The Knowledge tab: files ingested into a brand's store (guidelines, past posts and
replies) with every problem reported, the store browsed page by page, searched, and the
brand's fact sheet (the facts read from its guidelines, by kind, each with its passage)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import CmassistError, InputError
from cmassist.domain.factsheet import FACT_KINDS, FactSource, weekday_name
from cmassist.domain.models import Kind
from cmassist.domain.textutil import excerpt
from cmassist.interfaces.i18n import Translator
from cmassist.interfaces.web.base import TabHandlers
from cmassist.interfaces.web.errors import user_errors
from cmassist.interfaces.web.inputs import PLURALS, read_kind, read_text, read_whole, to_int
from cmassist.interfaces.web.layout import L, table
from cmassist.interfaces.web.render import frame
from cmassist.interfaces.web.request import translator
from cmassist.services.ingest import DATA_SUFFIXES, GUIDELINE_SUFFIXES, IngestReport, ingest

if TYPE_CHECKING:  # only an annotation: the record a store's browse and search return
    from cmassist.services.ports.store import Hit

KINDS = [
    ("all", "all"),
    ("guidelines", Kind.GUIDELINE.value),
    ("posts", Kind.POST.value),
    ("replies", Kind.REPLY.value),
]
UPLOAD_SUFFIXES = sorted(GUIDELINE_SUFFIXES | DATA_SUFFIXES)
RECORD_COLUMNS = ["id", "kind", "platform / heading", "language", "date", "source", "text", "reply"]
SEARCH_COLUMNS = ["score", *RECORD_COLUMNS]
RECORD_WIDTHS = ["12%", "8%", "14%", "6%", "8%", "10%", "26%", "16%"]
SEARCH_WIDTHS = ["6%", "10%", "7%", "13%", "5%", "8%", "9%", "27%", "15%"]
FILE_COLUMNS = [
    "file",
    "kind",
    "brand",
    "added",
    "updated",
    "unchanged",
    "rejected",
    "removed",
    "error",
]
PROBLEM_COLUMNS = ["file", "row", "field", "problem"]
FACT_COLUMNS = ["kind", "fact", "details", "source", "heading"]
FACT_WIDTHS = ["9%", "20%", "41%", "10%", "20%"]
FACT_CHOICES = [("all", "all"), *((k, k) for k in FACT_KINDS)]
# Delay units as the fact sheet keys them (those of `cmassist.domain.grounding`).
UNITS = {
    "min": "minutes",
    "h": "hours",
    "d": "days",
    "bd": "business days",
    "w": "weeks",
    "mo": "months",
    "y": "years",
}


class KnowledgeHandlers(TabHandlers):
    """Ingest, browse and search a brand's store."""

    @user_errors
    def ingest_files(
        self,
        files: list[str] | str | None,
        new_brand: str | None,
        kind: str,
        brand: str | None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        """Ingest uploaded files into the selected brand, or a new one; report every problem.

        Gradio 6 keeps an upload's name (`<cache>/<sha256>/<name>`, with only characters
        unsafe for a file system removed), and ingest names a file's records after its name,
        so the original names are the source names.
        """
        tr = translator(request)
        paths = _uploads(files)
        name = (new_brand or "").strip() or brand
        if not name:
            raise InputError("no brand to ingest into", "select a brand, or type a new brand name")
        target = brand_slug(name)  # a new brand is created by ingest
        kind_arg = None if kind in (None, "", "auto") else kind

        def tick(done: int, total: int) -> None:
            progress((done, total), desc=tr("Embedding records"), unit=tr("records"))

        progress(0, desc=tr("Reading files"))
        report = ingest(self.services.store, paths, brand=target, kind=kind_arg, progress=tick)
        files_rows, problem_rows = _ingest_rows(report, target, tr)
        summary = tr("{summary} · brand {brand}", summary=tr.error(report.summary()), brand=target)
        if problem_rows:
            summary = tr(
                "⚠️ {summary}. Some rows or files were not ingested: see the problems "
                "below; the good rows are in.",
                summary=summary,
            )
        else:
            summary = f"✅ {summary}."
        return (
            summary,
            frame(files_rows, FILE_COLUMNS, tr),
            frame(problem_rows, PROBLEM_COLUMNS, tr),
            self.brand_choices(target),
        )

    @user_errors
    def browse(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        """One page of what the brand's store holds."""
        tr = translator(request)
        slug = self.brand(brand)
        size = read_whole(limit, "the page size", 1, 500)
        start = read_whole(offset, "the offset", 0, 10**9)
        store = self.services.store
        only = read_kind(kind)
        total = store.count(slug, only)
        hits = store.browse(slug, kind=only, limit=size, offset=start)
        rows = [_record_row(h, tr) for h in hits]
        what = tr(PLURALS[only.value] if only else "records")
        if not hits:
            page = tr(
                "No {what} from {first} (there are {total}).",
                what=what,
                first=start + 1,
                total=total,
            )
        else:
            page = tr(
                "{what} {first}–{last} of {total}",
                what=what.capitalize(),
                first=start + 1,
                last=start + len(hits),
                total=total,
            )
        return frame(rows, RECORD_COLUMNS, tr), page, start

    def browse_first(
        self,
        kind: str,
        limit: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        """The first page, after the brand changed; quiet when there is no brand yet."""
        if not brand:
            tr = translator(request)
            return frame([], RECORD_COLUMNS, tr), tr("No brand selected."), 0
        return self.browse(kind, limit, 0, brand, request)

    def browse_next(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        step = to_int(limit, 50)
        start = to_int(offset, 0)
        total = self._total(kind, brand or "")
        nxt = start + step if start + step < total else start
        return self.browse(kind, limit, nxt, brand, request)

    def browse_previous(
        self,
        kind: str,
        limit: float,
        offset: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> tuple[pd.DataFrame, str, int]:
        back = max(0, to_int(offset, 0) - to_int(limit, 50))
        return self.browse(kind, limit, back, brand, request)

    def _total(self, kind: str, brand: str) -> int:
        try:
            return self.services.store.count(brand, read_kind(kind))
        except CmassistError:
            return 0  # browse() says what is wrong

    @user_errors
    def facts(
        self, kind: str, brand: str | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, str]:
        """The brand's fact sheet, one row per fact grouped by kind, each with the file and
        heading of the passage it was read from."""
        tr = translator(request)
        slug = self.brand(brand)
        sheet = self.services.checker.profile(slug).factsheet
        kinds = [k for k in FACT_KINDS if kind in (None, "", "all", k)]
        rows = [
            [tr(k), *fact_cells(k, r, tr), *_where(r.source)]
            for k in kinds
            for r in sheet.of_kind(k)
        ]
        counts = ", ".join(f"{tr(k)} {tr.number(n)}" for k, n in sheet.counts().items())
        if not len(sheet):
            return frame([], FACT_COLUMNS, tr), tr(
                "No facts read from this brand's guidelines yet."
            )
        return frame(rows, FACT_COLUMNS, tr), tr(
            "**{n}** facts read from the guidelines: {counts}", n=len(sheet), counts=counts
        )

    def facts_first(
        self, kind: str, brand: str | None, request: gr.Request | None = None
    ) -> tuple[pd.DataFrame, str]:
        """The fact sheet, after the brand changed; quiet when there is no brand yet."""
        if not brand:
            tr = translator(request)
            return frame([], FACT_COLUMNS, tr), tr("No brand selected.")
        return self.facts(kind, brand, request)

    @user_errors
    def search(
        self,
        query: str,
        kind: str,
        k: float,
        brand: str | None,
        request: gr.Request | None = None,
    ) -> pd.DataFrame:
        """The records most similar to a query, best first, with their similarity."""
        tr = translator(request)
        text = read_text(
            query, "query", self.services.settings.max_brief_chars, "type words to search for"
        )
        n = read_whole(k, "the number of results", 1, 50)
        slug = self.brand(brand)
        hits = self.services.store.search(slug, text, kind=read_kind(kind), k=n)
        rows = [[round(h.score or 0.0, 3), *_record_row(h, tr)] for h in hits]
        return frame(rows, SEARCH_COLUMNS, tr)


def _uploads(files: list[str] | str | None) -> list[Path]:
    """The uploaded files, each of a kind ingest reads and each name once."""
    paths = [Path(str(f)) for f in ([files] if isinstance(files, str) else files or [])]
    if not paths:
        raise InputError(
            "no files to ingest",
            f"upload guideline or data files ({', '.join(UPLOAD_SUFFIXES)})",
        )
    bad = [p.name for p in paths if p.suffix.lower() not in UPLOAD_SUFFIXES]
    if bad:
        raise InputError(
            f"cannot ingest {', '.join(bad)}", f"upload {', '.join(UPLOAD_SUFFIXES)} files only"
        )
    names = [p.name for p in paths]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(
            f"two files are named {twice[0]}",
            "file names are the source names: rename one, or upload separately",
        )
    return paths


def _ingest_rows(
    report: IngestReport, target: str, tr: Translator
) -> tuple[list[list[Any]], list[list[Any]]]:
    """The report's files and problems as table rows; files named as the user knows them."""
    # Errors name the file by its path: show the name the user knows.
    errors = {f.path: (f.error or "").replace(f.path, Path(f.path).name) for f in report.files}
    files_rows = [
        [
            Path(f.path).name,
            tr(f.kind),
            f.brand or target,
            f.added,
            f.updated,
            f.unchanged,
            f.rejected,
            f.removed,
            tr.error(errors[f.path]),
        ]
        for f in report.files
    ]
    problem_rows = [
        [p.file, p.row, p.field or "", tr.error(p.message)]
        for f in report.files
        for p in f.problems
    ]
    problem_rows += [
        [Path(f.path).name, None, "", tr.error(errors[f.path])] for f in report.files if f.error
    ]
    return files_rows, problem_rows


def _record_row(hit: Hit, tr: Translator) -> list[Any]:
    m = hit.metadata
    # A guideline's heading is its path in the document; the last part names the passage.
    label = (
        m.get("platform")
        if hit.kind in (Kind.POST, Kind.REPLY)
        else str(m.get("heading") or "").split(" > ")[-1]
    )
    reply = excerpt(str(m.get("reply", "")), 200) if hit.kind == Kind.REPLY else ""
    return [
        hit.id,
        tr(hit.kind.value),
        str(label or ""),
        str(m.get("language") or ""),
        str(m.get("date") or "")[:10],
        str(m.get("source") or ""),
        excerpt(hit.text, 240),
        reply,
    ]


def fact_cells(kind: str, record: Any, tr: Translator) -> list[str]:
    """A fact as the table shows it: what it is about, and what it says."""
    if kind == "hours":
        day = weekday_name(record.day, tr.lang)
        season = f" ({record.season})" if record.season else ""
        when = f"{record.opens}–{record.closes}" if record.opens else tr("closed")
        return [record.place, f"{day}{season}: {when}"]
    if kind == "prices":
        amount = f"{record.amount} {record.currency}".strip()
        return [record.product, f"{amount} ({record.qualifier})" if record.qualifier else amount]
    if kind == "delays":
        span = f"{record.low:g}" if record.low == record.high else f"{record.low:g}–{record.high:g}"
        return [record.subject, f"{span} {tr(UNITS.get(record.unit, record.unit))}"]
    if kind == "policies":
        said = [
            tr("allows: {keys}", keys=", ".join(record.allows)) if record.allows else "",
            tr("forbids: {keys}", keys=", ".join(record.forbids)) if record.forbids else "",
        ]
        return [record.topic, " · ".join([*(x for x in said if x), excerpt(record.text, 200)])]
    if kind == "addresses":
        return [record.place, record.address]
    if kind == "contacts":
        return [f"{tr(record.kind)} {record.value}", record.purpose]
    aliases = tr("also: {aliases}", aliases=", ".join(record.aliases)) if record.aliases else ""
    return [record.name, " · ".join(x for x in (tr(record.kind), aliases) if x)]


def _where(source: FactSource | None) -> list[str]:
    if source is None:
        return ["", ""]
    return [source.source, source.heading.split(" > ")[-1]]


# -- layout -----------------------------------------------------------------------------------


@dataclass
class Browse:
    """The Browse tab's first page, which the header's brand picker refreshes."""

    first_page: Callable[..., Any]
    inputs: list[Any]
    outputs: list[Any]


def knowledge_tab(h: KnowledgeHandlers, brand: gr.Dropdown, brand_info: gr.Markdown) -> Browse:
    """The Knowledge tab: Upload, Browse and Search."""
    with gr.Tab(L("Knowledge")), gr.Tabs():
        with gr.Tab(L("Upload")), gr.Row():
            _upload(h, brand, brand_info)
        with gr.Tab(L("Browse")):
            browse = _browse(h, brand)
        with gr.Tab(L("Search")):
            _search(h, brand)
        with gr.Tab(L("Facts")):
            _facts(h, brand)
    return browse


def _upload(h: KnowledgeHandlers, brand: gr.Dropdown, brand_info: gr.Markdown) -> None:
    with gr.Column(scale=2, min_width=340):
        files = gr.File(
            label=L("Guidelines (.md), past posts or replies (.csv, .json, .jsonl)"),
            file_count="multiple",
            file_types=UPLOAD_SUFFIXES,
        )
        new_brand = gr.Textbox(
            label=L("Into a new brand (optional)"),
            placeholder=L("e.g. boreale-qc: lowercase letters, digits, dashes"),
            info=L("Leave empty to ingest into the brand selected at the top"),
        )
        data_kind = gr.Radio(
            L.choices(
                [
                    ("from the columns", "auto"),
                    ("posts", "posts"),
                    ("replies", "replies"),
                    ("guidelines", "guidelines"),
                ]
            ),
            value="auto",
            label=L("Kind of data files"),
        )
        ingest_btn = gr.Button(L("Ingest"), variant="primary")
    with gr.Column(scale=3):
        summary = gr.Textbox(label=L("Summary"), interactive=False, lines=2)
        files_table = table(
            FILE_COLUMNS,
            "Files",
            FILE_COLUMNS[3:8],
            column_widths=["20%", "9%", "10%"] + ["8%"] * 5 + ["21%"],
        )
        problems = table(
            PROBLEM_COLUMNS,
            "Problems (rows not ingested)",
            ["row"],
            column_widths=["20%", "7%", "13%", "60%"],
        )
    ingest_btn.click(
        h.ingest_files,
        [files, new_brand, data_kind, brand],
        [summary, files_table, problems, brand],
        api_name="ingest",
        concurrency_limit=1,
        concurrency_id="ingest",
    ).then(h.brand_info, brand, brand_info, api_visibility="private")  # counts changed


def _browse(h: KnowledgeHandlers, brand: gr.Dropdown) -> Browse:
    with gr.Row(equal_height=True):
        kind = gr.Radio(L.choices(KINDS), value="all", label=L("Kind"), scale=3)
        page_size = gr.Dropdown([10, 25, 50, 100], value=25, label=L("Per page"), scale=1)
        offset = gr.Number(0, precision=0, minimum=0, label=L("Offset"), scale=1)
    with gr.Row():
        previous_btn = gr.Button(L("← Previous"), size="sm")
        show_btn = gr.Button(L("Show"), variant="primary", size="sm")
        next_btn = gr.Button(L("Next →"), size="sm")
    page_info = gr.Markdown(latex_delimiters=[])
    records = table(
        RECORD_COLUMNS,
        "Records",
        relabel=False,
        max_height=700,
        column_widths=RECORD_WIDTHS,
    )
    inputs = [kind, page_size, offset, brand]
    outputs = [records, page_info, offset]
    gr.on(
        [show_btn.click, kind.change, page_size.change, offset.submit],
        h.browse,
        inputs,
        outputs,
        api_name="browse",
    )
    next_btn.click(h.browse_next, inputs, outputs, api_visibility="private")
    previous_btn.click(h.browse_previous, inputs, outputs, api_visibility="private")
    return Browse(h.browse_first, [kind, page_size, brand], outputs)


def _search(h: KnowledgeHandlers, brand: gr.Dropdown) -> None:
    with gr.Row(equal_height=True):
        query = gr.Textbox(label=L("Search"), scale=4, placeholder=L("e.g. 'late delivery'"))
        kind = gr.Radio(L.choices(KINDS), value="all", label=L("Kind"), scale=3)
        k = gr.Slider(1, 50, value=10, step=1, precision=0, label=L("Results"), scale=2)
    search_btn = gr.Button(L("Search"), variant="primary")
    results = table(
        SEARCH_COLUMNS,
        "Results",
        ["score"],
        max_height=700,
        column_widths=SEARCH_WIDTHS,
    )
    gr.on(
        [search_btn.click, query.submit],
        h.search,
        [query, kind, k, brand],
        results,
        api_name="search",
    )


def _facts(h: KnowledgeHandlers, brand: gr.Dropdown) -> None:
    with gr.Row(equal_height=True):
        kind = gr.Radio(L.choices(FACT_CHOICES), value="all", label=L("Kind of fact"), scale=4)
        show_btn = gr.Button(L("Show the fact sheet"), variant="primary", scale=1)
    summary = gr.Markdown(latex_delimiters=[])
    facts = table(
        FACT_COLUMNS,
        "Fact sheet",
        relabel=False,
        max_height=700,
        column_widths=FACT_WIDTHS,
    )
    gr.on([show_btn.click, kind.change], h.facts, [kind, brand], [facts, summary], api_name="facts")
    brand.change(h.facts_first, [kind, brand], [facts, summary], api_visibility="private")
