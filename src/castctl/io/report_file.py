"""Validating a weekly-report file (CSV/XLSX) against the cohort and the calendar.

Pure over a ``Sheet`` and plain lookups (trainee id -> status, the weeks): every bad cell of
every row is collected, and one ``InputError`` lists them all, so nothing is written unless the
whole file is good. Lookups are dictionaries and sets, never a query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from castctl.core import field_reports
from castctl.core.calendar import Week
from castctl.core.dates import ACCEPTED_FORMS, looks_like_a_date, parse_thai_date
from castctl.core.progress import COVERAGE_KINDS
from castctl.core.records import ReportRow
from castctl.core.text import KnownIds, id_text, lost_zeros_message
from castctl.core.vocabulary import MECHANISMS, NETWORKS
from castctl.errors import InputError
from castctl.io.cells import quotable, shown
from castctl.io.tabular import Problems, Sheet, split_list

_T = TypeVar("_T")

REPORT_REQUIRED = ("trainee_id", "week", "submitted_on")
REPORT_OPTIONAL = ("mechanisms", "networks", "sdgs", "note")


def parse_submission_date(text: str) -> dt.date | None:
    """A date in any form of ``castctl.core.dates`` (ISO, D/M/YYYY, Thai month names,
    Buddhist-era years); a spreadsheet timestamp (``2023-10-20T09:30:00``) counts as its date."""
    return parse_thai_date(text)


def _trainee_cell(statuses: Mapping[str, str]) -> Callable[[str], tuple[str, str | None]]:
    """(stored trainee id, None) or ("", why not) for an id cell: ``t001``, ``Ｔ００１`` and
    ``T001`` with a zero-width space are the stored ``T001``; ``42`` is refused when ``00042``
    is stored."""
    known = KnownIds(statuses)

    def resolve(text: str) -> tuple[str, str | None]:
        if not text:
            return "", "is empty"
        trainee_id = text if text in statuses else known.get(text)
        if trainee_id is None:
            if (padded := known.lost_zeros(text)) is not None:
                return "", lost_zeros_message(id_text(text), padded)
            typed = id_text(text)
            if not quotable(typed):  # a name or a note in the id column: not printed back
                return "", "no trainee with that id"
            return "", field_reports.reporter_problem(typed, None)
        return trainee_id, field_reports.reporter_problem(trainee_id, statuses[trainee_id])

    return _memo(resolve)


def _memo(fn: Callable[[str], _T]) -> Callable[[str], _T]:
    """``fn`` remembered per distinct cell text: a 220,000-row file has a few hundred distinct
    dates and vocabulary lists, so each is parsed once."""
    seen: dict[str, _T] = {}

    def cached(text: str) -> _T:
        try:
            return seen[text]
        except KeyError:
            value = seen[text] = fn(text)
            return value

    return cached


def _vocabulary_cell(
    resolve: Callable[[Iterable[str]], field_reports.Terms], vocabulary: dict[str, tuple[str, str]]
) -> Callable[[str], tuple[str, str | None]]:
    def parse(text: str) -> tuple[str, str | None]:
        terms = resolve(split_list(text))
        if terms.unknown:
            return "", (
                f"unknown {', '.join(shown(t, what='term') for t in terms.unknown)}; use "
                f"{field_reports.vocabulary_hint(vocabulary)} (or their Thai names)"
            )
        return terms.joined(), None

    return _memo(parse)


def _sdg_cell(text: str) -> tuple[str, str | None]:
    goals = field_reports.sdgs(split_list(text))
    if goals.bad:
        return "", f"{', '.join(shown(g) for g in goals.bad)}: SDGs are numbers 1-17"
    return goals.joined(), None


def parse_reports(
    sheet: Sheet,
    statuses: Mapping[str, str],
    weeks: list[Week],
    *,
    track: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items,
) -> list[ReportRow]:
    """Clean report rows from ``sheet``, or ``InputError`` listing every bad cell."""
    if not len(sheet):
        # A header with nothing under it is almost always the wrong sheet or a failed export.
        raise InputError(f"{sheet.path.name} has a header row but no data rows; nothing written")
    problems = Problems(sheet.path)
    by_number = {w.number: w for w in weeks}
    trainee_of = _trainee_cell(statuses)
    week_of = _memo(lambda text: field_reports.parse_week(text, len(weeks)))
    date_of = _memo(parse_submission_date)
    mechanisms_of = _vocabulary_cell(field_reports.mechanisms, MECHANISMS)
    networks_of = _vocabulary_cell(field_reports.networks, NETWORKS)
    sdgs_of = _memo(_sdg_cell)
    timing: dict[tuple[int, dt.date], str | None] = {}
    seen: dict[tuple[str, int], int] = {}
    out: list[ReportRow] = []
    columns = (*REPORT_REQUIRED, *REPORT_OPTIONAL)
    for number, cells in track(sheet.project(columns)):
        week_text, date_text, mech_text, nets_text, sdgs_text, note = cells[1:]
        ok = True
        trainee_id, why = trainee_of(cells[0])
        if why is not None:
            problems.add(number, "trainee_id", why)
            ok = False
        week_no = week_of(week_text)
        if week_no is None:
            problems.add(number, "week", f"{shown(week_text)} is not a week number 1-{len(weeks)}")
            ok = False
        on = date_of(date_text)
        if on is None:
            value = repr(date_text) if looks_like_a_date(date_text) else shown(date_text)
            problems.add(number, "submitted_on", f"{value} is not a date; use {ACCEPTED_FORMS}")
            ok = False
        elif week_no is not None:
            key = (week_no, on)
            if key not in timing:
                timing[key] = field_reports.submission_problem(by_number[week_no], on, weeks)
            if (why := timing[key]) is not None:
                problems.add(number, "submitted_on", why)
                ok = False
        mech, mech_why = mechanisms_of(mech_text)
        nets, nets_why = networks_of(nets_text)
        goals, goals_why = sdgs_of(sdgs_text)
        if mech_why is not None or nets_why is not None or goals_why is not None:
            for column, why in zip(COVERAGE_KINDS, (mech_why, nets_why, goals_why), strict=True):
                if why is not None:
                    problems.add(number, column, why)
            ok = False
        if week_no is not None and trainee_id:
            first = seen.setdefault((trainee_id, week_no), number)
            if first != number:
                problems.add(
                    number,
                    "week",
                    f"a second report for {trainee_id}, week {week_no} (first on row {first})",
                )
                ok = False
        if ok and week_no is not None and on is not None:
            out.append(ReportRow(trainee_id, week_no, on, mech, nets, goals, note))
    problems.raise_if_any()
    return out
