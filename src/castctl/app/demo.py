"""The demo use case: a synthetic cohort, its target districts, placements and reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from castctl.app.placement import run_assignment
from castctl.core.calendar import today_in_bangkok
from castctl.core.demo import DEMO_PREFIX, make_cohort, make_reports
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
    store: Store, trainees: int, seed: int, reports: bool, today: dt.date | None = None
) -> DemoFill:
    """Fill the store with a demo cohort (ids ``DEMO-…``), place it, and (with ``reports``) add
    reports for the weeks ended by ``today`` (default: today in Bangkok). The same arguments
    twice change nothing; a store holding real trainees is refused."""
    real = count_other_trainees(store, DEMO_PREFIX)
    if real:
        raise CastError(
            f"this database holds {real} real trainees; run the demo on another one "
            "(castctl --db demo.db demo)"
        )
    index = district_index(store)
    cohort = make_cohort(
        trainees, seed, load_provinces(store), list(index.by_code.values()),
        [p.code for p in pilot_districts()],
    )  # fmt: skip
    counts = import_trainees(store, [TraineeRow(**t) for t in cohort.trainees], dry_run=False)
    import_targets(store, cohort.targets, dry_run=False)
    run = run_assignment(store, reason="demo")
    added = 0
    if reports:
        today = today or today_in_bangkok()
        ended = [(w.number, w.end.isoformat()) for w in load_weeks(store) if w.end <= today]
        placed_ids = sorted(run.plan.assignments)
        added = add_missing_reports(store, make_reports(placed_ids, ended, seed))
    return DemoFill(counts, len(cohort.targets), run.plan.changed, added)
