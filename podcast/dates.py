"""Episode dates: the French way they are spoken, and the range an RSS feed can carry.

A date crosses the library as a :class:`datetime.date`; only the catalog keeps ISO strings.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .errors import InputError

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# RFC 2822 (the feed's pubDate) has no year before 1900.
FIRST_YEAR = 1900
# A date ahead schedules an episode (the feed lists it when its day comes); further than a year
# ahead it is a typo (9999-12-31) that would hide the episode for ever.
MAX_DAYS_AHEAD = 366
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def french_date(day: date) -> str:
    """How the intro says a date: "1er mars 2025", "14 juillet 2025"."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def utc_now() -> datetime:
    """Now, to the second: the catalog's timestamps."""
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """The default episode date: today in UTC, as the catalog's timestamps."""
    return utc_now().date()


def latest() -> date:
    """The last day an episode can be scheduled for: a year from today."""
    return today() + timedelta(days=MAX_DAYS_AHEAD)


def out_of_range(day: date) -> str | None:
    """What an episode date must be, when ``day`` is not that ("in 1900 or later"); None when it is.
    The front matter, ``--date`` and the library all say it with these words."""
    if day.year < FIRST_YEAR:
        return f"in {FIRST_YEAR} or later"
    if day > latest():
        return f"at most a year from today ({latest().isoformat()})"
    return None


def check(day: date) -> date:
    """``day`` when a feed can carry it and it is at most a year ahead; InputError otherwise
    (library words, no CLI flag)."""
    why = out_of_range(day)
    if why is not None:
        raise InputError(f"the episode date must be {why}, not {day.isoformat()}")
    return day


def parse(text: str) -> date:
    """A YYYY-MM-DD date, and only that form (not 20250101, not 2025-W01-1): ValueError otherwise.

    For the edges (the CLI, a caller holding text); the library itself takes dates."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    day = date.fromisoformat(text)  # ValueError for 2025-02-30
    if day.year < FIRST_YEAR:
        raise ValueError(f"{text!r} is before {FIRST_YEAR}")
    return day


def meta_day(value: object) -> date | None:
    """The day a source gives (e-mail Date, page or feed item date, front matter), when a feed can
    carry it: a date, a datetime or an ISO string; anything else, a year before 1900 or a day more
    than a year ahead is None (the front matter's own date is checked when it is read)."""
    day: date | None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            return None
    if day is None or out_of_range(day) is not None:
        return None
    return day
