"""Planning an ``assign`` run: which stages to solve, who stays, what changes.

Pure: plain data in (the cohort, capacities, current placements), plain data out (the new
placements, costs, changes and statistics). The database layer loads and stores; the solver
(``core.solver``) optimises one stage at a time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from castctl.core.solver import (
    Candidate,
    Place,
    StageResult,
    check_feasible,
    department_caps,
    place_trainees,
    records,
)
from castctl.errors import InfeasibleError

STAGES = ("pilot", "target")


class TraineeInfo(NamedTuple):
    trainee_id: str
    department: str
    home_province: str
    home_region: str
    pilot_preferences: tuple[str, ...]
    target_preferences: tuple[str, ...]

    def candidate(self, stage: str) -> Candidate:
        return stage_candidates((self,), stage)[0]


# A trainee's fields as a candidate of each stage: all but the other stage's preferences.
_PILOT_FIELDS = itemgetter(0, 1, 2, 3, 4)
_TARGET_FIELDS = itemgetter(0, 1, 2, 3, 5)


def stage_candidates(trainees: Iterable[TraineeInfo], stage: str) -> list[Candidate]:
    """The trainees as candidates of ``stage``, each with that stage's preferences."""
    return records(Candidate, map(_PILOT_FIELDS if stage == "pilot" else _TARGET_FIELDS, trainees))


class TraineePlacement(NamedTuple):
    pilot: str | None = None
    target: str | None = None
    pilot_cost: int | None = None
    target_cost: int | None = None


@dataclass
class Plan:
    stages: tuple[str, ...]
    assignments: dict[str, TraineePlacement]  # every active trainee, after the run
    changes: list[tuple[str, str, str | None, str | None]]  # (trainee, stage, old, new)
    results: dict[str, StageResult] = field(default_factory=dict)
    places: dict[str, list[Place]] = field(default_factory=dict)
    department_cap: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # limits exceeded by kept trainees

    @property
    def changed(self) -> int:
        return len({c[0] for c in self.changes})

    def objective(self) -> dict[str, int]:
        return {
            "pilot": sum(a.pilot_cost or 0 for a in self.assignments.values()),
            "target": sum(a.target_cost or 0 for a in self.assignments.values()),
        }


def mentor_capacity(explicit: int | None, active: int, n_mentors: int = 10) -> int:
    """A mentor's capacity: the explicit setting, else ceil(active trainees / 10)."""
    return explicit if explicit is not None else math.ceil(active / n_mentors)


class StageJob(NamedTuple):
    """One stage to solve (see :func:`solve_stage`)."""

    stage: str
    candidates: list[Candidate]
    places: list[Place]  # sorted by code
    fixed: dict[str, str]  # trainee id -> code of the place they keep
    department_cap: dict[str, int] | None  # the spread rule (pilot stage only)
    rematch_all: bool


def solve_stage(job: StageJob) -> StageResult:
    """Place one stage's candidates at the exact minimum cost, keeping the ``fixed`` ones.
    Raises :class:`InfeasibleError`, with a hint when ``--rematch-all`` would find a placement."""
    label = "mentor capacity" if job.stage == "pilot" else "target capacity"
    try:
        return place_trainees(
            job.candidates,
            job.places,
            fixed=job.fixed,
            department_cap=job.department_cap,
            capacity_label=label,
            # Never move a placed trainee unasked: when a limit shrank under them (a withdrawal
            # lowers ceil(n / 10)), they stay and only new trainees are held to it.
            tolerate_kept=not job.rematch_all,
        )
    except InfeasibleError as exc:
        if job.fixed and _feasible(job.candidates, job.places, job.department_cap, label):
            raise InfeasibleError(f"{exc.message}; {REMATCH_HINT}") from exc
        raise


StageMap = Callable[[Callable[[StageJob], StageResult], Sequence[StageJob]], list[StageResult]]
"""How :func:`plan_assignment` solves its stages: ``map_stages(solve_stage, jobs)`` returns the
results in the order of ``jobs``, or raises the error of the first job that fails, as
:func:`one_by_one` does (a caller may solve them side by side; they do not depend on each
other)."""


def one_by_one(
    solve: Callable[[StageJob], StageResult], jobs: Sequence[StageJob]
) -> list[StageResult]:
    """Solve the stages in order, in this process."""
    return [solve(job) for job in jobs]


def plan_assignment(
    trainees: Sequence[TraineeInfo],
    pilot_places: Sequence[Place],
    target_places: Sequence[Place],
    current: Mapping[str, TraineePlacement],
    *,
    stages: Sequence[str] = STAGES,
    rematch_all: bool = False,
    map_stages: StageMap = one_by_one,
) -> Plan:
    """Solve the requested stages; everyone not re-solved keeps what they had. Each stage keeps
    or places everyone on its own (from ``current``, not from the other stage's result), so
    ``map_stages`` may solve them side by side."""
    by_id = sorted(trainees, key=attrgetter("trainee_id"))
    unplaced = TraineePlacement()
    after = {t.trainee_id: current.get(t.trainee_id, unplaced) for t in by_id}
    plan = Plan(tuple(stages), after, [])
    jobs: list[StageJob] = []
    for stage in STAGES:
        if stage not in stages:
            continue
        places = sorted(pilot_places if stage == "pilot" else target_places, key=lambda p: p.code)
        codes = {p.code for p in places}
        fixed: dict[str, str] = {}
        if not rematch_all and current:  # (nobody placed yet: nobody to keep)
            placed_at = attrgetter(stage)
            for trainee_id, placement in after.items():
                code = placed_at(placement)
                if code in codes:
                    fixed[trainee_id] = code
        caps = (
            department_caps([t.department for t in by_id], len(places))
            if stage == "pilot"
            else None
        )
        jobs.append(
            StageJob(stage, stage_candidates(by_id, stage), places, fixed, caps, rematch_all)
        )
    for job, result in zip(jobs, map_stages(solve_stage, jobs), strict=True):
        stage = job.stage
        plan.results[stage] = result
        if job.fixed:  # with nobody kept, the optimum is within every limit
            plan.notes.extend(_over_limits(stage, result, job.places, by_id, job.department_cap))
        plan.places[stage] = job.places
        if job.department_cap:
            plan.department_cap = job.department_cap
        # Placements come in trainee-id order, as ``after`` (by_id) does.
        was = attrgetter(stage)
        plan.changes.extend(
            (trainee_id, stage, old, code)
            for trainee_id, old, code in zip(
                result.trainee_ids, map(was, after.values()), result.district_codes, strict=True
            )
            if old != code
        )
    plan.assignments = _merged(after, plan.results.get("pilot"), plan.results.get("target"))
    return plan


def _merged(
    before: dict[str, TraineePlacement], pilot: StageResult | None, target: StageResult | None
) -> dict[str, TraineePlacement]:
    """Every trainee's placement after the stages that ran (``None``: not run, kept as it
    was). The results' placements are in trainee-id order, as ``before`` is."""
    if pilot is not None and target is not None:
        placements = zip(pilot.district_codes, target.district_codes, pilot.costs, target.costs,
                         strict=True)  # fmt: skip
        return dict(zip(pilot.trainee_ids, records(TraineePlacement, placements), strict=True))
    if pilot is not None:
        return {
            trainee_id: TraineePlacement(p, old.target, p_cost, old.target_cost)
            for old, trainee_id, p, p_cost in zip(
                before.values(), pilot.trainee_ids, pilot.district_codes, pilot.costs, strict=True
            )
        }
    if target is not None:
        return {
            trainee_id: TraineePlacement(old.pilot, t, old.pilot_cost, t_cost)
            for old, trainee_id, t, t_cost in zip(
                before.values(), target.trainee_ids, target.district_codes, target.costs,
                strict=True,
            )
        }  # fmt: skip
    return before


REMATCH_HINT = "castctl assign --rematch-all can place everyone by moving placed trainees"


def _feasible(
    candidates: Sequence[Candidate],
    places: Sequence[Place],
    caps: Mapping[str, int] | None,
    label: str,
) -> bool:
    """Whether the whole stage, solved afresh (``--rematch-all``), has a placement."""
    try:
        check_feasible(candidates, places, department_cap=caps, capacity_label=label)
    except InfeasibleError:
        return False
    return True


def _over_limits(
    stage: str,
    result: StageResult,
    places: Sequence[Place],
    trainees: Sequence[TraineeInfo],
    caps: Mapping[str, int] | None,
) -> list[str]:
    """Say where kept trainees exceed a limit that shrank, and how to rebalance."""
    load = Counter(result.district_codes)
    notes = [
        f"{stage} district {p.code} holds {load[p.code]} trainees, above its capacity "
        f"{p.capacity}; they were kept (castctl assign --rematch-all rebalances)"
        for p in places
        if load[p.code] > p.capacity
    ]
    if caps:
        department = {t.trainee_id: t.department for t in trainees}
        mix = Counter(
            zip(result.district_codes, map(department.__getitem__, result.trainee_ids), strict=True)
        )
        notes += [
            f"{stage} district {code} holds {n} {dept} trainees, above the spread cap "
            f"{caps[dept]}; they were kept (castctl assign --rematch-all rebalances)"
            for (code, dept), n in sorted(mix.items())
            if n > caps.get(dept, n)
        ]
    return notes


def preference_rank(prefs: Sequence[str], code: str | None) -> str:
    """ "1st" … "5th", "unlisted" (listed others) or "no preference"."""
    if not prefs:
        return "no preference"
    if code in prefs:
        n = prefs.index(code) + 1
        return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
    return "unlisted"


def plan_statistics(
    plan: Plan,
    trainees: Sequence[TraineeInfo],
    district_province: Mapping[str, str],
    province_region: Mapping[str, str],
) -> dict[str, Any]:
    """Per stage: how many got their 1st, 2nd … choice, and how many stayed home/in region."""
    stats: dict[str, Any] = {}
    for stage in STAGES:
        ranks: Counter[str] = Counter()
        home = region = placed = 0
        for t in trainees:
            code = getattr(plan.assignments[t.trainee_id], stage)
            if code is None:
                continue
            placed += 1
            prefs = t.pilot_preferences if stage == "pilot" else t.target_preferences
            ranks[preference_rank(prefs, code)] += 1
            province = district_province.get(code)
            if province == t.home_province:
                home += 1
            elif province is not None and province_region.get(province) == t.home_region:
                region += 1
        stats[stage] = {
            "placed": placed,
            "preference": dict(sorted(ranks.items())),
            "home_province": home,
            "same_region": region,
            "elsewhere": placed - home - region,
        }
    return stats
