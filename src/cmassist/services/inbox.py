"""The inbox: incoming comments, mentions and direct messages, imported, triaged and worked.

Messages arrive from CSV, JSON or JSONL files (`cmassist inbox import`) or one at a time
through the HTTP endpoint (`cmassist.interfaces.http.inbox_api`). The schema, for both:

    id        required  the platform's id of the message; unique per brand (idempotency key)
    platform  required  instagram, facebook, x, linkedin, tiktok, ... (`cmassist platforms`)
    text      required  the message, at most 100,000 characters
    time      required  ISO 8601, e.g. 2025-11-15T08:30:00-05:00 (no zone: UTC)
    author    optional  the author's handle or name
    thread    optional  the post or thread it answers
    kind      optional  comment (default), mention or dm
    brand     optional  defaults to the import's brand

Importing is idempotent: a message whose id is already in the inbox with the same content
is skipped; the same id with other content is an error. A file with a bad row imports
nothing (or, with `skip_bad`, everything else) and each bad row is named on one line with
all its bad fields. A text with U+FFFD replacement characters (emoji broken by an earlier
tool) is damaged, not binary: it is imported without them and counted as repaired.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmassist.adapters.db.schema import CrisisRow, InboxRow
from cmassist.domain.errors import FileFormatError, InputError, NotFoundError
from cmassist.domain.platforms import PLATFORMS
from cmassist.adapters.store import brand_slug
from cmassist.domain.textmatch import FUNCTION_WORDS
from cmassist.domain.textutil import (
    REPLACEMENT_CHAR,
    looks_binary,
    sha256,
    strip_replacement_chars,
)

MAX_MESSAGE_CHARS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024
KINDS = ("comment", "mention", "dm")
STATUSES = ("new", "handled", "hidden")
_ALIASES = {
    "id": ("id", "message_id", "comment_id", "external_id"),
    "platform": ("platform", "network", "plateforme", "réseau", "reseau"),
    "text": ("text", "message", "body", "comment", "content", "texte", "contenu"),
    "time": ("time", "created_at", "date", "timestamp", "datetime", "heure"),
    "author": ("author", "user", "username", "handle", "from", "auteur"),
    "thread": ("thread", "post", "post_id", "in_reply_to", "parent", "fil", "publication"),
    "kind": ("kind", "type"),
    "brand": ("brand", "marque"),
}


class IncomingMessage(BaseModel):
    id: str
    platform: str
    text: str
    time: datetime
    author: str = ""
    thread: str = ""
    kind: str = "comment"
    brand: str = ""

    @property
    def content_hash(self) -> str:
        return sha256(
            "\x1f".join([self.platform, self.author, self.text, self.time.isoformat(), self.thread])
        )


@dataclass
class RowError:
    """What is wrong with one row: one field, or (`parts`) every bad field of the row."""

    where: str  # "comments.csv: row 4"
    field: str  # "time, platform" when several fields are bad
    problem: str
    parts: tuple[tuple[str, str], ...] = ()  # (field, problem) when several are bad

    def __str__(self) -> str:
        if self.parts:
            return f"{self.where}, " + "; ".join(f"field {f!r}: {p}" for f, p in self.parts)
        return f"{self.where}, field {self.field!r}: {self.problem}"

    @classmethod
    def merge(cls, errors: Sequence[RowError]) -> RowError:
        """One error, on one line, for all the bad fields of a row."""
        if len(errors) == 1:
            return errors[0]
        return cls(
            errors[0].where,
            ", ".join(e.field for e in errors),
            "; ".join(f"{e.field}: {e.problem}" for e in errors),
            tuple((e.field, e.problem) for e in errors),
        )


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # inbox row ids
    skipped: int = 0  # already in the inbox, same content
    errors: list[RowError] = field(default_factory=list)  # one per bad row
    total: int = 0
    repaired: int = 0  # good rows whose text lost its U+FFFD replacement characters

    def public(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "added": len(self.added),
            "skipped_duplicates": self.skipped,
            "repaired": self.repaired,
            "errors": [str(e) for e in self.errors],
        }


# -- validation ----------------------------------------------------------------------------


def _pick(raw: dict[str, Any], name: str) -> Any:
    lowered = {str(k).strip().casefold(): v for k, v in raw.items()}
    for alias in _ALIASES[name]:
        if alias in lowered:
            return lowered[alias]
    return None


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError("not a time")
        dt = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError("missing")
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def validate_message(
    raw: Any, where: str, default_brand: str = ""
) -> tuple[IncomingMessage | None, list[RowError]]:
    """One message from a decoded row, or the errors naming each bad field."""
    if not isinstance(raw, dict):
        return None, [
            RowError(where, "*", f"expected an object with fields, got {type(raw).__name__}")
        ]
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    ident = _pick(raw, "id")
    if isinstance(ident, int | float) and not isinstance(ident, bool):
        ident = str(int(ident)) if float(ident).is_integer() else str(ident)
    if not isinstance(ident, str) or not ident.strip():
        errors.append(RowError(where, "id", "missing (give each message its platform id)"))
    elif len(ident.strip()) > 200:
        errors.append(RowError(where, "id", "longer than 200 characters"))
    else:
        values["id"] = ident.strip()
    platform = _pick(raw, "platform")
    key = str(platform or "").strip().casefold()
    key = {"twitter": "x", "ig": "instagram", "fb": "facebook"}.get(key, key)
    if not key:
        errors.append(RowError(where, "platform", f"missing (use one of {', '.join(PLATFORMS)})"))
    elif key not in PLATFORMS:
        errors.append(
            RowError(
                where,
                "platform",
                f"unknown platform {str(platform)[:40]!r} (use one of {', '.join(PLATFORMS)})",
            )
        )
    else:
        values["platform"] = key
    text = _pick(raw, "text")
    runs = 0
    if isinstance(text, str) and not looks_binary(text):
        # Emoji broken by an earlier tool: damaged text, kept without the U+FFFD runs.
        text, runs = strip_replacement_chars(text)
    if not isinstance(text, str) or not text.strip():
        errors.append(
            RowError(
                where,
                "text",
                "empty once its broken characters (U+FFFD) are removed (a message needs text)"
                if runs
                else "empty (a message needs its text)",
            )
        )
    elif len(text) > MAX_MESSAGE_CHARS:
        errors.append(
            RowError(
                where,
                "text",
                f"{len(text):,} characters; the inbox takes at most {MAX_MESSAGE_CHARS:,}",
            )
        )
    elif looks_binary(text):
        errors.append(
            RowError(
                where, "text", "looks binary (NUL or control characters): send plain UTF-8 text"
            )
        )
    else:
        values["text"] = unicodedata.normalize("NFC", text.strip())
    try:
        values["time"] = parse_time(_pick(raw, "time"))
    except (ValueError, TypeError, OverflowError, OSError):
        errors.append(
            RowError(
                where,
                "time",
                f"{str(_pick(raw, 'time'))[:40]!r} is not a time "
                "(use ISO 8601, e.g. 2025-11-15T08:30:00-05:00)",
            )
        )
    for name, limit in (("author", 200), ("thread", 200)):
        v = _pick(raw, name)
        if v is None:
            continue
        if not isinstance(v, str | int):
            errors.append(RowError(where, name, "must be text"))
        elif len(str(v)) > limit:
            errors.append(RowError(where, name, f"longer than {limit} characters"))
        else:
            values[name] = str(v).strip()
    kind = str(_pick(raw, "kind") or "comment").strip().casefold()
    kind = {"message": "dm", "direct": "dm", "direct_message": "dm", "reply": "comment"}.get(
        kind, kind
    )
    if kind not in KINDS:
        errors.append(
            RowError(where, "kind", f"unknown kind {kind[:30]!r} (use comment, mention or dm)")
        )
    values["kind"] = kind
    brand = _pick(raw, "brand") or default_brand
    values["brand"] = brand_slug(str(brand)) if brand else ""
    if not values["brand"]:
        errors.append(RowError(where, "brand", "missing (pass --brand or give a brand column)"))
    if errors:
        return None, errors
    return IncomingMessage(**values), []


def read_rows(data: bytes, name: str) -> list[tuple[str, Any]]:
    """(where, decoded row) for each row of a CSV, JSON or JSONL file."""
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError(
            f"{name} is {len(data) / 1e6:.0f} MB; "
            f"the inbox imports files of at most {MAX_FILE_BYTES // 2**20} MB",
            "split the file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileFormatError(
            f"{name}: line {line} is not UTF-8", "save the file as UTF-8"
        ) from None
    if "\x00" in text:
        raise FileFormatError(f"{name} looks binary", "export the messages as CSV, JSON or JSONL")
    suffix = Path(name).suffix.casefold()
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append((f"{name}: line {i}", json.loads(line)))
            except json.JSONDecodeError as e:
                rows.append((f"{name}: line {i}", _Bad(f"not valid JSON ({e.msg})")))
        return rows
    if suffix == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise FileFormatError(
                f"{name}: line {e.lineno}: not valid JSON ({e.msg})", "fix the JSON"
            ) from None
        if isinstance(doc, dict):
            doc = doc.get("messages", doc.get("comments", [doc]))
        if not isinstance(doc, list):
            raise FileFormatError(f"{name}: expected a list of messages", 'use [{"id": ...}, ...]')
        return [(f"{name}: item {i}", row) for i, row in enumerate(doc, 1)]
    if suffix in (".csv", ".tsv", ".txt"):
        try:
            dialect = (
                csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
                if suffix != ".tsv"
                else csv.excel_tab
            )
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        if not reader.fieldnames:
            raise FileFormatError(
                f"{name} is empty", "add a header row: id,platform,author,text,time,thread"
            )
        rows = []
        for row in reader:
            where = f"{name}: row {reader.line_num}"
            if None in row:  # more cells than headers
                rows.append((where, _Bad(f"{len(row[None])} cells more than the header has")))
                continue
            rows.append((where, {k: v for k, v in row.items() if k is not None}))
        return rows
    raise FileFormatError(
        f"{name}: unknown file type {suffix or '(none)'!r}", "use .csv, .json or .jsonl"
    )


@dataclass
class _Bad:
    problem: str


# -- the service ---------------------------------------------------------------------------


class MessageView(BaseModel):
    id: int
    brand: str
    external_id: str
    platform: str
    kind: str
    author: str
    text: str
    thread: str
    received_at: datetime
    status: str
    priority: int
    action: str
    sentiment: str
    language: str
    topic: str
    triage: dict[str, Any] | None
    draft_id: int | None
    handled_by: str


class AlertView(BaseModel):
    id: int
    brand: str
    topic: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    reason: str
    message_ids: list[int]
    status: str
    raised_at: datetime
    draft_ids: list[int]


# (brand, texts) -> triage dicts (Triage.public()), one per text
TriageFn = Callable[[str, Sequence[str]], list[dict[str, Any]]]


class InboxService:
    """Inbox rows in the review store (same database, same transactions, same audit log)."""

    def __init__(
        self, review: Any, triage: TriageFn | None = None, *, crisis: CrisisPolicy | None = None
    ) -> None:
        self.review = review
        self.triage_fn = triage
        self.crisis = crisis or CrisisPolicy()

    # -- intake ----------------------------------------------------------------------------

    def import_bytes(
        self,
        data: bytes,
        name: str,
        *,
        brand: str = "",
        skip_bad: bool = False,
        source: str | None = None,
    ) -> ImportReport:
        rows = read_rows(data, name)
        if not rows:
            raise FileFormatError(f"{name} has no messages", "add at least one row")
        return self.add_rows(rows, brand=brand, skip_bad=skip_bad, source=source or Path(name).name)

    def import_file(
        self, path: str | Path, *, brand: str = "", skip_bad: bool = False
    ) -> ImportReport:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{p}: no such file", "give the path of a CSV, JSON or JSONL file")
        return self.import_bytes(
            p.read_bytes(), str(p), brand=brand, skip_bad=skip_bad, source=p.name
        )

    def add_rows(
        self,
        rows: Iterable[tuple[str, Any]],
        *,
        brand: str = "",
        skip_bad: bool = False,
        source: str = "",
    ) -> ImportReport:
        report = ImportReport()
        good: list[tuple[str, IncomingMessage]] = []
        seen: dict[tuple[str, str], tuple[str, str]] = {}
        for where, raw in rows:
            report.total += 1
            if isinstance(raw, _Bad):
                report.errors.append(RowError(where, "*", raw.problem))
                continue
            msg, errs = validate_message(raw, where, brand)
            if errs or msg is None:
                report.errors.append(RowError.merge(errs))
                continue
            if REPLACEMENT_CHAR in str(_pick(raw, "text")):
                report.repaired += 1
            key = (msg.brand, msg.id)
            if key in seen:
                first_where, first_hash = seen[key]
                if first_hash != msg.content_hash:
                    report.errors.append(
                        RowError(
                            where,
                            "id",
                            f"duplicate id {msg.id!r} with other content than {first_where}; "
                            "ids must be unique",
                        )
                    )
                else:
                    report.skipped += 1
                continue
            seen[key] = (where, msg.content_hash)
            good.append((where, msg))
        if report.errors and not skip_bad:
            return report  # nothing written
        now = self.review.now()
        with self.review.session() as s:
            existing = self._existing(s, [m for _, m in good])
            for where, msg in good:
                old = existing.get((msg.brand, msg.id))
                if old is not None:
                    if old == msg.content_hash:
                        report.skipped += 1
                        continue
                    report.errors.append(
                        RowError(
                            where,
                            "id",
                            f"id {msg.id!r} is already in the inbox with other content; "
                            "ids must be unique",
                        )
                    )
                    continue
                row = self._row(msg, now, source)
                s.add(row)
                s.flush()
                report.added.append(row.id)
            if report.errors and not skip_bad:
                s.rollback()
                report.added = []
                return report
        return report

    def add_one(
        self, raw: dict[str, Any], *, brand: str = "", source: str = "api"
    ) -> tuple[int, bool]:
        """Store one message durably: (inbox id, created). Raises InputError on a bad one."""
        msg, errs = validate_message(raw, "message", brand)
        if errs or msg is None:
            raise InputError("; ".join(f"field {e.field!r}: {e.problem}" for e in errs))
        with self.review.session() as s:
            old = s.scalar(
                select(InboxRow).where(InboxRow.brand == msg.brand, InboxRow.external_id == msg.id)
            )
            if old is not None:
                if old.text_hash != msg.content_hash:
                    raise InputError(
                        f"id {msg.id!r} is already in the inbox with other content",
                        "ids must be unique per brand",
                    )
                return old.id, False
            row = self._row(msg, self.review.now(), source)
            s.add(row)
            s.flush()
            return row.id, True

    @staticmethod
    def _row(msg: IncomingMessage, now: datetime, source: str) -> InboxRow:
        return InboxRow(
            brand=msg.brand,
            external_id=msg.id,
            platform=msg.platform,
            kind=msg.kind,
            author=msg.author,
            text=msg.text,
            text_hash=msg.content_hash,
            thread=msg.thread,
            received_at=msg.time,
            imported_at=now,
            source=source[:200],
            status="new",
        )

    @staticmethod
    def _existing(s: Session, msgs: Sequence[IncomingMessage]) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        by_brand: dict[str, list[str]] = {}
        for m in msgs:
            by_brand.setdefault(m.brand, []).append(m.id)
        for brand, ids in by_brand.items():
            for i in range(0, len(ids), 500):
                q = select(InboxRow.external_id, InboxRow.text_hash).where(
                    InboxRow.brand == brand, InboxRow.external_id.in_(ids[i : i + 500])
                )
                for ext, h in s.execute(q):
                    out[(brand, ext)] = h
        return out

    # -- triage ----------------------------------------------------------------------------

    def pending(self) -> int:
        with self.review.session() as s:
            return int(
                s.scalar(
                    select(func.count()).select_from(InboxRow).where(InboxRow.triaged_at.is_(None))
                )
                or 0
            )

    def triage_pending(self, *, limit: int = 256) -> list[int]:
        """Triage up to `limit` untriaged messages; returns their ids."""
        if self.triage_fn is None:
            return []
        with self.review.session() as s:
            rows = list(
                s.scalars(
                    select(InboxRow)
                    .where(InboxRow.triaged_at.is_(None))
                    .order_by(InboxRow.id)
                    .limit(limit)
                )
            )
            work = [(r.id, r.brand, r.text) for r in rows]
        done: list[int] = []
        by_brand: dict[str, list[tuple[int, str]]] = {}
        for i, b, t in work:
            by_brand.setdefault(b, []).append((i, t))
        for b, items in by_brand.items():
            results = self.triage_fn(b, [t for _, t in items])
            now = self.review.now()
            with self.review.session() as s:
                for (i, _), tri in zip(items, results, strict=True):
                    row = s.get(InboxRow, i)
                    if row is None:
                        continue
                    row.triage = tri
                    row.triaged_at = now
                    row.priority = int(tri.get("priority", 0))
                    row.action = str(tri.get("action", ""))
                    row.sentiment = str(tri.get("sentiment", ""))
                    row.language = str(tri.get("language", ""))
                    row.topic = str(tri.get("topic") or "")
                    row.negative = (
                        bool(tri.get("complaint"))
                        or tri.get("sentiment") == "negative"
                        or tri.get("urgency") == "high"
                    )
                    done.append(i)
            self.detect_crisis(b)
        return done

    # -- reading ---------------------------------------------------------------------------

    def list(
        self,
        *,
        brand: str | None = None,
        platform: str | None = None,
        action: str | None = None,
        sentiment: str | None = None,
        language: str | None = None,
        status: str | None = "new",
        topic: str | None = None,
        limit: int = 500,
    ) -> list[MessageView]:
        """Messages, most urgent first (priority, then newest)."""
        q = select(InboxRow)
        for col, value in (
            (InboxRow.brand, brand_slug(brand) if brand else None),
            (InboxRow.platform, platform),
            (InboxRow.action, action),
            (InboxRow.sentiment, sentiment),
            (InboxRow.language, language),
            (InboxRow.status, status),
            (InboxRow.topic, topic),
        ):
            if value:
                q = q.where(col == value)
        q = q.order_by(
            InboxRow.priority.desc(), InboxRow.received_at.desc(), InboxRow.id.desc()
        ).limit(limit)
        with self.review.session() as s:
            return [MessageView.model_validate(r, from_attributes=True) for r in s.scalars(q)]

    def get(self, message_id: int) -> MessageView:
        with self.review.session() as s:
            row = s.get(InboxRow, message_id)
            if row is None:
                raise NotFoundError(f"no inbox message {message_id}", "see `cmassist inbox list`")
            return MessageView.model_validate(row, from_attributes=True)

    def counts(self, brand: str | None = None) -> dict[str, int]:
        q = select(InboxRow.status, func.count()).group_by(InboxRow.status)
        if brand:
            q = q.where(InboxRow.brand == brand_slug(brand))
        with self.review.session() as s:
            return {k: int(v) for k, v in s.execute(q)}

    # -- working the queue -----------------------------------------------------------------

    def set_status(self, actor: Any, ids: Sequence[int], status: str, *, reason: str = "") -> int:
        """Hide or mark handled (or reopen) several messages at once; audited."""
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
        ids = sorted({int(i) for i in ids})
        if not ids:
            raise InputError("no messages selected", "select at least one message")
        with self.review.session() as s:
            rows = list(s.scalars(select(InboxRow).where(InboxRow.id.in_(ids))))
            missing = sorted(set(ids) - {r.id for r in rows})
            if missing:
                raise NotFoundError(f"no inbox message {missing[0]}", "refresh the inbox")
            now = self.review.now()
            for r in rows:
                r.status = status
                r.handled_by = actor.name if status != "new" else ""
                r.handled_at = now if status != "new" else None
            self.review._audit(s, actor.name, f"inbox_{status}", reason=reason, messages=ids)
        return len(ids)

    def link_draft(self, actor: Any, message_id: int, draft_id: int) -> None:
        with self.review.session() as s:
            row = s.get(InboxRow, message_id)
            if row is None:
                raise NotFoundError(f"no inbox message {message_id}", "refresh the inbox")
            row.draft_id = draft_id
            self.review._audit(
                s, actor.name, "inbox_reply_drafted", draft_id=draft_id, messages=[message_id]
            )

    # -- crisis ----------------------------------------------------------------------------

    def detect_crisis(self, brand: str, *, at: datetime | None = None) -> list[AlertView]:
        """Raise (or extend) alerts where negative messages spike: per brand topic, and per
        subject the messages share even when no topic names it (a product name, "plastic
        piece"), each against its own baseline; see CrisisPolicy."""
        p = self.crisis
        brand = brand_slug(brand)
        with self.review.session() as s:
            q = select(InboxRow.id, InboxRow.topic, InboxRow.received_at, InboxRow.text).where(
                InboxRow.brand == brand, InboxRow.negative.is_(True)
            )
            if at is not None:
                q = q.where(InboxRow.received_at <= at)
            groups: dict[str, list[tuple[datetime, int]]] = {}
            for i, topic, t, text in s.execute(q):
                if topic:
                    groups.setdefault(topic, []).append((t, i))
                for term in subject_terms(text):
                    groups.setdefault(f"“{term}”", []).append((t, i))
            spikes = []
            for topic, items in groups.items():
                if len(items) < p.min_count:
                    continue
                items.sort()
                spike = p.find_spike(items)
                if spike is not None:
                    spikes.append((topic, spike))
            # one alert per wave: a subject whose messages are mostly another's is the same
            spikes.sort(key=lambda x: (-len(x[1][2]), x[0].startswith("“"), -len(x[0])))
            kept: list[tuple[str, Any]] = []
            for topic, spike in spikes:
                ids = set(spike[2])
                if any(len(ids & set(k[1][2])) >= 0.5 * len(ids) for k in kept):
                    continue
                kept.append((topic, spike))
            raised: list[AlertView] = []
            open_rows = list(
                s.scalars(
                    select(CrisisRow).where(CrisisRow.brand == brand, CrisisRow.status == "open")
                )
            )
            for topic, (start, end, ids, baseline, reason) in kept:
                # the same wave: an open alert on this topic, or one holding most of its messages
                open_alert = next((r for r in open_rows if r.topic == topic), None) or next(
                    (r for r in open_rows if len(set(r.message_ids) & set(ids)) >= 0.5 * len(ids)),
                    None,
                )
                if open_alert is not None:
                    merged = sorted(set(open_alert.message_ids) | set(ids))
                    if merged != sorted(open_alert.message_ids):
                        open_alert.message_ids = merged
                        open_alert.count = len(merged)
                        open_alert.window_end = max(open_alert.window_end, end)
                        open_alert.reason = reason
                    continue
                row = CrisisRow(
                    brand=brand,
                    topic=topic,
                    window_start=start,
                    window_end=end,
                    count=len(ids),
                    baseline=baseline,
                    reason=reason,
                    message_ids=ids,
                    status="open",
                    raised_at=self.review.now(),
                    draft_ids=[],
                )
                s.add(row)
                s.flush()
                open_rows.append(row)
                self.review._audit(
                    s,
                    "system",
                    "crisis_alert",
                    reason=reason,
                    brand=brand,
                    topic=topic,
                    alert=row.id,
                )
                raised.append(AlertView.model_validate(row, from_attributes=True))
            return raised

    def alerts(self, *, status: str | None = "open", brand: str | None = None) -> list[AlertView]:
        q = select(CrisisRow).order_by(CrisisRow.raised_at.desc())
        if status:
            q = q.where(CrisisRow.status == status)
        if brand:
            q = q.where(CrisisRow.brand == brand_slug(brand))
        with self.review.session() as s:
            return [AlertView.model_validate(r, from_attributes=True) for r in s.scalars(q)]

    def alert(self, alert_id: int) -> AlertView:
        with self.review.session() as s:
            row = s.get(CrisisRow, alert_id)
            if row is None:
                raise NotFoundError(f"no crisis alert {alert_id}", "see `cmassist inbox alerts`")
            return AlertView.model_validate(row, from_attributes=True)

    def messages(self, ids: Sequence[int]) -> list[MessageView]:
        with self.review.session() as s:
            rows = s.scalars(
                select(InboxRow).where(InboxRow.id.in_(list(ids))).order_by(InboxRow.received_at)
            )
            return [MessageView.model_validate(r, from_attributes=True) for r in rows]

    def close_alert(self, actor: Any, alert_id: int, *, reason: str = "") -> None:
        with self.review.session() as s:
            row = s.get(CrisisRow, alert_id)
            if row is None:
                raise NotFoundError(f"no crisis alert {alert_id}", "see `cmassist inbox alerts`")
            row.status = "closed"
            row.closed_by = actor.name
            row.closed_at = self.review.now()
            self.review._audit(s, actor.name, "crisis_closed", reason=reason, alert=alert_id)

    def add_alert_drafts(self, alert_id: int, draft_ids: Sequence[int]) -> None:
        with self.review.session() as s:
            row = s.get(CrisisRow, alert_id)
            if row is not None:
                row.draft_ids = sorted(set(row.draft_ids) | set(draft_ids))


@dataclass
class CrisisPolicy:
    """A spike: at least `min_count` negative or complaint messages on one topic within
    `window`, far above that topic's own rate over the `history` before the window
    (Poisson tail below `p_value`, and `ratio` times the expected count)."""

    window: timedelta = timedelta(hours=3)
    history: timedelta = timedelta(days=14)
    min_count: int = 8
    ratio: float = 4.0
    p_value: float = 0.001
    floor_rate: float = 0.5  # expected messages per window when there is little history

    def find_spike(
        self, items: Sequence[tuple[datetime, int]]
    ) -> tuple[datetime, datetime, list[int], float, str] | None:
        """The densest window of `items` (time, id) that is a spike, or None."""
        best = None
        j = 0
        for i in range(len(items)):
            end = items[i][0]
            while items[j][0] < end - self.window:
                j += 1
            count = i - j + 1
            if count < self.min_count:
                continue
            start = end - self.window
            history_start = start - self.history
            before = sum(1 for t, _ in items if history_start <= t < start)
            span = self.history
            if items and items[0][0] > history_start:  # less history than asked for
                span = max(start - items[0][0], timedelta(0))
            windows = span / self.window if span > timedelta(0) else 0.0
            rate = before / windows if windows >= 1 else 0.0
            expected = max(rate, self.floor_rate)
            if count < self.ratio * expected or _poisson_tail(count, expected) > self.p_value:
                continue
            if best is None or count > best[0]:
                best = (count, start, end, [iid for _, iid in items[j : i + 1]], expected)
        if best is None:
            return None
        count, start, end, ids, expected = best
        hours = self.window.total_seconds() / 3600
        reason = (
            f"{count} negative or complaint messages in {hours:g} h, "
            f"against {expected:.1f} expected "
            f"from the previous {self.history.days} days (p < {self.p_value:g})"
        )
        return start, end, ids, round(expected, 2), reason


def _poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    term = math.exp(-lam)
    total = term
    for i in range(1, k):
        term *= lam / i
        total += term
    return max(0.0, 1.0 - total)


_STOP = FUNCTION_WORDS | {
    "it's", "i'm", "don't", "im", "dont", "really", "still", "even", "today", "aujourd'hui",
    "brulerieboreale", "boreale", "hi",
}  # fmt: skip


def subject_terms(text: str) -> set[str]:
    """Words and word pairs that can name what a wave of messages is about."""
    from cmassist.domain.textmatch import fold_str

    words = [w for w in re.findall(r"[a-z][a-z'’-]{2,}", fold_str(text)) if w not in _STOP]
    terms = {w for w in words if len(w) >= 5}
    terms |= {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return terms
