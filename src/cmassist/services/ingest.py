"""Ingest guideline documents (Markdown) and past posts and replies (CSV, JSON, JSONL).

Every record gets a stable ID from its content (or its export ID), so ingesting a file
twice adds nothing and a changed file updates only what changed. A file is read and
checked whole before anything is written: a malformed row is reported on one line by
file and row with every bad field and what to do, and skipped, the good rows are still
ingested; a file that cannot be read at all (not UTF-8, not JSON, binary) writes nothing.
Text damaged by an earlier tool (U+FFFD replacement characters where an emoji was) is
ingested without those characters and counted as repaired.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from cmassist.domain.errors import FileFormatError, InputError, UnknownPlatformError
from cmassist.domain.guidelines import parse_document
from cmassist.domain.models import Kind, PastPost, PastReply, Record
from cmassist.domain.platforms import get_platform
from cmassist.adapters.store import KnowledgeStore, brand_slug
from cmassist.domain.textutil import (
    clean,
    detect_language,
    looks_binary,
    normalize_language,
    sha256,
    stable_id,
    strip_replacement_chars,
)

GUIDELINE_SUFFIXES = {".md", ".markdown"}
DATA_SUFFIXES = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
MAX_TEXT_CHARS = 100_000
MAX_FILE_BYTES = 200 * 1024 * 1024

# Column names as found in exports, normalized (lowercase, no accents, "_" for separators).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "post_id", "external_id", "tweet_id", "status_id", "message_id", "comment_id"),
    "text": (
        "text",
        "content",
        "message",
        "post",
        "body",
        "caption",
        "tweet",
        "full_text",
        "post_text",
        "texte",
        "contenu",
        "publication",
        "status",
    ),
    "platform": (
        "platform",
        "network",
        "social_network",
        "channel",
        "service",
        "plateforme",
        "reseau",
        "reseau_social",
        "source",
    ),
    "date": (
        "date",
        "published_at",
        "publish_date",
        "publication_date",
        "created_at",
        "timestamp",
        "time",
        "posted_at",
        "datetime",
        "date_published",
        "sent_at",
        "date_de_publication",
    ),
    "language": ("language", "lang", "locale", "langue"),
    "topic": ("topic", "brief", "subject", "theme", "sujet", "campaign", "campagne", "category"),
    "likes": (
        "likes",
        "like_count",
        "favorites",
        "favorite_count",
        "favourites_count",
        "reactions",
        "jaime",
        "j_aime",
        "mentions_j_aime",
    ),
    "comments": (
        "comments",
        "comment_count",
        "replies",
        "reply_count",
        "replies_count",
        "commentaires",
    ),
    "shares": (
        "shares",
        "share_count",
        "retweets",
        "retweet_count",
        "reposts",
        "repost_count",
        "reblogs",
        "reblogs_count",
        "boosts",
        "partages",
    ),
    "impressions": (
        "impressions",
        "impression_count",
        "views",
        "view_count",
        "reach",
        "vues",
        "portee",
    ),
    "link": ("link", "url", "permalink", "post_url", "lien"),
    "comment": (
        "comment",
        "comment_text",
        "customer_comment",
        "customer_message",
        "question",
        "incoming",
        "incoming_message",
        "commentaire",
        "message_client",
    ),
    "reply": (
        "reply",
        "response",
        "answer",
        "brand_reply",
        "our_reply",
        "reponse",
        "reponse_marque",
    ),
    "complaint": ("complaint", "is_complaint", "plainte", "reclamation"),
    "brand": ("brand", "marque"),
}
POST_FIELDS = (
    "id",
    "text",
    "platform",
    "date",
    "language",
    "topic",
    "likes",
    "comments",
    "shares",
    "impressions",
    "link",
    "brand",
)
REPLY_FIELDS = (
    "id",
    "comment",
    "reply",
    "platform",
    "date",
    "language",
    "topic",
    "complaint",
    "link",
    "brand",
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


@dataclass
class FileReport:
    path: str
    kind: str = "unknown"
    brand: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    repaired: int = 0  # rows ingested without their U+FFFD replacement characters
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None  # the whole file was skipped

    def public(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "brand": self.brand,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "removed": self.removed,
            "repaired": self.repaired,
            "problems": [str(p) for p in self.problems],
            "error": self.error,
        }


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def ok(self) -> bool:
        return not any(f.error or f.problems for f in self.files)

    def summary(self) -> str:
        return (
            f"{len(self.files)} file(s): {self.total('added')} added, "
            f"{self.total('updated')} updated, {self.total('unchanged')} unchanged, "
            f"{self.total('rejected')} rejected"
            + (f", {self.total('removed')} removed" if self.total("removed") else "")
            + (
                f", {self.total('repaired')} with broken characters (U+FFFD) removed"
                if self.total("repaired")
                else ""
            )
            + (
                f", {sum(1 for f in self.files if f.error)} file(s) skipped"
                if any(f.error for f in self.files)
                else ""
            )
        )

    def public(self) -> dict[str, Any]:
        totals = {
            k: self.total(k)
            for k in ("added", "updated", "unchanged", "rejected", "removed", "repaired")
        }
        return {"ok": self.ok, "totals": totals, "files": [f.public() for f in self.files]}


@dataclass
class _Parsed:
    """A data file's records and the rows that were rejected."""

    kind: str
    records: list[Record]
    problems: list[Problem]
    repaired: int = 0


# -- files ----------------------------------------------------------------------------------


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[FileReport]]:
    """Files to ingest with their source names, and reports for paths that do not exist."""
    files: list[tuple[Path, str]] = []
    missing: list[FileReport] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (
                    child.is_file()
                    and child.suffix.lower() in GUIDELINE_SUFFIXES | DATA_SUFFIXES
                    and not any(part.startswith(".") for part in rel.parts)
                    # messages to triage (`cmassist inbox import`), not knowledge
                    and "inbox" not in rel.parts[:-1]
                    and not child.name.lower().startswith("readme")
                ):
                    files.append((child, rel.as_posix()))
        elif path.is_file():
            files.append((path, path.name))
        else:
            missing.append(
                FileReport(str(path), error=f"{path}: no such file or folder; check the path")
            )
    return files, missing


def read_text(path: Path) -> str:
    """The file's text; a one-line error if it is too big or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileFormatError(
            f"{path}: file is {size // 2**20} MiB, over the 200 MiB limit",
            "split it into smaller files",
        )
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError(
            f"{path}: looks like a binary file, not text",
            "export it as UTF-8 CSV, JSON, JSONL or Markdown",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileFormatError(
            f"{path}: not UTF-8 (byte 0x{data[e.start]:02x} on line {line})",
            "re-save the file as UTF-8 (in Excel: 'CSV UTF-8'; or `iconv -f latin1 -t utf-8`)",
        ) from None


def _norm_key(name: str) -> str:
    name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _column_map(keys: Iterable[str], wanted: Iterable[str]) -> dict[str, str]:
    """Our field -> the file's column, by alias; the first alias present wins."""
    by_norm: dict[str, str] = {}
    for key in keys:
        by_norm.setdefault(_norm_key(key), key)
    out: dict[str, str] = {}
    used: set[str] = set()
    for target in wanted:
        for alias in ALIASES[target]:
            if alias in by_norm and by_norm[alias] not in used:
                out[target] = by_norm[alias]
                used.add(by_norm[alias])
                break
    return out


def _row_columns(
    row: dict[str, Any], fields: Iterable[str], cache: dict[frozenset[str], dict[str, str]]
) -> dict[str, str]:
    """JSON objects may each use their own key names."""
    keys = frozenset(row)
    if keys not in cache:
        cache[keys] = _column_map(row.keys(), fields)
    return cache[keys]


def _detect_kind(keys: Iterable[str]) -> str | None:
    normed = {_norm_key(k) for k in keys}
    has = {t: any(a in normed for a in ALIASES[t]) for t in ("comment", "reply", "text")}
    if has["comment"] and has["reply"]:
        return "replies"
    if has["text"]:
        return "posts"
    return None


def _rows_from_csv(text: str, path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    sample = text[:20000]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    if path.suffix.lower() == ".csv":
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(
            f"{path}: the file is empty", "add a header row and data rows"
        ) from None
    except csv.Error as e:
        raise FileFormatError(
            f"{path}: cannot read the header ({e})", "check the quoting"
        ) from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise FileFormatError(
            f"{path}: column {dup!r} appears twice in the header", "rename or remove one of them"
        )

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        line = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield line, {"__error__": f"cannot parse the row ({e})"}
                line = reader.line_num + 1
                continue
            if any(v.strip() for v in values):
                if len(values) != len(header):
                    yield (
                        line,
                        {
                            "__error__": f"has {len(values)} fields, the header has "
                            f"{len(header)}; check quotes and delimiters"
                        },
                    )
                else:
                    yield line, dict(zip(header, values, strict=True))
            line = reader.line_num + 1

    return header, rows()


def _rows_from_json(
    text: str, path: Path
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    items: list[tuple[int, Any]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                items.append((n, {"__error__": f"invalid JSON ({e.msg} at column {e.colno})"}))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise FileFormatError(
                f"{path}: invalid JSON ({e.msg} on line {e.lineno})",
                "fix the JSON, or use JSONL (one object per line)",
            ) from None
        if isinstance(data, dict):
            for key in ("posts", "replies", "data", "items", "records", "results"):
                if isinstance(data.get(key), list):
                    data = data[key]
                    break
        if not isinstance(data, list):
            raise FileFormatError(
                f"{path}: expected a JSON list of objects",
                'use [{...}, ...] or {"posts": [...]} or JSONL',
            )
        items = list(enumerate(data, start=1))
    keys: list[str] = []
    for _, item in items:
        if isinstance(item, dict):
            keys.extend(k for k in item if k not in keys and k != "__error__")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for n, item in items:
            yield n, item if isinstance(item, dict) else {"__error__": "is not a JSON object"}

    return keys, rows()


# -- values ---------------------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        self.field_name = field_name
        super().__init__(message)


class _Fields:
    """Reads a row's fields one by one, keeping every bad one instead of stopping."""

    def __init__(self) -> None:
        self.bad: list[tuple[str, str]] = []  # (our field name, what is wrong)

    def __call__(self, read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except _Bad as e:
            self.bad.append((e.field_name, str(e)))
            return None


def _text(
    value: Any, name: str, *, required: bool, repaired: list[str] | None = None
) -> str | None:
    """The field's text, cleaned; U+FFFD runs are removed and the field noted in `repaired`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(name, "is empty (every row needs it)")
        return None
    if not isinstance(value, str | int | float):
        raise _Bad(name, "must be text")
    raw = str(value)
    if looks_binary(raw):
        raise _Bad(name, "looks binary (NUL or control characters); export it as plain text")
    raw, runs = strip_replacement_chars(raw)
    text = clean(raw)
    if runs and repaired is not None:
        repaired.append(name)
    if not text:
        if required:
            raise _Bad(
                name, "is empty once its broken characters (U+FFFD) are removed (write the text)"
            )
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise _Bad(name, f"is {len(text)} characters, over the {MAX_TEXT_CHARS} limit")
    return text


_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def _count(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Bad(name, "must be a whole number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        s = str(value).strip().lower().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        mult = 1
        if s and s[-1] in _SUFFIX:
            mult, s = _SUFFIX[s[-1]], s[:-1]
            s = s.replace(",", ".")
        else:
            s = s.replace(",", "")
        try:
            number = float(s) * mult
        except ValueError:
            raise _Bad(name, f"{value!r} is not a whole number (e.g. 1200 or 1.2K)") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _Bad(name, f"{value!r} is not a whole number (e.g. 1200 or 1.2K)")
    if number < 0:
        raise _Bad(name, f"{value!r} cannot be negative (a count starts at 0)")
    return round(number)


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%a %b %d %H:%M:%S %z %Y")


def _date(value: Any, name: str = "date") -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise _Bad(name, f"{value!r} is not a date (use ISO 8601, e.g. 2025-03-14)") from None
    s = str(value).strip()
    if re.fullmatch(r"\d{9,13}", s):
        return _date(int(s), name)
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError):
        pass
    raise _Bad(name, f"{s!r} is not a date (use ISO 8601, e.g. 2025-03-14T09:30:00-04:00)")


def _bool(value: Any, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "y", "oui", "vrai", "x"):
        return True
    if s in ("0", "false", "no", "n", "non", "faux"):
        return False
    raise _Bad(name, f"{value!r} is not true/false (use true, false, oui or non)")


def _link(value: Any) -> str | None:
    s = _text(value, "link", required=False)
    if s and not re.match(r"^https?://\S+$", s):
        raise _Bad("link", f"{s!r} is not an http(s) URL (e.g. https://instagram.com/p/abc)")
    return s


def _language(value: Any, text: str) -> str:
    raw = _text(value, "language", required=False)
    if raw:
        lang = normalize_language(raw)
        if lang:
            return lang
        if re.fullmatch(r"[a-zA-Z]{2,3}(?:[-_][a-zA-Z]{2})?", raw):
            return raw.lower()[:2]
        raise _Bad("language", f"{raw!r} is not a language code (use fr or en)")
    return detect_language(text, "en") or "en"


def _platform(value: Any, *, required: bool) -> str | None:
    raw = _text(value, "platform", required=required)
    if raw is None:
        return None
    try:
        return get_platform(raw).key
    except UnknownPlatformError as e:
        raise _Bad("platform", str(e)) from None


# -- records --------------------------------------------------------------------------------


def post_record(brand: str, post: PastPost, source: str) -> Record:
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


def _parse_rows(
    path: Path,
    source: str,
    text: str,
    brand: str,
    kind: str | None,
) -> _Parsed:
    is_csv = path.suffix.lower() in (".csv", ".tsv")
    cache: dict[frozenset[str], dict[str, str]] = {}
    if is_csv:
        keys, rows = _rows_from_csv(text, path)
    else:
        keys, rows = _rows_from_json(text, path)
    kind = kind or _detect_kind(keys)
    if kind is None:
        raise FileFormatError(
            f"{path}: cannot tell posts from replies (columns: {', '.join(keys) or 'none'})",
            "posts need a 'text' column; replies need 'comment' and 'reply' columns "
            "(see README, File formats), or pass --kind",
        )
    fields = POST_FIELDS if kind == "posts" else REPLY_FIELDS
    cols = _column_map(keys, fields)
    required = ("text", "platform") if kind == "posts" else ("comment", "reply")
    missing = [f for f in required if f not in cols]
    if missing:
        raise FileFormatError(
            f"{path}: no {' or '.join(repr(m) for m in missing)} column for {kind}",
            f"add it (accepted names: {', '.join(ALIASES[missing[0]][:6])}, ...)",
        )
    records: list[Record] = []
    problems: list[Problem] = []
    repaired_rows = 0
    for row_no, row in rows:
        if "__error__" in row:
            problems.append(Problem(source, str(row["__error__"]), row_no))
            continue
        row_cols = cols if is_csv else _row_columns(row, fields, cache)
        get = {f: row.get(c) for f, c in row_cols.items()}
        # Every field is read, so a row with a bad date and a bad count says both at once.
        check = _Fields()
        repaired: list[str] = []
        row_brand = check(_text, get.get("brand"), "brand", required=False)
        if row_brand and brand_slug(row_brand) != brand:
            check.bad.append(
                (
                    "brand",
                    f"row is for brand {row_brand!r}, not {brand!r} "
                    f"(ingest it with --brand {brand_slug(row_brand)})",
                )
            )
        ext = check(_text, get.get("id"), "id", required=False)
        try:
            if kind == "posts":
                body = check(_text, get.get("text"), "text", required=True, repaired=repaired)
                post_values: dict[str, Any] = {
                    "platform": check(_platform, get.get("platform"), required=True),
                    "date": check(_date, get.get("date")),
                    "language": check(_language, get.get("language"), body or ""),
                    "topic": check(
                        _text, get.get("topic"), "topic", required=False, repaired=repaired
                    ),
                    "likes": check(_count, get.get("likes"), "likes"),
                    "comments": check(_count, get.get("comments"), "comments"),
                    "shares": check(_count, get.get("shares"), "shares"),
                    "impressions": check(_count, get.get("impressions"), "impressions"),
                    "link": check(_link, get.get("link")),
                }
                if not check.bad:
                    post = PastPost(text=body or "", external_id=ext, **post_values)
                    records.append(post_record(brand, post, source))
            else:
                comment = check(
                    _text, get.get("comment"), "comment", required=True, repaired=repaired
                )
                reply_values: dict[str, Any] = {
                    "reply": check(
                        _text, get.get("reply"), "reply", required=True, repaired=repaired
                    ),
                    "platform": check(_platform, get.get("platform"), required=False),
                    "date": check(_date, get.get("date")),
                    "language": check(_language, get.get("language"), comment or ""),
                    "topic": check(
                        _text, get.get("topic"), "topic", required=False, repaired=repaired
                    ),
                    "complaint": check(_bool, get.get("complaint"), "complaint"),
                    "link": check(_link, get.get("link")),
                }
                if not check.bad:
                    pair = PastReply(comment=comment or "", external_id=ext, **reply_values)
                    records.append(reply_record(brand, pair, source))
        except InputError as e:
            problems.append(Problem(source, str(e), row_no))
            continue
        if check.bad:
            named = [(row_cols.get(name, name), message) for name, message in check.bad]
            problems.append(Problem.of_fields(source, row_no, named))
        elif repaired:
            repaired_rows += 1
    return _Parsed(kind, records, problems, repaired_rows)


def guideline_records(
    brand: str, source: str, text: str
) -> tuple[list[Record], list[Problem], str | None]:
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


def ingest(
    store: KnowledgeStore,
    paths: Iterable[str | Path],
    *,
    brand: str | None = None,
    kind: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into a brand's store; see the module docstring.

    `progress(done, total)` is called as records are written.
    """
    if kind not in (None, "posts", "replies", "guidelines"):
        raise InputError(f"unknown kind {kind!r}", "use posts, replies or guidelines")
    default_brand = brand_slug(brand) if brand else None
    files, missing = expand_paths(paths)
    report = IngestReport(list(missing))
    if not files and not missing:
        raise InputError("no files to ingest", "give Markdown, CSV, JSON or JSONL files or folders")

    # Read and check everything first, so a bad file never leaves half its rows written.
    parsed: list[tuple[FileReport, str, list[Record], str | None, bool]] = []
    for path, source in files:
        fr = FileReport(str(path))
        report.files.append(fr)
        try:
            text = read_text(path)
            is_guideline = path.suffix.lower() in GUIDELINE_SUFFIXES or kind == "guidelines"
            if is_guideline:
                doc_brand = (
                    default_brand or _front_matter_brand(text) or brand_slug(store.settings.brand)
                )
                records, problems, brand_name = guideline_records(doc_brand, source, text)
                fr.kind = "guidelines"
            else:
                doc_brand = default_brand or brand_slug(store.settings.brand)
                p = _parse_rows(path, source, text, doc_brand, kind)
                records, problems, brand_name = p.records, p.problems, None
                fr.kind = p.kind
                fr.repaired = p.repaired
        except (FileFormatError, InputError) as e:
            fr.error = str(e)
            continue
        except OSError as e:
            fr.error = f"{path}: cannot read ({e.strerror or e}); check the path and permissions"
            continue
        fr.brand = doc_brand
        fr.problems = problems
        fr.rejected = len(problems)
        parsed.append((fr, source, records, brand_name, is_guideline))

    total = sum(len(r) for _, _, r, _, _ in parsed)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    for fr, source, records, brand_name, is_guideline in parsed:
        fr.brand = fr.brand or brand_slug(store.settings.brand)
        counts = store.upsert(fr.brand, records, brand_name=brand_name, progress=tick)
        fr.added, fr.updated, fr.unchanged = counts.added, counts.updated, counts.unchanged
        if is_guideline:
            fr.removed = store.remove_stale(
                fr.brand, source, (Kind.GUIDELINE, Kind.RULES), {r.id for r in records}
            )
    return report


def _front_matter_brand(text: str) -> str | None:
    m = re.match(r"\A---[ \t]*\n(.*?)\n---", text, re.DOTALL)
    if not m:
        return None
    b = re.search(r"^brand:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(?:#.*)?$", m.group(1), re.MULTILINE)
    return brand_slug(b.group(1)) if b else None
