"""The programme calendar: weeks, phases, Thai public holidays, Buddhist-era dates.

Weeks are derived from an intake's start and length (never a stored table of dates);
holidays come from the ``holidays`` package, so in-lieu and bridge days are whatever the
Thai government declared and the package records.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from castctl.core.dates import (
    ACCEPTED_FORMS,
    BE_OFFSET,
    THAI_MONTHS_LONG,
    THAI_MONTHS_SHORT,
    parse_thai_date,
)
from castctl.errors import InputError

if TYPE_CHECKING:
    from holidays import HolidayBase

TIMEZONE = "Asia/Bangkok"

# Phase 2 of the course, as announced (BRIEF.md): Monday 3 July to Friday 1 December 2023.
PROGRAMME_START = dt.date(2023, 7, 3)
PROGRAMME_WEEKS = 22
PROGRAMME_END = dt.date(2023, 12, 1)  # the Friday of week 22
PILOT_WEEKS = 2  # weeks 1-2 at a pilot district, the rest at a target district


@dataclass(frozen=True, slots=True)
class Holiday:
    date: dt.date
    name_en: str
    name_th: str


@dataclass(frozen=True, slots=True)
class Week:
    number: int
    phase: str  # "pilot" or "target"
    start: dt.date  # Monday
    end: dt.date  # Friday
    working_days: int
    holidays: tuple[Holiday, ...] = field(default=())


def today_in_bangkok() -> dt.date:
    # zoneinfo and the tz file are loaded here, not at import: --help and --as-of skip them.
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def parse_date(text: str, what: str = "date") -> dt.date:
    """A date in any form Thai offices write (``castctl.core.dates``: ISO, D/M/YYYY, Thai
    month names, Buddhist-era years), or a user error naming ``what`` and the accepted forms."""
    day = parse_thai_date(text) if isinstance(text, str) else None
    if day is None:
        from castctl.core.text import quotable

        if isinstance(text, str) and quotable(text):
            raise InputError(f"{what} {text!r} is not a date; use {ACCEPTED_FORMS}")
        # Never a name or a note typed in the wrong place: only what was expected.
        said = "not a date" if what == "date" else f"{what} is not a date"
        raise InputError(f"{said}; use {ACCEPTED_FORMS}")
    return day


def thai_holidays(start: dt.date, end: dt.date) -> list[Holiday]:
    """Thai public holidays on weekdays from ``start`` to ``end``, named in English and Thai."""
    years = range(start.year, end.year + 1)
    thailand = thailand_holidays()
    en = thailand(years=years, language="en_US")
    th = thailand(years=years, language="th")
    return [
        Holiday(day, en[day], th.get(day, en[day]))
        for day in sorted(en)
        if start <= day <= end and day.weekday() < 5
    ]


@functools.cache
def thailand_holidays() -> Callable[..., HolidayBase]:
    """What makes the ``holidays`` package's holidays of Thailand: called with ``years`` and
    ``language``, it returns the same holidays as ``holidays.country_holidays("TH", ...)``.

    ``country_holidays`` imports the package ``holidays.countries``, whose ``__init__`` imports
    every country's module (~250 of them, ~0.2 s: most of an ``intakes import``), and the
    package offers no way to load one country alone (holidays 0.109). So, unless
    ``holidays.countries`` is imported already, this runs ``holidays/countries/thailand.py``
    alone and takes its public class ``Thailand`` (see :func:`_load_alone`). When that is not
    possible (another version of holidays moved the file or the class), it is the package's
    own ``country_holidays``: slower, never different.
    """
    import holidays  # ~75 ms: only when a timeline is (re)built

    if "holidays.countries" not in sys.modules:
        thailand = _load_alone("holidays.countries", "thailand", "Thailand")
        if (
            thailand is not None
            and issubclass(thailand, holidays.HolidayBase)
            and getattr(thailand, "country", None) == "TH"
        ):
            return thailand
    return functools.partial(holidays.country_holidays, "TH")


def _load_alone(package: str, module: str, name: str) -> type | None:
    """The class ``name`` of the module ``package.module``, run from its file without importing
    ``package`` (its ``__init__``), or None when that fails.

    The module is found on the package's path and executed as a module object of its own:
    nothing is added to ``sys.modules`` (neither the module nor a stand-in for its package), so
    a later ``import package`` or ``import package.module`` anywhere in the process is the
    ordinary import and makes its own copy. Whatever the module imports is imported as usual.
    """
    try:
        found = importlib.util.find_spec(package)  # imports the parent of ``package`` only
        if found is None or not found.submodule_search_locations:
            return None
        where = list(found.submodule_search_locations)
        spec = importlib.machinery.PathFinder.find_spec(f"{package}.{module}", where)
        if spec is None or spec.loader is None:
            return None
        code = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(code)
        loaded = getattr(code, name, None)
    except Exception:  # any failure: the caller takes the ordinary way
        return None
    return loaded if isinstance(loaded, type) else None


def holidays_between(
    start: dt.date, end: dt.date, closures: tuple[tuple[dt.date, str], ...] = ()
) -> list[Holiday]:
    """The weekdays off from ``start`` to ``end``: Thai public holidays of every year the span
    touches, plus the intake's own ``closures`` (date, name), sorted by date.

    A closure on a day the package already knows as a public holiday adds nothing: the day is
    off once, under the public holiday's English and Thai names. A closure carries one name,
    used for both languages (coordinators write it in whichever language they use).
    """
    days_off = {h.date: h for h in thai_holidays(start, end)}
    for day, name in closures:
        if start <= day <= end and day.weekday() < 5 and day not in days_off:
            days_off[day] = Holiday(day, name, name)
    return [days_off[day] for day in sorted(days_off)]


def build_weeks(
    start: dt.date = PROGRAMME_START,
    *,
    weeks: int = PROGRAMME_WEEKS,
    pilot_weeks: int = PILOT_WEEKS,
    closures: tuple[tuple[dt.date, str], ...] = (),
    holidays: list[Holiday] | None = None,
) -> list[Week]:
    """An intake's Monday-Friday weeks with their phase, holidays and working days.

    Week N runs from the Monday ``start + 7(N-1)`` days to that Friday; weeks 1..``pilot_weeks``
    are the pilot phase, the rest the target phase. ``holidays`` replaces the public holidays
    and ``closures`` (tests pass a fixed list); by default they come from :func:`holidays_between`.
    With no arguments this is the 2023 intake (2566): 22 weeks from 3 July, 2 pilot weeks.
    """
    if start.weekday() != 0:
        raise ValueError(f"an intake starts on a Monday, not on {start:%A} {start}")
    if weeks < 1 or not 0 <= pilot_weeks <= weeks:
        raise ValueError(f"bad intake length: {weeks} weeks with {pilot_weeks} pilot weeks")
    end = last_friday(start, weeks)
    if holidays is None:
        holidays = holidays_between(start, end, closures)
    out = []
    for number in range(1, weeks + 1):
        monday = start + dt.timedelta(weeks=number - 1)
        friday = monday + dt.timedelta(days=4)
        days_off = tuple(h for h in holidays if monday <= h.date <= friday)
        out.append(
            Week(
                number=number,
                phase="pilot" if number <= pilot_weeks else "target",
                start=monday,
                end=friday,
                working_days=5 - len(days_off),
                holidays=days_off,
            )
        )
    return out


def last_friday(start: dt.date, weeks: int) -> dt.date:
    """The Friday of the last of ``weeks`` weeks starting on the Monday ``start``."""
    return start + dt.timedelta(weeks=weeks - 1, days=4)


def current_week(weeks: list[Week], as_of: dt.date) -> Week | None:
    """The week whose Monday-Sunday span holds ``as_of`` (Saturday: the week just ended)."""
    for week in weeks:
        if week.start <= as_of <= week.start + dt.timedelta(days=6):
            return week
    return None


def elapsed_weeks(weeks: list[Week], as_of: dt.date) -> int:
    """How many weeks have ended (their Friday is on or before ``as_of``)."""
    return sum(1 for w in weeks if w.end <= as_of)


def working_days_done(weeks: list[Week], as_of: dt.date) -> tuple[int, int]:
    """(working days on or before ``as_of``, all working days of the programme)."""
    done = total = 0
    for week in weeks:
        off = {h.date for h in week.holidays}
        for offset in range(5):
            day = week.start + dt.timedelta(days=offset)
            if day in off:
                continue
            total += 1
            if day <= as_of:
                done += 1
    return done, total


def thai_date(day: dt.date, *, long: bool = False) -> str:
    """A Buddhist-era date: "3 ก.ค. 66" (short) or "3 กรกฎาคม 2566" (long)."""
    year = day.year + BE_OFFSET
    if long:
        return f"{day.day} {THAI_MONTHS_LONG[day.month - 1]} {year}"
    return f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {year % 100:02d}"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the programme stands on a given day."""

    as_of: dt.date
    state: str  # "before" | "running" | "after"
    current_week: int | None
    weeks: int
    days_done: int
    days_total: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.days_done / self.days_total) if self.days_total else 0


def standing(weeks: list[Week], as_of: dt.date) -> Standing:
    done, total = working_days_done(weeks, as_of)
    week = current_week(weeks, as_of)
    if as_of < weeks[0].start:
        state = "before"
    elif as_of > weeks[-1].end and week is None:
        state = "after"
    else:
        state = "running"
    return Standing(as_of, state, week.number if week else None, len(weeks), done, total)
