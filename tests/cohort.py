"""A small, hand-checkable cohort written as real rows into the test's database.

Trainees and placements go in as plain rows through ``Store.transaction`` and
``Tx.insert_rows`` (the path castctl's own imports take), reports through the store's own
``save_reports`` (which derives their coverage words), or through ``castctl reports import`` as
a test needs.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from castctl.core.records import ReportRow
from castctl.db.report_store import save_reports
from castctl.db.store import now_text, open_store
from tests.cohort_files import dump  # noqa: F401  (re-exported for the report tests)

# Week n of intake 2566 starts on Monday 3 July 2023 + 7 (n - 1) days; its Friday is four days
# later. Every helper writes into one intake: 2566 unless told (``intake=``).
START = dt.date(2023, 7, 3)
INTAKE = "2566"


TRAINEE_COLUMNS = (
    "trainee_id", "full_name", "department", "home_province", "email", "pilot_preferences",
    "target_preferences", "status", "created_at", "updated_at",
)  # fmt: skip


def monday(week: int, start: dt.date = START) -> dt.date:
    return start + dt.timedelta(weeks=week - 1)


def friday(week: int, start: dt.date = START) -> dt.date:
    return monday(week, start) + dt.timedelta(days=4)


@dataclass(frozen=True)
class Person:
    trainee_id: str
    full_name: str
    department: str
    pilot: str | None  # pilot district code, None = not placed
    status: str = "active"
    target: str | None = None
    email: str | None = None


def add_people(db_path: Path | str, people: Iterable[Person], *, intake: str = INTAKE) -> None:
    people = list(people)
    now = now_text()
    db = open_store(str(db_path))
    try:
        with db.transaction() as tx:
            tx.insert_rows(
                "trainee",
                ("intake", *TRAINEE_COLUMNS),
                [
                    (intake, p.trainee_id, p.full_name, p.department, "10", p.email, "", "")
                    + (p.status, now, now)
                    for p in people
                ],
            )
            tx.insert_rows(
                "assignment",
                (
                    "intake", "trainee_id", "pilot_district_code", "target_district_code",
                    "updated_at",
                ),
                [
                    (intake, p.trainee_id, p.pilot, p.target, now)
                    for p in people
                    if p.pilot is not None
                ],
            )  # fmt: skip
    finally:
        db.close()


def add_reports(
    db_path: Path | str,
    reports: Iterable[tuple[str, int]],
    *,
    intake: str = INTAKE,
    start: dt.date = START,
) -> None:
    """(trainee_id, week) reports of ``intake`` (whose week 1 starts on ``start``) submitted on
    that week's Friday, mechanism "coordinate", network "people", SDGs 1 and 11; stored the way
    ``castctl reports import`` stores them (``save_reports``)."""
    rows = [
        ReportRow(tid, week, friday(week, start), "coordinate", "people", "1;11")
        for tid, week in reports
    ]
    db = open_store(str(db_path))
    try:
        save_reports(db, intake, rows, dry_run=False)
    finally:
        db.close()


def set_mentor(
    db_path: Path | str, code: str, *, name: str, email: str, intake: str = INTAKE
) -> None:
    db = open_store(str(db_path))
    try:
        with db.transaction() as tx:
            changed = tx.execute(
                "UPDATE mentor SET name = :name, email = :email "
                "WHERE intake = :intake AND district_code = :code",
                {"name": name, "email": email, "code": code, "intake": intake},
            )
            assert changed == 1
    finally:
        db.close()


REPORT_HEADER = ("trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note")


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = REPORT_HEADER
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# The hand-checkable cohort (as of Friday 20 Oct 2023 = end of week 16):
#   A1 5607 reports every week 1-16                   -> 16/16, streak 0
#   A2 5607 reports weeks 1-14                         -> 14/16, streak 2 (flagged)
#   A3 5607 reports weeks 1-10, 12, 13, 15             -> 13/16, streak 1
#   B1 4001 reports weeks 1-8 only                     -> 8/16,  streak 8 (flagged)
#   B2 4001 late joiner: placed now, reports 10-16     -> 7/16,  streak 0
#   W1 4001 withdrawn, still has a placement row, reported weeks 1-5: not counted anywhere
#   U1 (no placement yet, active) reported weeks 15-16: not expected, not counted
#   Reports for weeks 17+ (after the as-of) do not count.
COHORT = (
    Person("A1", "สมชาย ใจดี", "DOPA", "5607", target="1001", email="a1@example.org"),
    Person("A2", "สมหญิง รักงาน", "CDD", "5607", target="1002"),
    Person("A3", "Anan Sukjai", "DOPA", "5607"),
    Person("B1", "Boonmee Dee", "DLA", "4001"),
    Person("B2", "Chai Late", "OPS", "4001"),
    Person("W1", "Wanna Left", "CDD", "4001", status="withdrawn"),
    Person("U1", "Unplaced Person", "DOL", None),
)
COHORT_REPORTS = (
    [("A1", w) for w in range(1, 18)]
    + [("A2", w) for w in range(1, 15)]
    + [("A3", w) for w in [*range(1, 11), 12, 13, 15]]
    + [("B1", w) for w in range(1, 9)]
    + [("B2", w) for w in range(10, 17)]
    + [("W1", w) for w in range(1, 6)]
    + [("U1", w) for w in (15, 16)]
)


def make_cohort(db_path: Path | str, *, intake: str = INTAKE, start: dt.date = START) -> None:
    """The cohort below in ``intake`` (week 1 starting on ``start``) of the database at
    ``db_path`` (a SQLite file or a database URL)."""
    add_people(db_path, COHORT, intake=intake)
    add_reports(db_path, COHORT_REPORTS, intake=intake, start=start)
