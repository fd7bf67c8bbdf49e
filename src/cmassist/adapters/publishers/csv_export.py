"""Publishing to a file for Hootsuite's bulk composer: one CSV per brand and platform, to
upload by hand (Publisher → Bulk composer).

The format Hootsuite documents for bulk upload: no header row, one message per row, three
columns: the date and time (here `DD/MM/YYYY HH:MM`, 24-hour clock: choose
"day/month/year" when uploading), the message, and an optional link (left empty: links
stay in the approved text, which is written exactly as approved). Hootsuite reads the
times in the account's time zone, so write them in that zone (`tz`, UTC by default).

A retry never adds a second row: the idempotency keys already written are kept in a
sidecar (`<file>.keys`), and a row identical to the new one already in the file also
counts as written (it covers a crash between the two writes). Both files are replaced
atomically, under a lock shared by every worker.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, tzinfo
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

DATE_FORMAT = "%d/%m/%Y %H:%M"


class CsvPublisher:
    """Appends each post to `<directory>/<brand>-<platform>.csv`."""

    name = "csv"

    def __init__(self, directory: Path, *, tz: tzinfo = UTC) -> None:
        self.directory = Path(directory)
        self.tz = tz

    def path_for(self, brand: str, platform: str) -> Path:
        return self.directory / f"{safe_name(brand)}-{safe_name(platform)}.csv"

    def row(self, item: PublishRequest) -> list[str]:
        return [item.due_at.astimezone(self.tz).strftime(DATE_FORMAT), item.text, ""]

    def publish(self, item: PublishRequest) -> PublishResult:
        path = self.path_for(item.brand, item.platform)
        keys_path = path.with_name(path.name + ".keys")
        new = self.row(item)
        with locked(path):
            keys = _read_keys(keys_path)
            if item.idempotency_key not in keys:
                rows = _read_rows(path)
                if new not in rows:
                    rows.append(new)
                    write_atomic(path, _render(rows))
                keys.append(item.idempotency_key)
                write_atomic(keys_path, json.dumps(keys, indent=0).encode("utf-8"))
        return PublishResult(external_ref=str(path))


def _read_keys(path: Path) -> list[str]:
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return []


def _read_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    # Pad short rows (a file edited by hand) so that comparisons stay like for like.
    return [[*r, "", "", ""][:3] for r in csv.reader(io.StringIO(text, newline="")) if r]


def _render(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return out.getvalue().encode("utf-8")


def create(settings: Settings) -> CsvPublisher:
    """Hootsuite files in `<outbox>/hootsuite` (the `csv` entry point)."""
    return CsvPublisher(outbox_dir(settings) / "hootsuite")
