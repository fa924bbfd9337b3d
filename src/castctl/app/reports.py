"""Weekly field reports of one intake: add one, import a file of them, list them.

Weeks are the intake's (1..its ``weeks``), dates must fall inside the intake, and trainee ids
are those of the intake's trainees: the same id in another intake is another enrolment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castctl.app.stores import Store
from castctl.core import calendar, field_reports
from castctl.core.intakes import Intake
from castctl.core.records import ImportCounts, ReportRow
from castctl.core.vocabulary import MECHANISMS, NETWORKS
from castctl.db import report_store
from castctl.db.timeline import load_weeks
from castctl.db.trainees import require_trainee
from castctl.errors import InputError
from castctl.io.report_file import REPORT_OPTIONAL, REPORT_REQUIRED, parse_reports
from castctl.io.tabular import read_table, split_list


@dataclass(frozen=True, slots=True)
class AddedReport:
    report: ReportRow
    outcome: str  # added | replaced | unchanged


def _items(values: Sequence[str]) -> list[str]:
    """Every item of repeated options, each of which may itself be a ``;``-separated list."""
    return [part for value in values for part in split_list(value)]


def add_report(
    store: Store,
    intake: Intake,
    trainee_id: str,
    week: int,
    *,
    on: str | None = None,
    mechanisms: Sequence[str] = (),
    networks: Sequence[str] = (),
    sdgs: Sequence[str] = (),
    note: str = "",
) -> AddedReport:
    """Record one trainee's report for ``week`` of ``intake``, submitted ``on`` (text; default
    today in Asia/Bangkok); a second one for the same week replaces the first."""
    weeks = load_weeks(store, intake.name)
    report_week = field_reports.programme_week(weeks, week, intake.name)
    trainee_id, status = require_trainee(store.read, intake.name, trainee_id)
    if (why := field_reports.reporter_problem(trainee_id, status)) is not None:
        raise InputError(why)
    # calendar.today_in_bangkok looked up at call time: tests pin "today" on the module.
    day = calendar.parse_date(on, "--on") if on else calendar.today_in_bangkok()
    if (why := field_reports.submission_problem(report_week, day, weeks)) is not None:
        raise InputError(f"--on {why}")
    mech = field_reports.mechanisms(_items(mechanisms))
    if mech.unknown:
        raise InputError(
            f"unknown mechanism {', '.join(map(repr, mech.unknown))}; use "
            f"{field_reports.vocabulary_hint(MECHANISMS)} (or their Thai names)"
        )
    nets = field_reports.networks(_items(networks))
    if nets.unknown:
        raise InputError(
            f"unknown network {', '.join(map(repr, nets.unknown))}; use "
            f"{field_reports.vocabulary_hint(NETWORKS)} (or their Thai names)"
        )
    goals = field_reports.sdgs(_items(sdgs))
    if goals.bad:
        raise InputError(f"--sdg {', '.join(map(repr, goals.bad))}: SDGs are numbers 1-17")
    row = ReportRow(
        trainee_id, week, day, mech.joined(), nets.joined(), goals.joined(), note.strip()
    )
    counts = report_store.save_reports(store, intake.name, [row], dry_run=False)
    outcome = "added" if counts.added else "replaced" if counts.updated else "unchanged"
    return AddedReport(row, outcome)


def import_reports(
    store: Store,
    intake: Intake,
    path: Path,
    *,
    dry_run: bool = False,
    track: Callable[[Iterable[Any], int], Iterable[Any]] = lambda rows, total: rows,
) -> ImportCounts:
    """Import a file of reports into ``intake``, all or nothing (``InputError`` listing every
    bad row);
    ``dry_run`` counts what would change and writes nothing. ``track(rows, total)`` wraps the
    checking of the rows (a progress bar)."""
    rows = _parse_file(store, intake, path, track)
    # The sheet (every cell of the file) is gone by now: only the checked rows stay for the save.
    return report_store.save_reports(store, intake.name, rows, dry_run=dry_run)


def _parse_file(
    store: Store,
    intake: Intake,
    path: Path,
    track: Callable[[Iterable[Any], int], Iterable[Any]],
) -> list[ReportRow]:
    """The checked rows of the file; the parsed sheet is freed on return."""
    sheet = read_table(path, required=REPORT_REQUIRED, optional=REPORT_OPTIONAL)
    total = len(sheet)
    rows = parse_reports(
        sheet,
        report_store.trainee_statuses(store, intake.name),
        load_weeks(store, intake.name),
        track=lambda rows: track(rows, total),
    )
    del sheet
    return rows


def list_reports(
    store: Store, intake: Intake, *, trainee_id: str | None = None, week: int | None = None
) -> list[dict[str, Any]]:
    """Stored reports of ``intake``, by trainee and week: the ``reports list -f json`` objects
    (lists as lists, SDGs as numbers). ``trainee_id`` is any variant of a stored id;
    ``week`` one of the intake's weeks."""
    if trainee_id is not None:
        trainee_id = require_trainee(store.read, intake.name, trainee_id).trainee_id
    if week is not None:
        field_reports.programme_week(load_weeks(store, intake.name), week, intake.name)
    rows = report_store.list_reports(store, intake.name, trainee_id=trainee_id, week=week)
    for row in rows:
        for key in ("mechanisms", "networks"):
            row[key] = [code for code in (row[key] or "").split(";") if code]
        row["sdgs"] = [int(n) for n in (row["sdgs"] or "").split(";") if n]
        row["note"] = row["note"] or ""
    return rows
