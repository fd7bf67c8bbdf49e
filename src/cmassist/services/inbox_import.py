"""Importing a file of messages: its rows read and checked before anything is stored, and the
reports an import gives (the rows' fate, then the whole workflow's: triage and alerts).

Importing is idempotent: a message whose id is already in the inbox with the same content
is skipped; the same id with other content is an error. A file with a bad row imports
nothing (or, with `skip_bad`, everything else) and each bad row is named on one line with
all its bad fields. A text with U+FFFD replacement characters (emoji broken by an earlier
tool) is damaged, not binary: it is imported without them and counted as repaired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cmassist.domain.errors import FileFormatError, InputError
from cmassist.domain.messages import IncomingMessage, RowError, check_message
from cmassist.domain.readers import SourceRow, check_size, decode_text, read_table
from cmassist.services.ports.inbox import AlertView

MAX_FILE_BYTES = 50 * 1024 * 1024
FORMATS = "CSV, JSON or JSONL"


@dataclass
class ImportReport:
    """What became of a file's rows: stored, skipped as already there, or refused."""

    added: list[int] = field(default_factory=list)  # inbox row ids
    skipped: int = 0  # already in the inbox (or earlier in the file), same content
    errors: list[RowError] = field(default_factory=list)  # one per bad row
    total: int = 0
    repaired: int = 0  # good rows whose text lost its U+FFFD replacement characters
    brands: list[str] = field(default_factory=list)  # of the messages added

    def public(self) -> dict[str, object]:
        return {
            "total": self.total,
            "added": len(self.added),
            "skipped_duplicates": self.skipped,
            "repaired": self.repaired,
            "errors": [str(e) for e in self.errors],
        }


@dataclass
class InboxImportReport:
    """One import, the whole workflow: the rows stored, the messages triaged (in batches),
    and the crisis alerts of the imported brands (those this import raised, those open)."""

    file: str  # as the messages name it
    brands: list[str]  # the import's brand, and any a brand column named
    rows: ImportReport
    written: bool  # False: a bad row (without skip_bad) kept the whole file out
    triaged: int = 0
    triage_batches: int = 0
    alerts_raised: list[AlertView] = field(default_factory=list)
    open_alerts: list[AlertView] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows in the file."""
        return self.rows.total

    @property
    def added(self) -> list[int]:
        """The inbox ids of the messages stored."""
        return self.rows.added

    @property
    def skipped(self) -> int:
        """Messages already in the inbox (or twice in the file) with the same content."""
        return self.rows.skipped

    @property
    def repaired(self) -> int:
        """Messages stored without their U+FFFD replacement characters."""
        return self.rows.repaired

    @property
    def errors(self) -> list[RowError]:
        """One per bad row, with its file, row and field."""
        return self.rows.errors

    def public(self) -> dict[str, object]:
        return {
            **self.rows.public(),
            "file": self.file,
            "brands": self.brands,
            "written": self.written,
            "triaged": self.triaged,
            "triage_batches": self.triage_batches,
            "alerts_raised": [a.id for a in self.alerts_raised],
            "open_alerts": len(self.open_alerts),
        }


@dataclass
class CheckedRows:
    """A file's rows checked: the good messages (with their rows) and the report."""

    good: list[tuple[SourceRow, IncomingMessage]]
    report: ImportReport


def read_messages(data: bytes, name: str) -> list[SourceRow]:
    """The rows of a CSV, JSON or JSONL file of messages (see `cmassist.domain.readers`)."""
    check_size(name, len(data), MAX_FILE_BYTES)
    table = read_table(decode_text(data, name, formats=FORMATS), name)
    if not table.rows:
        raise FileFormatError(f"{name} has no messages", "add at least one row")
    return table.rows


def read_message_file(path: str | Path, name: str | None = None) -> list[SourceRow]:
    """The rows of a file of messages, named `name` (default: the path as given)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file", "give the path of a CSV, JSON or JSONL file")
    shown = name or str(p)
    check_size(shown, p.stat().st_size, MAX_FILE_BYTES)
    return read_messages(p.read_bytes(), shown)


def check_rows(rows: Iterable[SourceRow], brand: str) -> CheckedRows:
    """Every row checked, and ids repeated within the file caught, before anything is
    stored."""
    report = ImportReport()
    good: list[tuple[SourceRow, IncomingMessage]] = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows:
        report.total += 1
        where = row.where
        if row.problem:
            report.errors.append(RowError(where, "*", row.problem, file=row.file, row=row.number))
            continue
        checked = check_message(row.values, where, brand, file=row.file, row=row.number)
        if checked.message is None:
            report.errors.append(RowError.merge(checked.errors))
            continue
        msg = checked.message
        report.repaired += checked.repaired
        key = (msg.brand, msg.id)
        if key in seen:
            first_where, first_hash = seen[key]
            if first_hash != msg.content_hash:
                problem = (
                    f"duplicate id {msg.id!r} with other content than {first_where}; "
                    "ids must be unique"
                )
                report.errors.append(RowError(where, "id", problem, file=row.file, row=row.number))
            else:
                report.skipped += 1
            continue
        seen[key] = (where, msg.content_hash)
        good.append((row, msg))
    return CheckedRows(good, report)


def id_clash(row: SourceRow, msg: IncomingMessage) -> RowError:
    """The error for a message whose id is already in the inbox with other content."""
    problem = f"id {msg.id!r} is already in the inbox with other content; ids must be unique"
    return RowError(row.where, "id", problem, file=row.file, row=row.number)
