"""The demo use case: a synthetic cohort of one intake, its target districts, placements and
reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from castctl.app.placement import run_assignment
from castctl.core.calendar import today_in_bangkok
from castctl.core.demo import DEMO_PREFIX, make_cohort, make_reports
from castctl.core.intakes import Intake
from castctl.core.records import ImportCounts, TraineeRow
from castctl.core.reference import pilot_districts
from castctl.db.cohort import import_targets, import_trainees
from castctl.db.demo import add_missing_reports, count_other_trainees
from castctl.db.districts import district_index, load_provinces
from castctl.db.store import Store
from castctl.db.timeline import load_weeks
from castctl.errors import CastError


@dataclass
class DemoFill:
    trainees: ImportCounts
    target_districts: int
    placed: int  # trainees placed or moved
    reports_added: int


def fill_demo(
    store: Store,
    intake: Intake,
    trainees: int,
    seed: int,
    reports: bool,
    today: dt.date | None = None,
) -> DemoFill:
    """Fill the intake with a demo cohort (ids ``DEMO-…``) whose pilot preferences name the
    intake's pilot districts, place it, and (with ``reports``) add reports for the intake's
    weeks ended by ``today`` (default: today in Bangkok). The same arguments twice change
    nothing; an intake holding real trainees is refused (other intakes do not matter)."""
    real = count_other_trainees(store, intake.name, DEMO_PREFIX)
    if real:
        raise CastError(
            f"intake {intake.name} holds {real} real trainees; run the demo in another intake "
            "(castctl --intake NAME demo) or another database (castctl --db demo.db demo)"
        )
    index = district_index(store)
    cohort = make_cohort(
        trainees, seed, load_provinces(store), list(index.by_code.values()),
        _pilot_order(intake),
    )  # fmt: skip
    counts = import_trainees(
        store, intake.name, [TraineeRow(**t) for t in cohort.trainees], dry_run=False
    )
    import_targets(store, intake.name, cohort.targets, dry_run=False)
    run = run_assignment(store, intake, reason="demo")
    added = 0
    if reports:
        today = today or today_in_bangkok()
        ended = [
            (w.number, w.end.isoformat()) for w in load_weeks(store, intake.name) if w.end <= today
        ]
        placed_ids = sorted(run.plan.assignments)
        added = add_missing_reports(store, intake.name, make_reports(placed_ids, ended, seed))
    return DemoFill(counts, len(cohort.targets), run.plan.changed, added)


def _pilot_order(intake: Intake) -> list[str]:
    """The intake's pilot districts in the order of the 2023 data file, then the others by code:
    the random cohort depends on the order, and intake 2566's demo stays what it always was."""
    listed = [p.code for p in pilot_districts()]
    rank = {code: i for i, code in enumerate(listed)}
    return sorted(intake.pilot_codes, key=lambda c: (rank.get(c, len(listed)), c))
