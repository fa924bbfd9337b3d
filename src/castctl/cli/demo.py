"""``castctl demo``: fill the database with a synthetic cohort and place it."""

from typing import Annotated

import typer

from castctl.cli.context import open_store
from castctl.cli.output import message


def demo(
    trainees: Annotated[
        int, typer.Option("--trainees", min=1, max=50_000, help="How many trainees to make.")
    ] = 300,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same cohort).")
    ] = 2566,
    reports: Annotated[
        bool,
        typer.Option("--reports/--no-reports", help="Also make weekly reports for ended weeks."),
    ] = True,
) -> None:
    """Fill the database with a plausible synthetic cohort, place it, and add reports.

    Trainee ids start with DEMO-; running it again with the same options changes nothing. It
    refuses to touch a database that holds real (non-demo) trainees.
    """
    from castctl.core.calendar import today_in_bangkok
    from castctl.core.demo import DEMO_PREFIX, make_cohort, make_reports
    from castctl.core.plan import plan_assignment
    from castctl.core.records import TraineeRow
    from castctl.core.reference import pilot_districts
    from castctl.db.cohort import import_targets, import_trainees, load_assign_input, save_plan
    from castctl.db.districts import district_index, load_provinces
    from castctl.db.engine import now_text
    from castctl.db.timeline import load_weeks
    from castctl.errors import CastError

    db = open_store()
    # Not LIKE: SQLite's ignores case, PostgreSQL's does not; substr is exact on both.
    real = db.read(
        "SELECT COUNT(*) FROM trainee WHERE substr(trainee_id, 1, :n) <> :p",
        {"n": len(DEMO_PREFIX), "p": DEMO_PREFIX},
    )[0][0]
    if real:
        raise CastError(
            f"this database holds {real} real trainees; run the demo on another one "
            "(castctl --db demo.db demo)"
        )
    index = district_index(db)
    cohort = make_cohort(
        trainees, seed, load_provinces(db), list(index.by_code.values()),
        [p.code for p in pilot_districts()],
    )  # fmt: skip
    counts = import_trainees(db, [TraineeRow(**t) for t in cohort.trainees], dry_run=False)
    import_targets(db, cohort.targets, dry_run=False)
    with db.transaction() as tx:
        inp = load_assign_input(tx.query)
        plan = plan_assignment(inp.trainees, inp.pilot_places, inp.target_places, inp.current)
        save_plan(tx, plan, inp.current, "demo")
    made = 0
    if reports:
        today = today_in_bangkok()
        ended = [(w.number, w.end.isoformat()) for w in load_weeks(db) if w.end <= today]
        ids = [t.trainee_id for t in inp.trainees]
        rows = make_reports(ids, ended, seed)
        now = now_text()
        count = "SELECT COUNT(*) FROM report"
        with db.transaction() as tx:
            had = tx.query(count)[0][0]
            tx.executemany(
                "INSERT INTO report (trainee_id, week, submitted_on, mechanisms, networks, sdgs, "
                "note, updated_at) VALUES (:trainee_id, :week, :submitted_on, :mechanisms, "
                ":networks, :sdgs, :note, :now) ON CONFLICT (trainee_id, week) DO NOTHING",
                [{**r, "now": now} for r in rows],
            )
            made = tx.query(count)[0][0] - had  # a second run adds none: say so
    message(
        f"demo cohort: {counts}; {len(cohort.targets)} target districts; "
        f"{plan.changed} trainees placed or moved; {made} weekly reports added. "
        "Try: castctl assignments, castctl progress, castctl summary weekly"
    )
