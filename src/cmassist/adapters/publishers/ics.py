"""Publishing to an editorial calendar: one iCalendar file (RFC 5545) per brand, with one
event per post, that a calendar application can subscribe to or import.

Each event's UID is the item's idempotency key, so a retry replaces its own event instead
of adding one. The file is read back, the event inserted or replaced, and the whole file
rewritten atomically under a lock shared by every worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cmassist.adapters.publishers.base import (
    PublishRequest,
    PublishResult,
    locked,
    outbox_dir,
    safe_name,
    write_atomic,
)
from cmassist.config import Settings
from cmassist.domain.textutil import excerpt

PRODID = "-//cmassist//editorial calendar//EN"
MAX_OCTETS = 75  # per physical line, CRLF excluded (RFC 5545 §3.1)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded into physical lines of at most 75 octets, each continuation
    starting with a space; never splits a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space counts
        current.append(ch)
        size += n
    parts.append("".join(current))
    return "\r\n ".join(parts)


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text (continuation lines joined back)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class IcsPublisher:
    """Writes each post as an event in `<directory>/<brand>.ics`."""

    name = "ics"

    def __init__(self, directory: Path, *, excerpt_chars: int = 60) -> None:
        self.directory = Path(directory)
        self.excerpt_chars = excerpt_chars

    def path_for(self, brand: str) -> Path:
        return self.directory / f"{safe_name(brand)}.ics"

    def event(self, item: PublishRequest, *, stamp: datetime | None = None) -> list[str]:
        """The event's content lines, unfolded."""
        return [
            "BEGIN:VEVENT",
            f"UID:{escape_text(item.idempotency_key)}",
            f"DTSTAMP:{_stamp(stamp or datetime.now(UTC))}",
            f"DTSTART:{_stamp(item.due_at)}",
            f"SUMMARY:{escape_text(f'{item.platform}: {excerpt(item.text, self.excerpt_chars)}')}",
            f"DESCRIPTION:{escape_text(item.text)}",
            f"CATEGORIES:{escape_text(item.platform)}",
            f"X-CMASSIST-DRAFT:{item.draft_id}",
            f"X-CMASSIST-VERSION:{item.version}",
            "TRANSP:TRANSPARENT",  # a post does not make anyone busy
            "END:VEVENT",
        ]

    def publish(self, item: PublishRequest) -> PublishResult:
        path = self.path_for(item.brand)
        with locked(path):
            try:
                existing = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                existing = ""
            events = _events(unfold(existing))
            events[escape_text(item.idempotency_key)] = self.event(item)
            write_atomic(path, _render(item.brand, events).encode("utf-8"))
        return PublishResult(external_ref=f"{path}#{item.idempotency_key}")


def _events(lines: list[str]) -> dict[str, list[str]]:
    """The file's events by UID (as written: they are ours, so already escaped)."""
    events: dict[str, list[str]] = {}
    block: list[str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            block = [line]
        elif block is not None:
            block.append(line)
            if line == "END:VEVENT":
                uid = next((x[4:] for x in block if x.startswith("UID:")), "")
                events[uid] = block
                block = None
    return events


def _render(brand: str, events: dict[str, list[str]]) -> str:
    def start(block: list[str]) -> str:
        return next((x for x in block if x.startswith("DTSTART")), "")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{brand} editorial calendar')}",
    ]
    for block in sorted(events.values(), key=start):
        lines.extend(block)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def create(settings: Settings) -> IcsPublisher:
    """Calendars in `<outbox>/calendar` (the `ics` entry point)."""
    return IcsPublisher(outbox_dir(settings) / "calendar")
