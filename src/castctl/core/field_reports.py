"""What a weekly field report may say and when it may be submitted (pure: no I/O).

Mechanisms and networks are stored as their codes, ``;``-joined in vocabulary order, and SDGs
as ``;``-joined numbers in ascending order, so the same report always has the same text and
re-importing a file is recognised as "unchanged".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from castctl.core.calendar import Week
from castctl.core.text import name_key
from castctl.core.vocabulary import MECHANISMS, NETWORKS, SDGS
from castctl.errors import OptionRangeError

# The contract's week runs Monday to Sunday (a Saturday belongs to the week that just ended),
# so a report for the last week may still come in over its weekend.
GRACE_AFTER_LAST_FRIDAY = dt.timedelta(days=2)


def _key(text: str) -> str:
    # castctl's one canonical text; "civil_society" and "civil society" are one term.
    return name_key(text.replace("_", " "))


def _lookup(vocabulary: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Every accepted spelling (code, English label, Thai label) -> code."""
    table: dict[str, str] = {}
    for code, (english, thai) in vocabulary.items():
        for name in (code, english, thai):
            table[_key(name)] = code
    return table


_MECHANISM_NAMES = _lookup(MECHANISMS)
_NETWORK_NAMES = _lookup(NETWORKS)


@dataclass(frozen=True, slots=True)
class Terms:
    """Codes recognised (in vocabulary order, no repeats) and the items that were not."""

    codes: tuple[str, ...]
    unknown: tuple[str, ...]

    def joined(self) -> str:
        return ";".join(self.codes)


def _terms(items: Iterable[str], names: dict[str, str], order: Iterable[str]) -> Terms:
    found: set[str] = set()
    unknown: list[str] = []
    for item in items:
        code = names.get(_key(item))
        if code is None:
            unknown.append(item)
        else:
            found.add(code)
    return Terms(tuple(c for c in order if c in found), tuple(unknown))


def mechanisms(items: Iterable[str]) -> Terms:
    """Resolve mechanism names: code (``coordinate``), English or Thai label."""
    return _terms(items, _MECHANISM_NAMES, MECHANISMS)


def networks(items: Iterable[str]) -> Terms:
    """Resolve partner network names: code (``civil_society``), English or Thai label."""
    return _terms(items, _NETWORK_NAMES, NETWORKS)


@dataclass(frozen=True, slots=True)
class Goals:
    numbers: tuple[int, ...]
    bad: tuple[str, ...]

    def joined(self) -> str:
        return ";".join(str(n) for n in self.numbers)


def sdgs(items: Iterable[str]) -> Goals:
    """SDG numbers 1-17 (``SDG 4`` and ``4`` both accepted), ascending, no repeats."""
    found: set[int] = set()
    bad: list[str] = []
    for item in items:
        text = item.strip().upper().removeprefix("SDG").strip()
        if text.isdecimal() and int(text) in SDGS:
            found.add(int(text))
        else:
            bad.append(item)
    return Goals(tuple(sorted(found)), tuple(bad))


def vocabulary_hint(vocabulary: dict[str, tuple[str, str]]) -> str:
    return ", ".join(vocabulary)


def submission_problem(week: Week, on: dt.date, weeks: list[Week]) -> str | None:
    """Why a report for ``week`` cannot have been submitted on ``on``, or None if it can.

    ``weeks`` are the intake's, 1..N. A report is written once the week's work has started (not
    before its Monday, so never before the intake starts) and within the intake: at the latest
    on the Sunday after its last Friday.
    """
    if on < week.start:
        return f"{on} is before week {week.number} starts ({week.start:%a %Y-%m-%d})"
    last_day = weeks[-1].end + GRACE_AFTER_LAST_FRIDAY
    if on > last_day:
        return (
            f"{on} is after the intake (it ended on {weeks[-1].end:%a %Y-%m-%d}; reports "
            f"are accepted until {last_day:%a %Y-%m-%d})"
        )
    return None


def is_programme_week(number: int, count: int) -> bool:
    """Whether ``number`` is one of the ``count`` weeks of the intake (1..count)."""
    return 1 <= number <= count


def programme_week(weeks: Sequence[Week], number: int, intake: str | None = None) -> Week:
    """Week ``number`` (given as ``--week``) of the intake whose weeks are ``weeks`` (named
    ``intake`` in the message), or an ``OptionRangeError`` (exit 2, a usage error: the range is
    documented as 1 to the intake's weeks)."""
    if not is_programme_week(number, len(weeks)):
        whose = f"intake {intake}'s" if intake else "the intake's"
        raise OptionRangeError(
            "--week", f"{number} is not in the range 1-{len(weeks)} ({whose} weeks)"
        )
    return weeks[number - 1]


def parse_week(text: str, count: int) -> int | None:
    """A week number 1..count from text (``16``, ``16.0`` from a spreadsheet), else None."""
    value = text.strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not value.isdecimal():
        return None
    number = int(value)
    return number if is_programme_week(number, count) else None


def reporter_problem(trainee_id: str, status: str | None) -> str | None:
    """Why ``trainee_id`` cannot report (unknown: ``status`` None; not active), or None.

    Only active trainees owe and send reports; a withdrawn one's history stays as it was.
    """
    if status is None:
        return f"no trainee with id {trainee_id!r}"
    if status != "active":
        return f"trainee {trainee_id} is {status}; reports are taken from active trainees only"
    return None
