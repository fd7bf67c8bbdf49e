"""The records ingest stores: past posts and replies from the rows of an export (every
field of a row read, so that a row names all its bad fields at once), and guideline passages
and rules from a Markdown document."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import FileFormatError, InputError
from cmassist.domain.guidelines import parse_document
from cmassist.domain.models import Kind, PastPost, PastReply, Record
from cmassist.domain.readers import ColumnCache, SourceRow, Table, match_columns
from cmassist.domain.textutil import sha256, stable_id
from cmassist.services.ingest_columns import (
    ALIASES,
    POST_FIELDS,
    REPLY_FIELDS,
    REQUIRED,
    detect_kind,
)
from cmassist.services.ingest_fields import (
    Fields,
    bool_value,
    count_value,
    date_value,
    language_value,
    link_value,
    platform_value,
    text_value,
)


@dataclass
class Problem:
    """A row or rule that was not ingested, and why: every bad field of the row at once."""

    file: str
    message: str
    row: int | None = None
    field: str | None = None  # the file's column; "date, likes" when several are bad
    fields: tuple[tuple[str, str], ...] = ()  # (column, what is wrong) when several are bad

    @classmethod
    def of_fields(cls, file: str, row: int | None, bad: Sequence[tuple[str, str]]) -> Problem:
        """One problem for a row with one or more bad fields, each named with its fix."""
        if len(bad) == 1:
            return cls(file, bad[0][1], row, bad[0][0])
        return cls(
            file,
            "; ".join(f"{name}: {message}" for name, message in bad),
            row,
            ", ".join(name for name, _ in bad),
            tuple(bad),
        )

    def __str__(self) -> str:
        if self.field == "rules":  # a guideline's front matter: file:line, as editors show it
            where = self.file + (f":{self.row}" if self.row is not None else "")
            return f"{where}: {self.message}"
        where = self.file + (f" row {self.row}" if self.row is not None else "")
        if self.fields:
            return f"{where}, " + "; ".join(f"field '{f}': {m}" for f, m in self.fields)
        where += f", field '{self.field}'" if self.field else ""
        return f"{where}: {self.message}"


def post_record(brand: str, post: PastPost, source: str) -> Record:
    """A past post as a record: its ID from its export ID, or else from its content."""
    ident = (
        stable_id(brand, "post", post.platform, post.external_id)
        if post.external_id
        else stable_id(brand, "post", post.platform, post.date, post.text)
    )
    rate = post.engagement_rate()
    meta = {
        "source": source,
        "platform": post.platform,
        "language": post.language,
        "date": post.date.isoformat() if post.date else None,
        "ts": int(post.date.timestamp()) if post.date else None,
        "topic": post.topic,
        "likes": post.likes,
        "comments": post.comments,
        "shares": post.shares,
        "impressions": post.impressions,
        "link": post.link,
        "external_id": post.external_id,
        "engagement_rate": round(rate, 6) if rate is not None else None,
    }
    return Record(
        id=f"post-{ident}",
        brand=brand,
        kind=Kind.POST,
        text=post.text,
        metadata=meta,
        content_hash=sha256(json.dumps([post.text, meta], sort_keys=True, default=str)),
    )


def reply_record(brand: str, pair: PastReply, source: str) -> Record:
    """A past reply as a record: the comment embedded, the reply kept with it."""
    ident = (
        stable_id(brand, "reply", pair.platform, pair.external_id)
        if pair.external_id
        else stable_id(brand, "reply", pair.platform, pair.date, pair.comment)
    )
    meta = {
        "source": source,
        "platform": pair.platform,
        "language": pair.language,
        "date": pair.date.isoformat() if pair.date else None,
        "ts": int(pair.date.timestamp()) if pair.date else None,
        "topic": pair.topic,
        "complaint": pair.complaint,
        "link": pair.link,
        "external_id": pair.external_id,
        "reply": pair.reply,
    }
    # The comment is what is embedded: a new comment retrieves the most similar past ones.
    return Record(
        id=f"reply-{ident}",
        brand=brand,
        kind=Kind.REPLY,
        text=pair.comment,
        metadata=meta,
        content_hash=sha256(json.dumps([pair.comment, meta], sort_keys=True, default=str)),
    )


def guideline_records(
    brand: str, source: str, text: str
) -> tuple[list[Record], list[Problem], str | None]:
    """A guideline document's passages and machine-readable rules as records, the problems
    of its front matter, and the brand name it gives."""
    doc = parse_document(text, source)
    records: list[Record] = []
    per_heading: dict[str, int] = {}
    for p in doc.passages:
        n = per_heading.get(p.heading, 0)
        per_heading[p.heading] = n + 1
        meta = {
            "source": source,
            "title": doc.title,
            "heading": p.heading,
            "line": p.line,
            "language": p.language,
            "ordinal": p.ordinal,
        }
        records.append(
            Record(
                id=f"guideline-{stable_id(brand, source, p.heading, n)}",
                brand=brand,
                kind=Kind.GUIDELINE,
                text=p.text,
                metadata=meta,
                content_hash=sha256(json.dumps([p.text, meta], sort_keys=True)),
            )
        )
    if not doc.rules.is_empty():
        rules_json = doc.rules.model_dump_json(exclude_none=True)
        records.append(
            Record(
                id=f"rules-{stable_id(brand, source)}",
                brand=brand,
                kind=Kind.RULES,
                text=f"Machine-readable rules of {doc.title}",
                metadata={"source": source, "title": doc.title, "rules_json": rules_json},
                content_hash=sha256(rules_json),
            )
        )
    problems = [Problem(source, i.message, i.line, "rules") for i in doc.issues]
    return records, problems, doc.brand_name


@dataclass
class ParsedRows:
    """A data file's records and the rows that were rejected."""

    kind: str
    records: list[Record]
    problems: list[Problem]
    repaired: int = 0  # rows stored without their U+FFFD replacement characters


def parse_rows(table: Table, name: str, source: str, brand: str, kind: str | None) -> ParsedRows:
    """The posts or replies of a file's rows (`kind`, or told by its columns); `name` is
    the file in whole-file errors, `source` in each row's problem and record."""
    kind = kind or detect_kind(table.columns)
    if kind is None:
        raise FileFormatError(
            f"{name}: cannot tell posts from replies "
            f"(columns: {', '.join(table.columns) or 'none'})",
            "posts need a 'text' column; replies need 'comment' and 'reply' columns "
            "(see README, File formats), or pass --kind",
        )
    fields = POST_FIELDS if kind == "posts" else REPLY_FIELDS
    cols = match_columns(table.columns, ALIASES, fields)
    missing = [f for f in REQUIRED[kind] if f not in cols]
    if missing:
        raise FileFormatError(
            f"{name}: no {' or '.join(repr(m) for m in missing)} column for {kind}",
            f"add it (accepted names: {', '.join(ALIASES[missing[0]][:6])}, ...)",
        )
    per_row = ColumnCache(ALIASES, fields)  # JSON objects may each use their own names
    out = ParsedRows(kind, [], [])
    for row in table.rows:
        if row.problem:
            out.problems.append(Problem(source, row.problem, row.number))
            continue
        row_cols = cols if table.format in ("csv", "tsv") else per_row(row.values)
        try:
            record, bad, repaired = _row_record(row, row_cols, kind, brand, source)
        except InputError as e:
            out.problems.append(Problem(source, str(e), row.number))
            continue
        if bad:
            named = [(row_cols.get(name, name), message) for name, message in bad]
            out.problems.append(Problem.of_fields(source, row.number, named))
        elif record is not None:
            out.records.append(record)
            out.repaired += bool(repaired)
    return out


def _row_record(
    row: SourceRow, cols: Mapping[str, str], kind: str, brand: str, source: str
) -> tuple[Record | None, list[tuple[str, str]], list[str]]:
    """One row's record, its bad fields (our names) and its repaired fields."""
    get = {f: row.values.get(c) for f, c in cols.items()}
    check = Fields()
    repaired: list[str] = []
    row_brand = check(text_value, get.get("brand"), "brand", required=False)
    if row_brand and brand_slug(row_brand) != brand:
        check.bad.append(
            (
                "brand",
                f"row is for brand {row_brand!r}, not {brand!r} "
                f"(ingest it with --brand {brand_slug(row_brand)})",
            )
        )
    ext = check(text_value, get.get("id"), "id", required=False)
    values = (_post if kind == "posts" else _reply)(get, check, repaired)
    if check.bad:
        return None, check.bad, repaired
    if kind == "posts":
        return post_record(brand, PastPost(external_id=ext, **values), source), [], repaired
    return reply_record(brand, PastReply(external_id=ext, **values), source), [], repaired


def _post(get: Mapping[str, Any], check: Fields, repaired: list[str]) -> dict[str, Any]:
    """Every field of a post read (a row with a bad date and a bad count says both)."""
    body = check(text_value, get.get("text"), "text", required=True, repaired=repaired)
    return {
        "text": body or "",
        "platform": check(platform_value, get.get("platform"), required=True),
        "date": check(date_value, get.get("date")),
        "language": check(language_value, get.get("language"), body or ""),
        "topic": check(text_value, get.get("topic"), "topic", required=False, repaired=repaired),
        "likes": check(count_value, get.get("likes"), "likes"),
        "comments": check(count_value, get.get("comments"), "comments"),
        "shares": check(count_value, get.get("shares"), "shares"),
        "impressions": check(count_value, get.get("impressions"), "impressions"),
        "link": check(link_value, get.get("link")),
    }


def _reply(get: Mapping[str, Any], check: Fields, repaired: list[str]) -> dict[str, Any]:
    """Every field of a reply read."""
    comment = check(text_value, get.get("comment"), "comment", required=True, repaired=repaired)
    return {
        "comment": comment or "",
        "reply": check(text_value, get.get("reply"), "reply", required=True, repaired=repaired),
        "platform": check(platform_value, get.get("platform"), required=False),
        "date": check(date_value, get.get("date")),
        "language": check(language_value, get.get("language"), comment or ""),
        "topic": check(text_value, get.get("topic"), "topic", required=False, repaired=repaired),
        "complaint": check(bool_value, get.get("complaint"), "complaint"),
        "link": check(link_value, get.get("link")),
    }
