"""Placement use cases for one intake: place its cohort (``assign``), explain one placement,
list the current placements and their change history.

The intake's P pilot districts are its mentors: a mentor takes ceil(active / P) trainees unless
set otherwise, and at most ceil(department / P) of a department (``core.intakes``)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from castctl.app.processes import side_by_side
from castctl.app.working import Working, quietly
from castctl.core.intakes import Intake, default_mentor_capacity
from castctl.core.plan import STAGES, Plan, plan_assignment, plan_statistics, stage_candidates
from castctl.core.reference import DEPARTMENTS
from castctl.core.solver import explain
from castctl.db.cohort import (
    AssignInput,
    Query,
    district_names,
    load_assign_input,
    load_placement_changes,
    load_placements,
    save_plan,
)
from castctl.db.store import Store
from castctl.db.trainees import require_trainee


@dataclass
class PilotFill:
    """One pilot district after the run: its trainees against its mentor's capacity."""

    code: str
    name: str
    placed: int
    capacity: int
    by_department: dict[str, int]  # every department code, 0 included


@dataclass
class TargetFill:
    districts: int  # imported
    with_trainees: int
    full: int
    used: int  # places
    capacity: int


@dataclass
class Summary:
    """What the summary tables of ``assign`` show (for people, not for scripts)."""

    departments: list[str]  # codes, in reference order (the pilot fill's columns)
    pilot_fill: list[PilotFill]
    target_fill: TargetFill
    statistics: dict[str, Any]  # core.plan.plan_statistics, per stage


@dataclass
class AssignmentRun:
    """What an ``assign`` run did (or, dry, would do), and, when asked, its summary."""

    plan: Plan
    active_trainees: int
    dry_run: bool
    intake: str  # its name
    summary: Summary | None = None


def load_intake_assign_input(query: Query, intake: Intake) -> AssignInput:
    """What ``assign`` solves for ``intake``, mentor capacities by the intake's rule."""
    return load_assign_input(query, intake.name).with_pilot_capacities(
        lambda explicit, active: default_mentor_capacity(intake, active, explicit)
    )


def _load_and_solve(
    query: Query, intake: Intake, stages: Sequence[str], rematch_all: bool, working: Working
) -> tuple[AssignInput, Plan]:
    inp = load_intake_assign_input(query, intake)
    size = len(inp.trainees)
    # The caller's spinner (a thread) starts once the stages' processes have forked.
    spinner = functools.partial(working, f"placing {size:,} trainees…", size=size)
    plan = plan_assignment(
        inp.trainees, inp.pilot_places, inp.target_places, inp.current,
        stages=stages, rematch_all=rematch_all,
        map_stages=functools.partial(side_by_side, around=spinner),
    )  # fmt: skip
    return inp, plan


def run_assignment(
    store: Store,
    intake: Intake,
    *,
    stages: Sequence[str] = STAGES,
    dry_run: bool = False,
    rematch_all: bool = False,
    reason: str | None = None,
    working: Working = quietly,
    summary: bool = True,
) -> AssignmentRun:
    """Place the intake's active trainees optimally and store the placements (unless
    ``dry_run``).

    ``reason`` goes into the history of every move (default: "rematch-all" or "moved").
    ``summary=False`` skips the summary tables' figures (fill, statistics): scripts reading
    ``-f json`` do not pay for them (about a tenth of a 10,000-trainee run).
    """
    if dry_run:
        inp, plan = _load_and_solve(store.read, intake, stages, rematch_all, working)
        names = district_names(store.read) if summary else {}
    else:
        # Load, solve and write under one write lock: a concurrent run waits, then sees ours.
        with store.transaction() as tx:
            inp, plan = _load_and_solve(tx.query, intake, stages, rematch_all, working)
            save_plan(
                tx, intake.name, plan, inp.current,
                reason or ("rematch-all" if rematch_all else "moved"),
            )  # fmt: skip
            names = district_names(tx.query) if summary else {}
    run = AssignmentRun(
        plan=plan, active_trainees=len(inp.trainees), dry_run=dry_run, intake=intake.name
    )
    if summary:
        run.summary = Summary(
            departments=[d.code for d in DEPARTMENTS],
            pilot_fill=_pilot_fill(plan, inp, names),
            target_fill=_target_fill(plan, inp),
            statistics=plan_statistics(
                plan, inp.trainees, inp.district_province, inp.province_region
            ),
        )
    return run


def _pilot_fill(plan: Plan, inp: AssignInput, names: dict[str, str]) -> list[PilotFill]:
    departments = {t.trainee_id: t.department for t in inp.trainees}
    load = Counter(a.pilot for a in plan.assignments.values() if a.pilot)
    mix: dict[str, Counter[str]] = {}
    for trainee_id, placement in plan.assignments.items():
        if placement.pilot:
            mix.setdefault(placement.pilot, Counter())[departments[trainee_id]] += 1
    return [
        PilotFill(
            place.code, names.get(place.code, ""), load[place.code], place.capacity,
            {d.code: mix.get(place.code, Counter())[d.code] for d in DEPARTMENTS},
        )
        for place in inp.pilot_places
    ]  # fmt: skip


def _target_fill(plan: Plan, inp: AssignInput) -> TargetFill:
    load = Counter(a.target for a in plan.assignments.values() if a.target)
    return TargetFill(
        districts=len(inp.target_places),
        with_trainees=len(load),
        full=sum(1 for p in inp.target_places if load[p.code] >= p.capacity),
        used=sum(load.values()),
        capacity=sum(p.capacity for p in inp.target_places),
    )


def explain_placement(
    store: Store,
    intake: Intake,
    trainee_id: str,
    *,
    stages: Sequence[str] = STAGES,
    rematch_all: bool = False,
    working: Working = quietly,
) -> dict[str, Any]:
    """Why ``assign`` would place this trainee where it does, per stage; writes nothing.

    Returns ``{"trainee_id": …, "intake": NAME, STAGE: {"district_code", "cost", "breakdown",
    "kept", "preferences", "alternatives": [{"district_code", "cost", "reason"}]}}``.
    """
    with store.snapshot() as query:  # the cohort solved and the trainee checked agree
        inp, plan = _load_and_solve(query, intake, stages, rematch_all, working)
        trainee_id = require_trainee(query, intake.name, trainee_id, active=True).trainee_id
    trainee = next(t for t in inp.trainees if t.trainee_id == trainee_id)
    before = inp.current.get(trainee_id)
    doc: dict[str, Any] = {"trainee_id": trainee_id, "intake": intake.name}
    for stage, result in plan.results.items():
        candidate = trainee.candidate(stage)
        chosen, breakdown, alternatives = explain(
            candidate,
            plan.places[stage],
            result,
            department_cap=plan.department_cap if stage == "pilot" else None,
            candidates=stage_candidates(inp.trainees, stage),
        )
        doc[stage] = {
            "district_code": chosen.district_code,
            "cost": chosen.cost,
            "breakdown": breakdown,
            "kept": getattr(before, stage, None) == chosen.district_code,
            "preferences": list(candidate.preferences),
            "alternatives": [
                {"district_code": a.district_code, "cost": a.cost, "reason": a.reason}
                for a in alternatives
            ],
        }
    return doc


def list_placements(store: Store, intake: Intake) -> list[dict[str, Any]]:
    """Every active trainee's placement in the intake with the trainee's and districts' names."""
    return load_placements(store, intake.name)


def placement_history(
    store: Store, intake: Intake, trainee_id: str | None = None
) -> list[dict[str, Any]]:
    """Every placement change in the intake (or one trainee's, by any variant of the id),
    oldest first."""
    if trainee_id is not None:
        trainee_id = require_trainee(store.read, intake.name, trainee_id).trainee_id
    return load_placement_changes(store, intake.name, trainee_id)
