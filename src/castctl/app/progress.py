"""Progress: reports submitted against expected, grouped by trainee, pilot district (mentor),
week or department, with missing streaks and the coverage of mechanisms, networks and SDGs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from castctl.app.stores import Store
from castctl.core import progress
from castctl.core.calendar import elapsed_weeks
from castctl.core.reference import DEPARTMENTS, find_department
from castctl.db import progress_queries
from castctl.db.districts import district_index
from castctl.db.timeline import load_weeks

GROUPINGS = ("trainee", "district", "week", "department")


@dataclass(frozen=True, slots=True)
class Progress:
    """The rows of one grouping (``progress -f json``) and what the notes under them say."""

    rows: list[dict[str, Any]]
    as_of: dt.date
    elapsed: int  # weeks ended on ``as_of``: the weeks that count
    weeks: int  # weeks of the programme
    expected: int  # over all rows
    submitted: int

    @property
    def percent(self) -> float | None:
        return progress.percent(self.submitted, self.expected)


def progress_rows(
    store: Store,
    by: str,
    as_of: dt.date,
    *,
    district: str | None = None,
    department: str | None = None,
) -> Progress:
    """Reports submitted against expected up to the weeks ended on ``as_of``, one row per
    trainee, pilot ``district``, ``week`` or ``department`` (``by``), optionally only the
    trainees of one pilot district (code or name) and/or department."""
    weeks = load_weeks(store)
    elapsed = elapsed_weeks(weeks, as_of)
    scope = progress_queries.Scope(
        district=district_index(store, pilot_only=True).find(district).code if district else None,
        department=find_department(department).code if department else None,
    )
    rows: list[dict[str, Any]]
    if by == "trainee":
        rows = sorted(
            (
                progress.trainee_row(raw, elapsed)
                for raw in progress_queries.trainee_figures(store, elapsed, scope)
            ),
            key=lambda r: r["trainee_id"],
        )
    elif by == "district":
        figures = progress_queries.group_figures(store, elapsed, scope, "district")
        rows = [
            progress.group_row(
                figures.get(d["code"], {}),
                elapsed,
                {"code": d["code"], "name_th": d["name_th"], "name_en": d["name_en"]},
            )
            for d in progress_queries.pilot_districts(store)
            if scope.district is None or d["code"] == scope.district
        ]
    elif by == "department":
        figures = progress_queries.group_figures(store, elapsed, scope, "department")
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
        placed = progress_queries.placed_count(store, scope)
        by_week = progress_queries.week_figures(store, elapsed, scope)
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
    return Progress(rows, as_of, elapsed, len(weeks), total["expected"], total["submitted"])
