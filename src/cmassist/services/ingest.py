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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cmassist.domain.brands import brand_slug
from cmassist.domain.errors import FileFormatError, InputError
from cmassist.domain.models import Kind, Record
from cmassist.domain.readers import check_size, decode_text, read_table
from cmassist.services.ingest_records import Problem, guideline_records, parse_rows
from cmassist.services.ports.store import Store

__all__ = [
    "DATA_SUFFIXES",
    "GUIDELINE_SUFFIXES",
    "MAX_FILE_BYTES",
    "FileReport",
    "IngestReport",
    "Problem",
    "expand_paths",
    "ingest",
    "read_text",
]

GUIDELINE_SUFFIXES = {".md", ".markdown"}
DATA_SUFFIXES = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS = "CSV, JSON, JSONL or Markdown"


class DefaultBrand(Protocol):
    @property
    def brand(self) -> str: ...


class KnowledgeTarget(Store, Protocol):
    """The store ingest writes to; its settings name the brand used when none is given."""

    @property
    def settings(self) -> DefaultBrand: ...


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

    def public(self) -> dict[str, object]:
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

    def public(self) -> dict[str, object]:
        totals = {
            k: self.total(k)
            for k in ("added", "updated", "unchanged", "rejected", "removed", "repaired")
        }
        return {"ok": self.ok, "totals": totals, "files": [f.public() for f in self.files]}


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
    """The file's text; a one-line error if it is too big, binary or not UTF-8."""
    check_size(str(path), path.stat().st_size, MAX_FILE_BYTES)
    return decode_text(path.read_bytes(), str(path), formats=FORMATS)


@dataclass
class CheckedFile:
    """A file read and checked whole, its records ready to write."""

    report: FileReport
    source: str  # the name its records keep (relative to the folder given)
    records: list[Record]
    brand_name: str | None  # a guideline's front matter may name the brand
    is_guideline: bool


def ingest(
    store: KnowledgeTarget,
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
    checked: list[CheckedFile] = []
    for path, source in files:
        fr = FileReport(str(path))
        report.files.append(fr)
        done = check_file(path, source, fr, default_brand, store.settings.brand, kind)
        if done is not None:
            checked.append(done)
    _write(store, checked, progress)
    return report


def check_file(
    path: Path,
    source: str,
    fr: FileReport,
    default_brand: str | None,
    store_brand: str,
    kind: str | None,
) -> CheckedFile | None:
    """Read and check one file; None (its report saying why) when it cannot be read.
    Its brand: `default_brand`, else a guideline's front matter, else `store_brand`."""
    try:
        text = read_text(path)
        is_guideline = path.suffix.lower() in GUIDELINE_SUFFIXES or kind == "guidelines"
        if is_guideline:
            doc_brand = default_brand or _front_matter_brand(text) or brand_slug(store_brand)
            records, problems, brand_name = guideline_records(doc_brand, source, text)
            fr.kind = "guidelines"
        else:
            doc_brand = default_brand or brand_slug(store_brand)
            table = read_table(text, str(path), source)
            parsed = parse_rows(table, str(path), source, doc_brand, kind)
            records, problems, brand_name = parsed.records, parsed.problems, None
            fr.kind = parsed.kind
            fr.repaired = parsed.repaired
    except (FileFormatError, InputError) as e:
        fr.error = str(e)
        return None
    except OSError as e:
        fr.error = f"{path}: cannot read ({e.strerror or e}); check the path and permissions"
        return None
    fr.brand = doc_brand
    fr.problems = problems
    fr.rejected = len(problems)
    return CheckedFile(fr, source, records, brand_name, is_guideline)


def _write(
    store: KnowledgeTarget,
    checked: list[CheckedFile],
    progress: Callable[[int, int], None] | None,
) -> None:
    total = sum(len(c.records) for c in checked)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    for c in checked:
        fr = c.report
        fr.brand = fr.brand or brand_slug(store.settings.brand)
        counts = store.upsert(fr.brand, c.records, brand_name=c.brand_name, progress=tick)
        fr.added, fr.updated, fr.unchanged = counts.added, counts.updated, counts.unchanged
        if c.is_guideline:
            fr.removed = store.remove_stale(
                fr.brand, c.source, (Kind.GUIDELINE, Kind.RULES), {r.id for r in c.records}
            )


def _front_matter_brand(text: str) -> str | None:
    m = re.match(r"\A---[ \t]*\n(.*?)\n---", text, re.DOTALL)
    if not m:
        return None
    b = re.search(r"^brand:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(?:#.*)?$", m.group(1), re.MULTILINE)
    return brand_slug(b.group(1)) if b else None
