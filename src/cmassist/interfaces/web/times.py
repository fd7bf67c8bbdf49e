"""Times on the page: the user's time zone, times shown and typed, the weeks of the
calendar."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmassist.domain.errors import InputError
from cmassist.domain.timeutil import from_epoch, parse_iso
from cmassist.interfaces.i18n import Translator

# Offered in the time-zone picker; any IANA name can be typed, and the browser's own zone
# is filled in when the page loads.
ZONES = [
    "UTC",
    "America/Toronto",
    "America/Montreal",
    "America/Vancouver",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
]
WEEK_DAYS = 7
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_zone_name() -> str:
    """The server's IANA time zone, used until the browser says its own."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "UTC"
    return name


def read_zone(name: str | None) -> ZoneInfo:
    """The time zone picked or typed at the top of the page (UTC when empty)."""
    try:
        return ZoneInfo((name or "").strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise InputError(
            f"unknown time zone {name!r}",
            "choose one from the list, or type a name such as America/Toronto",
        ) from e


def when(moment: datetime | None, tz: ZoneInfo, *, seconds: bool = False) -> str:
    """A moment as the page shows it, in `tz`; empty for none."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def read_publish_time(value: str | float | None, tz: ZoneInfo, now: datetime) -> datetime:
    """A publishing time typed or picked by the user; without an offset it is in `tz`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("no publishing time", "pick a date and time")
    try:
        at = (
            from_epoch(value) if isinstance(value, int | float) else parse_iso(value, default_tz=tz)
        )
    except (ValueError, OverflowError, OSError) as e:
        raise InputError(
            f"cannot read the time {value!r}", "use YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:00"
        ) from e
    if at < now - timedelta(minutes=1):
        raise InputError(f"{when(at, tz)} ({tz.key}) is in the past", "pick a later time")
    return at


def monday(day: str | None, today: date) -> date:
    """The Monday of the week that holds `day` (YYYY-MM-DD), or of this week."""
    text = (day or "").strip()
    if text:
        try:
            today = date.fromisoformat(text[:10])
        except ValueError as e:
            raise InputError(
                f"cannot read the day {text!r}", "use YYYY-MM-DD, e.g. 2026-12-01"
            ) from e
    return today - timedelta(days=today.weekday())


def day_label(day: date, tr: Translator, *, year: bool = False) -> str:
    """ "Mon 7 Dec" / "lun. 7 déc.", whatever the server's locale."""
    label = f"{tr(WEEKDAYS[day.weekday()])} {day.day} {tr(MONTHS[day.month - 1])}"
    return label + (f" {day.year}" if year else "")
