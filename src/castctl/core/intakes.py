"""Intakes (รุ่น): each run of phase 2 with its own dates, pilot districts and closures.

Pure domain code: validating an intake document (the mapping read from an intake YAML file),
the built-in 2023 intake ``2566``, the rules that block an update, and which intake a command
works on. Storage and commands live elsewhere; they hand plain values in and get these back.

Where the contract is silent:
- List items are numbered from 1 in messages (``pilot_districts[2]`` is the second ``-`` item),
  as a coordinator counts them in the file, the way import errors number rows as a spreadsheet.
- An intake name is 1-40 ASCII letters, digits, ``-`` and ``_``, not starting with ``-`` or
  ``_``; it goes into ``--intake``, ``CASTCTL_INTAKE``, file names and ICS UIDs unchanged.
- A closure names its day (``name`` is required, like ``date``); it must be a weekday inside the
  intake's weeks, once: a Saturday or a date in another year is a typo, not a day off.
- Pilot districts keep the order of the file; a district may be given as a bare code or name
  (``- "4001"``) as well as ``- district: "4001"``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from castctl.core import calendar
from castctl.core.emails import join_emails, split_emails
from castctl.core.reference import DistrictIndex, UnknownName, pilot_districts
from castctl.core.text import quotable
from castctl.errors import CastError, InputError, NotFoundError

BUILTIN_NAME = "2566"
BUILTIN_TITLE = "MOI SMART Agent for CAST"
ENV_VAR = "CASTCTL_INTAKE"

MIN_WEEKS, MAX_WEEKS = 3, 52
MAX_NAME_LENGTH = 40
# A leading '-' would read as an option after --intake; '_' first is reserved for tools.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

TOP_KEYS = ("name", "title", "start", "weeks", "pilot_weeks", "pilot_districts", "closures")
PILOT_KEYS = ("district", "mentor_name", "mentor_email", "capacity")
CLOSURE_KEYS = ("date", "name")

# Checks one mentor address and returns it normalised; raises ValueError or CastError whose
# message says what is wrong without repeating the address (it is personal data).
EmailCheck = Callable[[str], str]


class Closure(NamedTuple):
    """A day off the ``holidays`` package does not know (an office closure)."""

    date: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class IntakePilot:
    """A pilot district of an intake and, optionally, its mentor's settings."""

    code: str
    mentor_name: str | None = None
    mentor_email: str | None = None
    capacity: int | None = None  # as `mentors set --capacity`; None: ceil(active / P)


@dataclass(frozen=True, slots=True)
class Intake:
    name: str
    title: str | None
    start: dt.date  # a Monday
    weeks: int
    pilot_weeks: int
    pilot_districts: tuple[IntakePilot, ...]
    closures: tuple[Closure, ...] = ()

    @property
    def end(self) -> dt.date:
        """The Friday of the last week."""
        return calendar.last_friday(self.start, self.weeks)

    @property
    def last_day_running(self) -> dt.date:
        """The Sunday after the last Friday: reports for the last week still come in then."""
        return self.end + dt.timedelta(days=2)

    @property
    def pilot_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.pilot_districts)

    @property
    def pilot_count(self) -> int:
        """P, the number of pilot districts (so of mentors): pass it as ``n_mentors`` to
        ``core.plan.mentor_capacity`` and as ``n_places`` to ``core.solver.department_caps``."""
        return len(self.pilot_districts)

    def status(self, as_of: dt.date) -> str:
        """'upcoming', 'running' (start Monday to the Sunday after the last Friday) or 'ended'."""
        if as_of < self.start:
            return "upcoming"
        if as_of <= self.last_day_running:
            return "running"
        return "ended"

    def build_weeks(self) -> list[calendar.Week]:
        """The intake's weeks, phases, holidays (every year it spans) and closures."""
        return calendar.build_weeks(
            self.start,
            weeks=self.weeks,
            pilot_weeks=self.pilot_weeks,
            closures=tuple(self.closures),
        )


@cache
def builtin_intake() -> Intake:
    """Intake 2566: phase 2 as announced in 2023, with the pilot districts of the data file."""
    return Intake(
        name=BUILTIN_NAME,
        title=BUILTIN_TITLE,
        start=calendar.PROGRAMME_START,
        weeks=calendar.PROGRAMME_WEEKS,
        pilot_weeks=calendar.PILOT_WEEKS,
        pilot_districts=tuple(IntakePilot(p.code) for p in pilot_districts()),
    )


# ---------------------------------------------------------------------------------------------
# Mentor capacity and department spread with P pilot districts


def default_mentor_capacity(intake: Intake, active: int, explicit: int | None = None) -> int:
    """A mentor's capacity in ``intake``: ``explicit`` if set, else ceil(active / P)."""
    # Here, not at the top: every command imports this module to choose its intake, and the
    # solver module (about 20 ms) is only for the commands that place trainees.
    from castctl.core.plan import mentor_capacity

    return mentor_capacity(explicit, active, n_mentors=intake.pilot_count)


def department_spread(intake: Intake, departments: Iterable[str]) -> dict[str, int]:
    """At most ceil(department's trainees / P) of a department per pilot district."""
    from castctl.core.solver import department_caps

    return department_caps(departments, n_places=intake.pilot_count)


# ---------------------------------------------------------------------------------------------
# Reading an intake document


def parse_intake(
    doc: Mapping[Any, Any], districts: DistrictIndex, *, check_email: EmailCheck | None = None
) -> Intake:
    """Validate an intake document completely and return the intake.

    Every problem is collected first and raised together in one :class:`InputError`, each
    naming its key (``pilot_districts[2]: unknown district 'X'; did you mean …?``), so a
    coordinator fixes the file in one go. ``check_email`` checks mentor addresses (the caller
    passes the project's validator); without it an address only has to be text.
    """
    if not isinstance(doc, Mapping):
        raise InputError(
            f"the intake file must be a mapping of keys (name, start, weeks, …), not {_kind(doc)}"
        )
    problems: list[str] = []
    _refuse_unknown_keys(doc, TOP_KEYS, "", problems)

    name = _parse_name(doc.get("name"), problems)
    title = _optional_text(doc.get("title"), "title", problems)
    start = _parse_start(doc.get("start"), problems)
    weeks = _parse_weeks(doc.get("weeks"), problems)
    pilot_weeks = _parse_pilot_weeks(doc.get("pilot_weeks"), weeks, problems)
    pilots = _parse_pilots(doc.get("pilot_districts"), districts, check_email, problems)
    end = calendar.last_friday(start, weeks) if start and weeks else None
    closures = _parse_closures(doc.get("closures"), start, end, problems)

    if problems:
        n = len(problems)
        raise InputError(f"the intake file has {n} problem{'s' if n != 1 else ''}", problems)
    assert name and start and weeks and pilot_weeks  # no problems: every field was set
    return Intake(name, title, start, weeks, pilot_weeks, tuple(pilots), tuple(closures))


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _refuse_unknown_keys(
    mapping: Mapping[Any, Any], allowed: tuple[str, ...], prefix: str, problems: list[str]
) -> None:
    for key in mapping:
        if key in allowed:
            continue
        text = str(key)
        close = difflib.get_close_matches(text.strip().lower(), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f" (expected {', '.join(allowed)})"
        problems.append(f"{prefix}{text}: unknown key{hint}")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value: object) -> int | None:
    """An int, or text of digits (a quoted number); None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _optional_text(value: object, key: str, problems: list[str]) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f"{key}: expected text, not {_kind(value)}")
        return None
    return str(value).strip()


def _parse_date(value: object, key: str, problems: list[str]) -> dt.date | None:
    """A YAML date, or text in a form ``calendar.parse_date`` reads."""
    if isinstance(value, dt.datetime):
        problems.append(f"{key}: expected a date (YYYY-MM-DD), not a date and time")
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return calendar.parse_date(value, "date")
        except CastError as exc:
            problems.append(f"{key}: {exc.message}")
            return None
    problems.append(f"{key}: expected a date (YYYY-MM-DD), not {_kind(value)}")
    return None


def _parse_name(value: object, problems: list[str]) -> str | None:
    if _is_blank(value):
        problems.append("name: required (letters, digits, '-' and '_', such as \"2567\")")
        return None
    # `name: 2567` without quotes is a YAML number; it means the same as "2567".
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append(f"name: expected text (letters, digits, '-' and '_'), not {_kind(value)}")
        return None
    name = str(value).strip()
    if len(name) > MAX_NAME_LENGTH:
        problems.append(f"name: at most {MAX_NAME_LENGTH} characters, not {len(name)}")
        return None
    if not _NAME.fullmatch(name):
        typed = f"{name!r} " if quotable(name) else ""  # never a person's name or a note
        problems.append(
            f"name: {typed}may hold only letters, digits, '-' and '_' "
            "and starts with a letter or digit"
        )
        return None
    return name


def _parse_start(value: object, problems: list[str]) -> dt.date | None:
    if _is_blank(value):
        problems.append("start: required (the first Monday, YYYY-MM-DD)")
        return None
    start = _parse_date(value, "start", problems)
    if start is None:
        return None
    if start.weekday() != 0:
        before = start - dt.timedelta(days=start.weekday())
        after = before + dt.timedelta(weeks=1)
        problems.append(
            f"start: {start.isoformat()} is a {start:%A}; an intake starts on a Monday "
            f"({before.isoformat()} or {after.isoformat()}?)"
        )
        return None
    return start


def _parse_weeks(value: object, problems: list[str]) -> int | None:
    bound = f"from {MIN_WEEKS} to {MAX_WEEKS}"
    return _whole_number_in(value, "weeks", MIN_WEEKS, MAX_WEEKS, bound, problems)


def _parse_pilot_weeks(value: object, weeks: int | None, problems: list[str]) -> int | None:
    # Without a valid `weeks` only the lower bound can be checked; `weeks` has its own problem.
    bound = f"from 1 to {weeks - 1} (weeks - 1)" if weeks else "from 1 to weeks - 1"
    highest = weeks - 1 if weeks is not None else None
    return _whole_number_in(value, "pilot_weeks", 1, highest, bound, problems)


def _whole_number_in(
    value: object, key: str, lowest: int, highest: int | None, bound: str, problems: list[str]
) -> int | None:
    """``value`` as a whole number from ``lowest`` to ``highest`` (``None``: no upper bound to
    check), else a problem naming ``key`` and saying ``bound``."""
    if _is_blank(value):
        problems.append(f"{key}: required (a whole number {bound})")
        return None
    number = _whole_number(value)
    if number is None:
        problems.append(f"{key}: expected a whole number {bound}")
        return None
    if number < lowest or (highest is not None and number > highest):
        problems.append(f"{key}: {number} is not {bound}")
        return None
    return number


def _parse_pilots(
    value: object,
    districts: DistrictIndex,
    check_email: EmailCheck | None,
    problems: list[str],
) -> list[IntakePilot]:
    if _is_blank(value):
        problems.append("pilot_districts: required (a list of one or more districts)")
        return []
    if not isinstance(value, list):
        problems.append(f"pilot_districts: expected a list of districts, not {_kind(value)}")
        return []
    if not value:
        problems.append("pilot_districts: needs at least one district")
        return []
    pilots: list[IntakePilot] = []
    first_seen: dict[str, str] = {}  # district code -> the key where it was first given
    for number, item in enumerate(value, start=1):
        key = f"pilot_districts[{number}]"
        if isinstance(item, str | int) and not isinstance(item, bool):
            item = {"district": item}  # the short form `- "4001"`
        if not isinstance(item, Mapping):
            problems.append(
                f"{key}: expected a district (district: CODE or name, and optionally "
                f"mentor_name, mentor_email, capacity), not {_kind(item)}"
            )
            continue
        before = len(problems)
        _refuse_unknown_keys(item, PILOT_KEYS, f"{key}.", problems)
        code = _resolve_district(item.get("district"), key, districts, problems)
        if code is not None:
            if code in first_seen:
                given = str(item.get("district")).strip()
                same = f"district {code}" if given == code else f"{given!r} is district {code},"
                problems.append(
                    f"{key}: {same} already given as {first_seen[code]}; each pilot district once"
                )
            else:
                first_seen[code] = key
        mentor_name = _optional_text(item.get("mentor_name"), f"{key}.mentor_name", problems)
        mentor_email = _parse_email(item.get("mentor_email"), key, check_email, problems)
        capacity = _parse_capacity(item.get("capacity"), key, problems)
        if len(problems) == before and code is not None:
            pilots.append(IntakePilot(code, mentor_name, mentor_email, capacity))
    return pilots


def _resolve_district(
    value: object, key: str, districts: DistrictIndex, problems: list[str]
) -> str | None:
    if _is_blank(value):
        problems.append(f"{key}.district: required (a district code or name)")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append(f"{key}.district: expected a district code or name, not {_kind(value)}")
        return None
    try:
        return districts.find(str(value)).code
    except NotFoundError as exc:
        # "unknown district 'X'; did you mean 'Y'?" or "… is ambiguous: use a code (…)"; what
        # was typed is quoted only when it cannot be a person's name or a note.
        if isinstance(exc, UnknownName) and not exc.suggestions and not quotable(str(value)):
            problems.append(f"{key}: not a district code or name")
        else:
            problems.append(f"{key}: {exc.message}")
        return None


def _parse_email(
    value: object, key: str, check_email: EmailCheck | None, problems: list[str]
) -> str | None:
    """One address, or a list of them (a mentor with several addresses); several are kept
    ``;``-joined as ``mentors set --email … --email …`` stores them."""
    if isinstance(value, list):
        items = [(f"{key}.mentor_email[{n}]", item) for n, item in enumerate(value, start=1)]
    else:
        items = [(f"{key}.mentor_email", value)]
    addresses = []
    for where, item in items:
        email = _optional_text(item, where, problems)
        if email is not None and check_email is not None:
            # Syntax is the validator's job (core/emails.py, email-validator): the caller passes it.
            try:
                email = check_email(email)
            except (ValueError, CastError) as exc:
                reason = exc.message if isinstance(exc, CastError) else str(exc)
                problems.append(f"{where}: {reason}")
                email = None
        if email is not None:
            addresses.append(email)
    return join_emails(list(dict.fromkeys(addresses)))


def _parse_capacity(value: object, key: str, problems: list[str]) -> int | None:
    if _is_blank(value):
        return None
    capacity = _whole_number(value)
    if capacity is None or capacity < 1:
        problems.append(f"{key}.capacity: expected a whole number of trainees, 1 or more")
        return None
    return capacity


def _parse_closures(
    value: object, start: dt.date | None, end: dt.date | None, problems: list[str]
) -> list[Closure]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"closures: expected a list of {{date, name}}, not {_kind(value)}")
        return []
    closures: list[Closure] = []
    first_seen: dict[dt.date, str] = {}
    for number, item in enumerate(value, start=1):
        key = f"closures[{number}]"
        if not isinstance(item, Mapping):
            problems.append(f"{key}: expected a mapping with date and name, not {_kind(item)}")
            continue
        before = len(problems)
        _refuse_unknown_keys(item, CLOSURE_KEYS, f"{key}.", problems)
        day: dt.date | None = None
        if _is_blank(item.get("date")):
            problems.append(f"{key}.date: required (YYYY-MM-DD)")
        else:
            day = _parse_date(item.get("date"), f"{key}.date", problems)
        if day is not None:
            _check_closure_day(day, key, start, end, first_seen, problems)
        name: str | None = None
        if _is_blank(item.get("name")):
            problems.append(f"{key}.name: required (what the day off is)")
        else:
            name = _optional_text(item.get("name"), f"{key}.name", problems)
        if len(problems) == before and day is not None and name is not None:
            closures.append(Closure(day, name))
    return sorted(closures)


def _check_closure_day(
    day: dt.date,
    key: str,
    start: dt.date | None,
    end: dt.date | None,
    first_seen: dict[dt.date, str],
    problems: list[str],
) -> None:
    if day.weekday() >= 5:
        problems.append(f"{key}.date: {day.isoformat()} is a {day:%A}; closures are weekdays")
    elif start is not None and end is not None and not start <= day <= end:
        problems.append(
            f"{key}.date: {day.isoformat()} is outside the intake "
            f"({start.isoformat()} to {end.isoformat()})"
        )
    elif day in first_seen:
        problems.append(f"{key}.date: {day.isoformat()} is already {first_seen[day]}")
    else:
        first_seen[day] = key


# ---------------------------------------------------------------------------------------------
# Writing an intake out


def intake_document(intake: Intake) -> dict[str, Any]:
    """The contract's ``castctl intakes -f json`` object without ``trainees`` and ``status``
    (those come from the database and the as-of date)."""
    return {
        "name": intake.name,
        "title": intake.title,
        "start": intake.start.isoformat(),
        "end": intake.end.isoformat(),
        "weeks": intake.weeks,
        "pilot_weeks": intake.pilot_weeks,
        "pilot_districts": list(intake.pilot_codes),
    }


def intake_file_document(intake: Intake) -> dict[str, Any]:
    """The intake as an intake file's mapping: ``parse_intake`` of it gives the intake back,
    and ``yaml.safe_dump`` of it is a file ``castctl intakes import`` takes."""
    doc: dict[str, Any] = {"name": intake.name}
    if intake.title is not None:
        doc["title"] = intake.title
    doc.update(start=intake.start, weeks=intake.weeks, pilot_weeks=intake.pilot_weeks)
    pilots = []
    for pilot in intake.pilot_districts:
        item: dict[str, Any] = {"district": pilot.code}
        for key in ("mentor_name", "mentor_email", "capacity"):
            if getattr(pilot, key) is not None:
                item[key] = getattr(pilot, key)
        if len(addresses := split_emails(pilot.mentor_email)) > 1:
            item["mentor_email"] = addresses
        pilots.append(item)
    doc["pilot_districts"] = pilots
    if intake.closures:
        doc["closures"] = [{"date": c.date, "name": c.name} for c in intake.closures]
    return doc


# ---------------------------------------------------------------------------------------------
# Updating an intake


def check_update(
    old: Intake,
    new: Intake,
    *,
    has_placements_or_reports: bool,
    placed_pilot_codes: set[str],
) -> list[str]:
    """What blocks replacing ``old`` by ``new`` (empty: the update may go ahead).

    Once trainees are placed or have reported, moving or resizing the weeks would move their
    reports and placements under them, so ``start``, ``weeks`` and ``pilot_weeks`` are fixed.
    A pilot district that holds placed trainees cannot be dropped (their mentor would vanish).
    Adding pilot districts or closures, and changing titles or mentors, is always fine.
    """
    if old.name != new.name:
        raise ValueError(f"check_update compares one intake, not {old.name} and {new.name}")
    problems: list[str] = []
    if has_placements_or_reports:
        why = f"intake {old.name} already has placements or reports"
        for key in ("start", "weeks", "pilot_weeks"):
            before, after = getattr(old, key), getattr(new, key)
            if before != after:
                change = f"from {_show(before)} to {_show(after)}"
                problems.append(f"{key}: cannot change {change}: {why}")
    dropped = [c for c in old.pilot_codes if c not in set(new.pilot_codes)]
    for code in dropped:
        if code in placed_pilot_codes:
            problems.append(
                f"pilot_districts: district {code} cannot be dropped: trainees of intake "
                f"{old.name} are placed there"
            )
    return problems


def _show(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# ---------------------------------------------------------------------------------------------
# Which intake a command works on


def choose_intake(
    intakes: Iterable[Intake], *, name: str | None, env_name: str | None, as_of: dt.date
) -> Intake:
    """``--intake NAME`` > ``CASTCTL_INTAKE`` > the intake running on ``as_of`` > the one that
    ended most recently before it > the earliest upcoming one.

    Two intakes that tie on the date rule (both running, or ended on the same day, or starting
    on the same day) are never chosen between silently: the error names them and asks for
    ``--intake``.
    """
    known = sorted(intakes, key=lambda i: (i.start, i.name))
    if not known:
        raise CastError("there are no intakes; add one with `castctl intakes import FILE`")
    by_name = {i.name: i for i in known}
    for given, source in ((name, "--intake"), (env_name, ENV_VAR)):
        if given is not None and given.strip():
            return _find_by_name(by_name, given.strip(), source)

    running = [i for i in known if i.status(as_of) == "running"]
    if running:
        return _only(running, f"are running on {as_of.isoformat()}")
    ended = [i for i in known if i.status(as_of) == "ended"]
    if ended:
        latest = max(i.end for i in ended)
        return _only([i for i in ended if i.end == latest], f"ended on {latest.isoformat()}")
    earliest = min(i.start for i in known)  # nothing running or ended: all are upcoming
    return _only([i for i in known if i.start == earliest], f"start on {earliest.isoformat()}")


def _find_by_name(by_name: Mapping[str, Intake], given: str, source: str) -> Intake:
    if given in by_name:
        return by_name[given]
    names = list(by_name)
    # Case is ignored for suggestions only: a name is matched exactly.
    folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(given.casefold(), list(folded), n=3, cutoff=0.6)
    where = f" (from {ENV_VAR})" if source == ENV_VAR else ""
    if close:
        hint = "; did you mean " + " or ".join(repr(folded[c]) for c in close) + "?"
    else:
        hint = f"; the intakes are {', '.join(names)}"
    raise NotFoundError(f"unknown intake {given!r}{where}{hint}")


def _only(candidates: list[Intake], what: str) -> Intake:
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(i.name for i in candidates)
    raise CastError(
        f"{len(candidates)} intakes {what}: {names}; choose one with --intake NAME (or {ENV_VAR})"
    )
