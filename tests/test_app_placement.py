"""The placement and mentor use cases called directly with an open store, as any caller
other than the command line would: a dry run writes nothing; capacities follow one rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from castctl.app.mentors import list_mentors, set_mentor
from castctl.app.placement import explain_placement, run_assignment
from castctl.core.demo import make_cohort
from castctl.core.intakes import builtin_intake
from castctl.core.records import TraineeRow
from castctl.core.reference import pilot_districts
from castctl.db.cohort import import_targets, import_trainees
from castctl.db.districts import district_index, load_provinces
from castctl.db.store import Store, open_store
from castctl.errors import NotFoundError

INTAKE = builtin_intake()
PLACEMENT_TABLES = ("assignment", "assignment_change")


@pytest.fixture
def store(database) -> Iterator[Store]:
    opened = open_store(database.url)
    try:
        yield opened
    finally:
        opened.close()


def add_cohort(store: Store, n: int) -> list[str]:
    """``n`` synthetic trainees and their target districts, not placed; their ids."""
    cohort = make_cohort(
        n, 7, load_provinces(store), list(district_index(store).by_code.values()),
        [p.code for p in pilot_districts()],
    )  # fmt: skip
    import_trainees(store, "2566", [TraineeRow(**t) for t in cohort.trainees], dry_run=False)
    import_targets(store, "2566", cohort.targets, dry_run=False)
    return sorted(t["trainee_id"] for t in cohort.trainees)


def counts(store: Store) -> dict[str, int]:
    return {t: store.read(f"SELECT COUNT(*) FROM {t}")[0][0] for t in PLACEMENT_TABLES}


def test_a_dry_run_places_everyone_and_writes_nothing(store):
    ids = add_cohort(store, 40)
    dry = run_assignment(store, INTAKE, dry_run=True)
    assert counts(store) == {"assignment": 0, "assignment_change": 0}
    assert sorted(dry.plan.assignments) == ids
    assert dry.plan.changed == 40 and dry.active_trainees == 40 and dry.dry_run
    # The summary needs no second trip to the store: names and fill come with the result.
    assert dry.summary is not None
    assert len(dry.summary.pilot_fill) == 10 and all(p.name for p in dry.summary.pilot_fill)
    assert sum(p.placed for p in dry.summary.pilot_fill) == 40
    assert dry.summary.target_fill.used == 40
    # Scripts (-f json) do not pay for the summary tables.
    assert run_assignment(store, INTAKE, dry_run=True, summary=False).summary is None

    real = run_assignment(store, INTAKE)
    assert real.plan.assignments == dry.plan.assignments
    assert counts(store) == {"assignment": 40, "assignment_change": 80}
    again = run_assignment(store, INTAKE)
    assert again.plan.changed == 0
    assert counts(store) == {"assignment": 40, "assignment_change": 80}


def test_explain_writes_nothing_and_knows_only_active_trainees(store):
    ids = add_cohort(store, 20)
    doc = explain_placement(store, INTAKE, ids[0])
    assert doc["trainee_id"] == ids[0]
    assert {"pilot", "target"} <= set(doc) and not doc["pilot"]["kept"]
    assert counts(store) == {"assignment": 0, "assignment_change": 0}
    with pytest.raises(NotFoundError, match="no active trainee with id 'NOBODY' in intake 2566"):
        explain_placement(store, INTAKE, "NOBODY")


def test_mentor_capacity_is_the_setting_else_a_tenth_of_the_active_cohort(store):
    add_cohort(store, 41)
    mentors = {m["district_code"]: m for m in list_mentors(store, INTAKE)}
    assert {(m["capacity"], m["capacity_set"]) for m in mentors.values()} == {(5, False)}

    district = set_mentor(store, INTAKE, "3209", capacity=7, name="Chief")
    assert district.code == "3209"
    mentor = next(m for m in list_mentors(store, INTAKE) if m["district_code"] == "3209")
    assert (mentor["capacity"], mentor["capacity_set"], mentor["name"]) == (7, True, "Chief")

    set_mentor(store, INTAKE, "3209", capacity=0, name="")  # 0 and "" clear the settings
    mentor = next(m for m in list_mentors(store, INTAKE) if m["district_code"] == "3209")
    assert (mentor["capacity"], mentor["capacity_set"], mentor["name"]) == (5, False, None)
