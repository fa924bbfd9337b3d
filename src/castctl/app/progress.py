"""Progress of one intake: reports submitted against expected, grouped by trainee, pilot
district (mentor), week or department, with missing streaks and the coverage of mechanisms,
networks and SDGs. The weeks are the intake's; the pilot districts are its P."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from castctl.app.stores import Store
from castctl.core import progress
from castctl.core.calendar import elapsed_weeks
from castctl.core.intakes import Intake
from castctl.core.reference import DEPARTMENTS, DistrictIndex, find_department
from castctl.db import progress_queries
from castctl.db.districts import district_index
from castctl.db.timeline import load_weeks
from castctl.errors import InputError, NotFoundError

GROUPINGS = ("trainee", "district", "week", "department")


@dataclass(frozen=True, slots=True)
class Progress:
    """The rows of one grouping (``progress -f json``) and what the notes under them say."""

    rows: list[dict[str, Any]]
    intake: str  # the intake's name
    as_of: dt.date
    elapsed: int  # weeks ended on ``as_of``: the weeks that count
    weeks: int  # weeks of the intake
    expected: int  # over all rows
    submitted: int

    @property
    def percent(self) -> float | None:
        return progress.percent(self.submitted, self.expected)


def progress_rows(
    store: Store,
    intake: Intake,
    by: str,
    as_of: dt.date,
    *,
    district: str | None = None,
    department: str | None = None,
) -> Progress:
    """Reports of ``intake`` submitted against expected up to its weeks ended on ``as_of``, one
    row per trainee, pilot ``district``, ``week`` or ``department`` (``by``), optionally only
    the trainees of one of the intake's pilot districts (code or name) and/or a department."""
    name = intake.name
    weeks = load_weeks(store, name)
    elapsed = elapsed_weeks(weeks, as_of)
    scope = progress_queries.Scope(
        district=_pilot_code(store, intake, district) if district else None,
        department=find_department(department).code if department else None,
    )
    rows: list[dict[str, Any]]
    if by == "trainee":
        rows = sorted(
            (
                progress.trainee_row(raw, elapsed)
                for raw in progress_queries.trainee_figures(store, name, elapsed, scope)
            ),
            key=lambda r: r["trainee_id"],
        )
    elif by == "district":
        figures = progress_queries.group_figures(store, name, elapsed, scope, "district")
        rows = [
            progress.group_row(
                figures.get(d["code"], {}),
                elapsed,
                {"code": d["code"], "name_th": d["name_th"], "name_en": d["name_en"]},
            )
            for d in progress_queries.pilot_districts(store, name)
            if scope.district is None or d["code"] == scope.district
        ]
    elif by == "department":
        figures = progress_queries.group_figures(store, name, elapsed, scope, "department")
        rows = [
            progress.group_row(
                figures.get(d.code, {}),
                elapsed,
                {"department": d.code, "name_th": d.name_th, "name_en": d.name_en},
            )
            for d in DEPARTMENTS
            if scope.department is None or d.code == scope.department
        ]
    elif by == "week":
        placed = progress_queries.placed_count(store, name, scope)
        by_week = progress_queries.week_figures(store, name, elapsed, scope)
        rows = [
            progress.week_row(
                by_week.get(w.number, {}),
                placed,
                {
                    "week": w.number,
                    "phase": w.phase,
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                },
            )  # fmt: skip
            for w in weeks[:elapsed]
        ]
    else:
        raise ValueError(f"progress by {by!r}: group by one of {', '.join(GROUPINGS)}")
    total = progress.totals(rows)
    return Progress(rows, name, as_of, elapsed, len(weeks), total["expected"], total["submitted"])


def _pilot_code(store: Store, intake: Intake, district: str) -> str:
    """The code of ``district`` (code or name), one of the intake's pilot districts."""
    every = district_index(store)
    pilots = DistrictIndex(d for d in every.by_code.values() if d.code in intake.pilot_codes)
    try:
        return pilots.find(district).code
    except NotFoundError:
        try:
            other = every.find(district)
        except NotFoundError:
            other = None
        if other is None:
            raise
        raise InputError(
            f"--district: {other.name_en} ({other.code}) is not a pilot district of intake "
            f"{intake.name}; its pilot districts are {', '.join(sorted(intake.pilot_codes))}"
        ) from None
