"""Rows out of the files people export (CSV, TSV, JSON, JSONL), read the same way by ingest
and the inbox: size, binary and UTF-8 checks, the BOM, the CSV delimiter, column aliases.

Pure functions over bytes and text: the callers open the files. A file that cannot be read
at all raises FileFormatError in one line with what to do; a row that cannot be read is kept
as a `SourceRow` with its `problem`, so that the caller names it with the others.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from cmassist.domain.errors import FileFormatError

TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
"""File suffix -> how its rows are read."""

LIST_KEYS = ("messages", "comments", "posts", "replies", "data", "items", "records", "results")
"""In a JSON object, the first of these keys holding a list holds the rows."""

_BINARY_SNIFF_BYTES = 8192
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class SourceRow:
    """One row of a file: its values by the file's own column names, or why it is unreadable."""

    file: str  # the name messages show
    number: int  # the CSV row's first line, the JSONL line, the JSON list item
    unit: str  # "row", "line" or "item": what `number` counts
    values: Mapping[str, Any] = field(default_factory=dict)
    problem: str = ""  # set when the row could not be read; `values` is empty then

    @property
    def where(self) -> str:
        """`comments.csv: row 4`, as the inbox names a row."""
        return f"{self.file}: {self.unit} {self.number}"


@dataclass(frozen=True)
class Table:
    """A file's rows and the column names they use (JSON objects may each use their own)."""

    file: str
    format: str  # csv, tsv, json, jsonl
    columns: list[str]
    rows: list[SourceRow]


# -- bytes to text ------------------------------------------------------------------------


def check_size(name: str, size: int, limit: int) -> None:
    """Refuse a file over `limit` bytes before it is read."""
    if size > limit:
        raise FileFormatError(
            f"{name}: file is {size // 2**20} MiB, over the {limit // 2**20} MiB limit",
            "split it into smaller files",
        )


def decode_text(data: bytes, name: str, *, formats: str = "CSV, JSON or JSONL") -> str:
    """The file's text: UTF-8, with or without a BOM; binary data and other encodings refused
    in one line naming the line and how to re-save it. `formats` is what the caller takes."""
    if b"\x00" in data[:_BINARY_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS):
        raise FileFormatError(
            f"{name}: looks like a binary file, not text", f"export it as UTF-8 {formats}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileFormatError(
            f"{name}: not UTF-8 (byte 0x{data[e.start]:02x} on line {line})",
            "re-save the file as UTF-8 (in Excel: 'CSV UTF-8'; or `iconv -f latin1 -t utf-8`)",
        ) from None


# -- text to rows -------------------------------------------------------------------------


def table_format(name: str) -> str:
    """csv, tsv, json or jsonl, from the file's suffix; FileFormatError for anything else."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise FileFormatError(
            f"{name}: unknown file type {suffix or '(none)'!r}", "use .csv, .tsv, .json or .jsonl"
        )
    return TABLE_FORMATS[suffix]


def read_table(text: str, name: str, file: str | None = None) -> Table:
    """The rows of a CSV, TSV, JSON or JSONL text, told apart by `name`'s suffix.

    `name` is used in file-level errors, `file` (default: `name`) in each row's place."""
    fmt = table_format(name)
    shown = file if file is not None else name
    if fmt in ("csv", "tsv"):
        columns, rows = _csv_rows(text, name, shown, "\t" if fmt == "tsv" else None)
    elif fmt == "jsonl":
        columns, rows = _with_columns(_jsonl_items(text, shown))
    else:
        columns, rows = _with_columns(_json_items(text, name, shown))
    return Table(shown, fmt, columns, rows)


def _sniff_delimiter(header_line: str) -> str:
    """The header line's delimiter: one line is a surer sample than rows of free text."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _csv_rows(
    text: str, name: str, shown: str, delimiter: str | None
) -> tuple[list[str], list[SourceRow]]:
    delimiter = delimiter or _sniff_delimiter(text[:20000].split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileFormatError(
            f"{name}: the file is empty", "add a header row and data rows"
        ) from None
    except csv.Error as e:
        raise FileFormatError(
            f"{name}: cannot read the header ({e})", "check the quoting"
        ) from None
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise FileFormatError(
            f"{name}: column {dup!r} appears twice in the header", "rename or remove one of them"
        )
    rows: list[SourceRow] = []
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            rows.append(SourceRow(shown, line, "row", problem=f"cannot parse the row ({e})"))
        else:
            if len(values) != len(header) and any(v.strip() for v in values):
                problem = (
                    f"has {len(values)} fields, the header has {len(header)}; "
                    "check quotes and delimiters"
                )
                rows.append(SourceRow(shown, line, "row", problem=problem))
            elif any(v.strip() for v in values):
                rows.append(SourceRow(shown, line, "row", dict(zip(header, values, strict=True))))
        line = reader.line_num + 1
    return header, rows


def _jsonl_items(text: str, shown: str) -> Iterator[SourceRow]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            yield SourceRow(shown, n, "line", problem=f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        yield _item_row(shown, n, "line", item)


def _json_items(text: str, name: str, shown: str) -> Iterator[SourceRow]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise FileFormatError(
            f"{name}: invalid JSON ({e.msg} on line {e.lineno})",
            "fix the JSON, or use JSONL (one object per line)",
        ) from None
    if isinstance(doc, dict):
        doc = next((doc[k] for k in LIST_KEYS if isinstance(doc.get(k), list)), [doc])
    if not isinstance(doc, list):
        raise FileFormatError(
            f"{name}: expected a JSON list of objects",
            'use [{...}, ...] or {"posts": [...]} or JSONL',
        )
    for n, item in enumerate(doc, start=1):
        yield _item_row(shown, n, "item", item)


def _item_row(shown: str, n: int, unit: str, item: Any) -> SourceRow:
    if isinstance(item, dict):
        return SourceRow(shown, n, unit, item)
    return SourceRow(shown, n, unit, problem=f"is not a JSON object (got {_kind_of(item)})")


def _kind_of(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(value), "a number"
    )


def _with_columns(rows: Iterable[SourceRow]) -> tuple[list[str], list[SourceRow]]:
    kept = list(rows)
    columns: dict[str, None] = {}
    for row in kept:
        columns.update(dict.fromkeys(str(k) for k in row.values))
    return list(columns), kept


# -- columns ------------------------------------------------------------------------------


def column_key(name: str) -> str:
    """A column name as aliases are written: lowercase ASCII, "_" between words
    ("Date de publication" -> "date_de_publication", "J'aime" -> "jaime")."""
    name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def match_columns(
    columns: Iterable[str], aliases: Mapping[str, Iterable[str]], wanted: Iterable[str]
) -> dict[str, str]:
    """Our field -> the file's column, by alias (in `column_key` form); the first alias
    present wins and a column serves one field only."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(column_key(column), column)
    out: dict[str, str] = {}
    used: set[str] = set()
    for target in wanted:
        for alias in aliases[target]:
            if alias in by_key and by_key[alias] not in used:
                out[target] = by_key[alias]
                used.add(by_key[alias])
                break
    return out


class ColumnCache:
    """`match_columns` once per set of column names (JSON objects may each use their own);
    at most `size` sets are kept, so senders inventing names cannot fill the memory."""

    def __init__(
        self, aliases: Mapping[str, Iterable[str]], wanted: Iterable[str], *, size: int = 256
    ) -> None:
        self.aliases = aliases
        self.wanted = tuple(wanted)
        self.size = size
        self._maps: dict[frozenset[str], dict[str, str]] = {}

    def __call__(self, row: Mapping[str, Any]) -> dict[str, str]:
        keys = frozenset(str(k) for k in row)
        found = self._maps.get(keys)
        if found is None:
            if len(self._maps) >= self.size:
                self._maps.clear()
            found = self._maps[keys] = match_columns(list(row), self.aliases, self.wanted)
        return found
