"""Place trainees into districts, one stage at a time, at the exact minimum total cost.

Pure: plain data in, plain data out; no database, no I/O. The solver (OR-Tools min-cost flow)
is imported inside the solving functions so that importing this module stays cheap.

The cost of trainee t in district d is ``100 * pref + geo`` (see the contract, "Assignment
model"). A dense trainee x district network would have 10,000 x 928 arcs at national scale, so
the network is compressed without changing the optimum. The cost of a district the trainee did
not list depends only on their home province and region and on whether they listed any
preference, so trainees sharing those share a "class" node; it reaches the districts of the
home province directly (geo 0) and every district of a region through that region's hub node
(geo 1 for the home region, 2 for the others). A trainee who listed preferences has a node of
their own with a direct arc to each listed district; the path through their class to a listed
district costs 900 + geo, more than the direct arc, so no optimum uses it.

Ties between placements of equal cost are broken by district code (see ``_build_network``), and
inputs are sorted first, so the same data gives the same placement whatever its order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import compress
from operator import attrgetter
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from castctl.errors import InfeasibleError

UNLISTED_PREFERENCE = 9
"""``pref`` of a district the trainee did not list when they listed others."""

# A preference at this position or later costs at least as much as an unlisted district, so
# the class path would undercut it; such trainees get exact arcs to every district instead.
_DOMINATED_FROM = UNLISTED_PREFERENCE + 1

_NO_FIXED: Mapping[str, str] = MappingProxyType({})

# Costs given to the solver stay below this (it multiplies them by the number of nodes).
_COST_LIMIT = 2**62


# The records built once per trainee (tens of thousands per run) are named tuples: immutable
# like a frozen dataclass, and about 2.5 times cheaper to create. So are the ones built once a
# stage: a dataclass compiles its methods at import (a third of a millisecond each class, paid
# by every command that imports the solver), a named tuple class a fifth of that.


R = TypeVar("R", bound=tuple[Any, ...])


def records(cls: type[R], rows: Iterable[tuple[Any, ...]]) -> list[R]:
    """``[cls(*row) for row in rows]`` for a named tuple ``cls``, each row holding every field,
    built in C by ``tuple.__new__`` (as ``cls._make`` builds one) rather than through the class's
    Python ``__new__``: about a third cheaper for the tens of thousands a national run builds."""
    return list(map(partial(tuple.__new__, cls), rows))


class Candidate(NamedTuple):
    """A trainee to place in one stage."""

    trainee_id: str
    department: str
    home_province: str
    home_region: str
    preferences: tuple[str, ...] = ()


class Place(NamedTuple):
    """A district that takes trainees in one stage."""

    code: str
    province_code: str
    region: str
    capacity: int


class Placement(NamedTuple):
    trainee_id: str
    district_code: str
    cost: int


class StageResult(NamedTuple):
    """A stage's placements as parallel lists, an item per candidate, in trainee-id order: a
    national run reads them in bulk, and building a ``Placement`` for each of its 20,000
    placements cost more than every use of them."""

    trainee_ids: list[str]
    district_codes: list[str]
    costs: list[int]
    objective: int
    optimal: bool

    @property
    def placements(self) -> tuple[Placement, ...]:
        """The placements as records, in trainee-id order."""
        return tuple(map(Placement, self.trainee_ids, self.district_codes, self.costs))


class Alternative(NamedTuple):
    district_code: str
    cost: int
    reason: str


# ---------------------------------------------------------------------------------------------
# Costs


def _geo(home_province: str, home_region: str, province_code: str, region: str) -> int:
    if home_province == province_code:
        return 0
    return 1 if home_region == region else 2


def _preference(candidate: Candidate, code: str) -> int:
    prefs = candidate.preferences
    if not prefs:
        return 0
    try:
        return prefs.index(code)
    except ValueError:
        return UNLISTED_PREFERENCE


def cost_breakdown(candidate: Candidate, place: Place) -> dict[str, int]:
    """``{"preference", "preference_cost", "geo"}`` of placing ``candidate`` at ``place``."""
    pref = _preference(candidate, place.code)
    geo = _geo(candidate.home_province, candidate.home_region, place.province_code, place.region)
    return {"preference": pref, "preference_cost": 100 * pref, "geo": geo}


def placement_cost(candidate: Candidate, place: Place) -> int:
    """``100 * pref + geo``: pref is the 0-based position of the district in the candidate's
    preferences, 9 if they listed others, 0 if they listed none; geo is 0 in the home province,
    1 in the home region, 2 otherwise."""
    return 100 * _preference(candidate, place.code) + _geo(
        candidate.home_province, candidate.home_region, place.province_code, place.region
    )


def department_caps(departments: Iterable[str], n_places: int = 10) -> dict[str, int]:
    """Spread rule: at most ``ceil(trainees of the department / n_places)`` per place."""
    if n_places <= 0:
        raise ValueError(f"n_places must be positive, got {n_places}")
    return {dept: math.ceil(n / n_places) for dept, n in sorted(Counter(departments).items())}


# ---------------------------------------------------------------------------------------------
# Input normalisation and feasibility


class _Problem(NamedTuple):
    """Candidates sorted by id, places sorted by code, and what the kept trainees leave."""

    candidates: list[Candidate]
    ids: list[str]
    places: list[Place]
    place_index: dict[str, int]  # place code -> its index in places
    fixed_at: list[int]  # per candidate: index of the place it is kept at, or -1 if free
    capacity_left: list[int]
    kept_by_department: Counter[tuple[str, int]]


def _prepare(
    candidates: Iterable[Candidate], places: Iterable[Place], fixed: Mapping[str, str]
) -> _Problem:
    cands = sorted(candidates, key=attrgetter("trainee_id"))
    ids = [c.trainee_id for c in cands]
    if len(set(ids)) != len(ids):
        twice = next(a for a, b in zip(ids, ids[1:], strict=False) if a == b)
        raise ValueError(f"trainee {twice} is listed twice")
    pls = sorted(places, key=attrgetter("code"))
    index = {p.code: j for j, p in enumerate(pls)}
    if len(index) != len(pls):
        twice = next(p.code for p, q in zip(pls, pls[1:], strict=False) if p.code == q.code)
        raise ValueError(f"district {twice} is listed twice")
    for p in pls:
        if p.capacity < 0:
            raise ValueError(f"district {p.code} has a negative capacity {p.capacity}")
    fixed_at = [-1] * len(cands)
    capacity_left = [p.capacity for p in pls]
    kept_by_department: Counter[tuple[str, int]] = Counter()
    if fixed:
        for k, c in enumerate(cands):
            code = fixed.get(c.trainee_id)
            if code is None:
                continue
            j = index.get(code)
            if j is None:
                raise ValueError(f"trainee {c.trainee_id} is kept at {code}, which is not a place")
            fixed_at[k] = j
            capacity_left[j] -= 1
            kept_by_department[c.department, j] += 1
    return _Problem(cands, ids, pls, index, fixed_at, capacity_left, kept_by_department)


def _department_left(
    problem: _Problem, department: str, j: int, department_cap: Mapping[str, int]
) -> int:
    """Room left for ``department`` at place ``j``: capacity left, and the cap left if any."""
    left = problem.capacity_left[j]
    cap = department_cap.get(department)
    if cap is not None:
        left = min(left, cap - problem.kept_by_department[department, j])
    return max(left, 0)


def _check(
    problem: _Problem,
    department_cap: Mapping[str, int] | None,
    label: str,
    *,
    joint: bool = True,
    tolerate_kept: bool = False,
) -> None:
    """Raise :class:`InfeasibleError` when no placement exists. With ``joint=False`` the
    departments are only checked one by one; the solver then finds any joint shortage, and
    :func:`_solve` explains it. With ``tolerate_kept`` kept trainees above a limit stay (the
    limit shrank under them, e.g. after a withdrawal) and only leave no room there."""
    n = len(problem.candidates)
    total = sum(p.capacity for p in problem.places)
    if total < n:
        raise InfeasibleError(f"{label} {total} < {n} active trainees")
    for j, p in enumerate(problem.places):
        if problem.capacity_left[j] < 0 and not tolerate_kept:
            kept = p.capacity - problem.capacity_left[j]
            raise InfeasibleError(
                f"kept placements exceed the {label} of district {p.code}: "
                f"{kept} trainees kept, {label} {p.capacity}"
            )
    if department_cap is None:
        # Every trainee may go anywhere, so enough capacity in total is enough.
        return
    for dept, dept_cap in department_cap.items():
        if dept_cap < 0:
            raise ValueError(f"department {dept} has a negative cap {dept_cap}")
    for (dept, j), kept in sorted(problem.kept_by_department.items()):
        cap = department_cap.get(dept)
        if cap is not None and kept > cap and not tolerate_kept:
            raise InfeasibleError(
                f"kept placements exceed the department spread rule at district "
                f"{problem.places[j].code}: {kept} {dept} trainees kept, {cap} allowed"
            )
    if problem.kept_by_department:
        to_place = Counter(
            c.department for c, j in zip(problem.candidates, problem.fixed_at, strict=True) if j < 0
        )
    else:
        to_place = Counter(map(attrgetter("department"), problem.candidates))
    if not to_place:
        return
    for dept, n_dept in sorted(to_place.items()):
        if dept not in department_cap:
            continue
        allowed = sum(
            _department_left(problem, dept, j, department_cap) for j in range(len(problem.places))
        )
        if n_dept > allowed and not problem.kept_by_department:
            raise InfeasibleError(
                f"department {dept} has {n_dept} trainees but the spread rule allows {allowed} "
                f"with the current capacities"
            )
        if n_dept > allowed:
            raise InfeasibleError(
                _unplaced_department(problem, dept, n_dept, allowed, department_cap)
            )
    if joint:
        _check_departments_together(problem, department_cap, to_place)


def _unplaced_department(
    problem: _Problem, dept: str, n_dept: int, allowed: int, department_cap: Mapping[str, int]
) -> str:
    """Why ``n_dept`` unplaced trainees of ``dept`` find no room when others are kept: counted
    as what they are (the unplaced ones, of the department's total) with the share that the
    spread rule gives a district."""
    total = sum(1 for c in problem.candidates if c.department == dept)
    cap, n_places = department_cap[dept], len(problem.places)
    share = f"{dept} share"
    if cap == math.ceil(total / n_places):
        share += f" (ceil({total} / {n_places}) = {cap})"
    else:
        share += f" ({cap})"
    who = f"{n_dept} unplaced {dept} trainee{'s' if n_dept != 1 else ''} (of {total})"
    with_room = [j for j in range(n_places) if problem.capacity_left[j] > 0]
    if allowed == 0 and with_room:
        return f"{who} need a district but every district with room already has its {share}"
    return (
        f"{who} need a district but the room left and the {share} per district leave "
        f"places for only {allowed}"
    )


def _check_departments_together(
    problem: _Problem, department_cap: Mapping[str, int], to_place: Mapping[str, int]
) -> None:
    """Each department fits on its own; check them together: a transportation max-flow over
    departments x places, small next to the placement itself."""
    from ortools.graph.python import max_flow

    depts = sorted(to_place)
    n_places = len(problem.places)
    source, sink = 0, 1
    flow = max_flow.SimpleMaxFlow()
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    for k, dept in enumerate(depts):
        tails.append(source)
        heads.append(2 + k)
        caps.append(to_place[dept])
        for j in range(n_places):
            left = _department_left(problem, dept, j, department_cap)
            if left:
                tails.append(2 + k)
                heads.append(2 + len(depts) + j)
                caps.append(left)
    for j in range(n_places):
        tails.append(2 + len(depts) + j)
        heads.append(sink)
        caps.append(max(problem.capacity_left[j], 0))
    for _ in map(flow.add_arc_with_capacity, tails, heads, caps):  # no numpy: see _solve
        pass
    flow.solve(source, sink)
    n_free = sum(to_place.values())
    placed = int(flow.optimal_flow())
    if placed < n_free:
        unplaced = " unplaced" if problem.kept_by_department else ""
        raise InfeasibleError(
            f"{n_free - placed} of {n_free}{unplaced} trainees cannot be placed: the capacities "
            f"and the department spread rule leave room for only {placed}"
        )


def check_feasible(
    candidates: Sequence[Candidate],
    places: Sequence[Place],
    *,
    fixed: Mapping[str, str] = _NO_FIXED,
    department_cap: Mapping[str, int] | None = None,
    capacity_label: str = "capacity",
) -> None:
    """Raise :class:`InfeasibleError` saying why in plain words when no placement exists.

    The first reason found, in this order:
    ``"mentor capacity 120 < 134 active trainees"`` (``capacity_label`` names the capacity);
    ``"kept placements exceed the mentor capacity of district 1806: 12 trainees kept, mentor
    capacity 11"``; ``"kept placements exceed the department spread rule at district 1806: 3 DLA
    trainees kept, 2 allowed"``; ``"department DLA has 30 trainees but the spread rule allows 25
    with the current capacities"`` (trainees still to place, and the room the capacities and
    caps leave them); ``"4 of 134 trainees cannot be placed: the capacities and the department
    spread rule leave room for only 130"``.

    ``fixed`` maps trainee id to the district code they are kept at (ids that are not among
    ``candidates`` are ignored); a code that is not among ``places`` is a ``ValueError``. A
    department missing from ``department_cap`` has no spread limit.
    """
    _check(_prepare(candidates, places, fixed), department_cap, capacity_label)


# ---------------------------------------------------------------------------------------------
# Solving


# Class key: (home province, home region, listed no preference?, department or "").
_ClassKey = tuple[str, str, bool, str]


class _Class:
    """Trainees of one home, listed-or-not and (with the spread rule) department."""

    __slots__ = ("home_province", "home_region", "base", "targets", "department", "size",
                 "members", "supply", "node")  # fmt: skip
    home_province: str
    home_region: str
    base: int  # preference cost of a district they did not list: 900 if they listed any, else 0
    targets: list[int]  # node where they enter each place, -1 where there is no room
    department: str
    size: int  # trainees that may go through the class node
    members: list[int]  # candidates that did, in id order
    supply: int  # trainees with no node of their own (they listed no preference)
    node: int

    def __init__(
        self, home_province: str, home_region: str, base: int, targets: list[int], department: str
    ) -> None:
        self.home_province = home_province
        self.home_region = home_region
        self.base = base
        self.targets = targets
        self.department = department
        self.size = 0
        self.members = []
        self.supply = 0
        self.node = -1


class _Network(NamedTuple):
    """The compressed flow network of one stage, and what is needed to read trainees back.

    Nodes: 0 sink; 1 + j place j; (department, place) nodes; hubs (one per region, and
    department); trainees who listed preferences; classes. Arcs, in this order: place -> sink,
    (department, place) -> place, hub -> place of its region, trainee -> listed place and ->
    its class, class -> place in the home province and -> hub.
    """

    # Per arc, the lists they were built as: the solver takes them one arc at a time, and
    # converting them to arrays (array.array parses each item on the way in) cost more time
    # than it saved memory, as the peak of a run comes later, when its output is written.
    tails: list[int]
    heads: list[int]
    capacities: list[int]
    costs: list[int]  # cost of the placement an arc stands for (0 off the trainee's path)
    solver_costs: list[int]  # what the solver minimises: costs scaled, plus tie-break ranks
    supply_nodes: list[int]
    supplies: list[int]
    node_place: list[int]  # place index of each node below first_hub_node
    first_hub_node: int
    first_class_node: int
    first_hub_arc: int
    first_trainee_arc: int
    classes: list[_Class]
    trainee_candidates: list[int]  # candidate index of each trainee node
    trainee_arcs: list[int]  # first arc of each trainee node (its arcs are consecutive)
    class_arcs: list[int]  # first arc of each class node (its arcs are consecutive)
    free: list[int]  # candidates to place


def _build_network(problem: _Problem, department_cap: Mapping[str, int] | None) -> _Network:
    """Assumes :func:`_check` passed.

    A district the trainee did not list costs ``base + geo``, where geo depends only on the
    home province and region: the class node reaches each district of the home province at
    ``base`` and each region's hub at ``base + 1`` (home region) or ``base + 2``; a hub passes
    flow on to its districts for free. Every real placement has a path at exactly its cost and
    no path costs less than the placement it stands for, so the optimum is unchanged.
    """
    cands = problem.candidates
    places = problem.places
    n_places = len(places)
    cap_left = problem.capacity_left
    if problem.kept_by_department:
        free = [i for i, j in enumerate(problem.fixed_at) if j < 0]
    else:
        free = list(range(len(cands)))
    n_free = len(free)
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    node_place = [-1] + list(range(n_places))
    sink = 0
    for j in range(n_places):
        if cap_left[j] > 0:
            tails.append(1 + j)
            heads.append(sink)
            caps.append(cap_left[j])
            costs.append(0)
    n_sink_arcs = len(tails)
    next_node = 1 + n_places

    # Where a trainee of a department enters each place (-1: no room). With the spread rule it
    # is a (department, place) node whose arc to the place carries the department's room left.
    targets: dict[str, list[int]] = {}
    if department_cap is None:
        targets[""] = [1 + j if cap_left[j] > 0 else -1 for j in range(n_places)]
    else:
        for dept in sorted({cands[i].department for i in free}):
            nodes = []
            for j in range(n_places):
                left = _department_left(problem, dept, j, department_cap)
                if left > 0:
                    nodes.append(next_node)
                    node_place.append(j)
                    tails.append(next_node)
                    heads.append(1 + j)
                    caps.append(left)
                    costs.append(0)
                    next_node += 1
                else:
                    nodes.append(-1)
            targets[dept] = nodes

    first_hub_node = next_node
    first_hub_arc = len(tails)
    regions = sorted({p.region for p in places})
    region_places: dict[str, list[int]] = {r: [] for r in regions}
    province_places: dict[str, list[int]] = {}
    for j, p in enumerate(places):
        region_places[p.region].append(j)
        province_places.setdefault(p.province_code, []).append(j)
    hubs: dict[str, list[tuple[str, int]]] = {}  # department -> (region, hub node)
    for dept, tg in targets.items():
        hubs[dept] = []
        for region in regions:
            hs = [tg[j] for j in region_places[region] if tg[j] >= 0]
            if hs:
                hubs[dept].append((region, next_node))
                tails.extend([next_node] * len(hs))
                heads.extend(hs)
                caps.extend([n_free] * len(hs))
                costs.extend([0] * len(hs))
                next_node += 1

    # Trainees who listed preferences get a node each; the class nodes come after them.
    with_department = department_cap is not None
    first_trainee_node = next_node
    trainee_candidates = [i for i in free if cands[i].preferences]
    first_class_node = first_trainee_node + len(trainee_candidates)
    class_by_key: dict[_ClassKey, _Class] = {}
    classes: list[_Class] = []
    first_trainee_arc = len(tails)
    trainee_arcs: list[int] = []
    index = problem.place_index
    province_of = [p.province_code for p in places]
    region_of = [p.region for p in places]
    t_append = tails.append
    h_append = heads.append
    c_append = costs.append
    for i in free:
        _, dept, hp, hr, prefs = cands[i]
        if not with_department:
            dept = ""
        key = (hp, hr, not prefs, dept)
        cls = class_by_key.get(key)
        if cls is None:
            base = 100 * UNLISTED_PREFERENCE if prefs else 0
            cls = _Class(hp, hr, base, targets[dept], dept)
            cls.node = first_class_node + len(classes)
            class_by_key[key] = cls
            classes.append(cls)
        if not prefs:
            cls.members.append(i)
            cls.size += 1
            cls.supply += 1
            continue
        tg = cls.targets
        own = next_node
        next_node += 1
        trainee_arcs.append(len(tails))
        if len(prefs) > _DOMINATED_FROM:
            # A preference this far down costs at least an unlisted district and the class path
            # would undercut it: exact arcs to every place with room instead.
            ranks: dict[int, int] = {}
            for rank, code in enumerate(prefs):
                ranks.setdefault(index.get(code, -1), rank)
            for j in range(n_places):
                if tg[j] >= 0:
                    geo = 0 if province_of[j] == hp else 1 if region_of[j] == hr else 2
                    t_append(own)
                    h_append(tg[j])
                    c_append(100 * ranks.get(j, UNLISTED_PREFERENCE) + geo)
            continue
        for rank, code in enumerate(prefs):
            j = index.get(code, -1)
            # A district listed twice gets a second, dearer arc that no optimum uses.
            if j >= 0 and tg[j] >= 0:
                t_append(own)
                h_append(tg[j])
                c_append(
                    100 * rank + (0 if province_of[j] == hp else 1 if region_of[j] == hr else 2)
                )
        t_append(own)
        h_append(cls.node)
        c_append(0)
        cls.size += 1
    next_node += len(classes)
    caps.extend([1] * (len(tails) - first_trainee_arc))

    class_arcs: list[int] = []
    for cls in classes:
        class_arcs.append(len(tails))
        if not cls.size:
            continue
        node = cls.node
        tg = cls.targets
        for j in province_places.get(cls.home_province, ()):
            if tg[j] >= 0:
                tails.append(node)
                heads.append(tg[j])
                caps.append(cls.size)
                costs.append(cls.base)
        for region, hub in hubs[cls.department]:
            tails.append(node)
            heads.append(hub)
            caps.append(cls.size)
            costs.append(cls.base + (1 if region == cls.home_region else 2))

    # Ties broken by district code: among the placements of least total cost, the solver gets
    # the one with the least total rank (in code order) of the places used, so nobody could move
    # to a lower-coded place of the same cost that has room. Costs are scaled by more than any
    # two totals of ranks can differ, and each place's arc to the sink carries its rank.
    scale = n_free * max(n_places - 1, 0) + 1
    if (max(costs, default=0) * scale + n_places) * (next_node + 1) >= _COST_LIMIT:
        scale = 1  # too large to tie-break exactly; still optimal and deterministic
    solver_costs = [c * scale for c in costs]
    if scale > 1:
        for a in range(n_sink_arcs):
            solver_costs[a] = tails[a] - 1

    supply_nodes = [sink]
    supplies = [-n_free]
    supply_nodes.extend(range(first_trainee_node, first_class_node))
    supplies.extend([1] * (first_class_node - first_trainee_node))
    for cls in classes:
        if cls.supply:
            supply_nodes.append(cls.node)
            supplies.append(cls.supply)
    return _Network(
        tails,
        heads,
        caps,
        costs,
        solver_costs,
        supply_nodes,
        supplies,
        node_place,
        first_hub_node,
        first_class_node,
        first_hub_arc,
        first_trainee_arc,
        classes,
        trainee_candidates,
        trainee_arcs,
        class_arcs,
        free,
    )


def _solve(
    problem: _Problem, department_cap: Mapping[str, int] | None
) -> tuple[list[int], list[int]]:
    """Place index and cost of every candidate: kept ones where they are, the others at the
    minimum total cost. Assumes :func:`_check` passed."""
    cands = problem.candidates
    places = problem.places
    assigned = list(problem.fixed_at)
    cost = [0] * len(cands)
    if problem.kept_by_department:  # someone is kept
        for i, j in enumerate(assigned):
            if j >= 0:
                cost[i] = placement_cost(cands[i], places[j])
    if -1 not in assigned:  # nobody to place
        return assigned, cost

    from ortools.graph.python import min_cost_flow

    net = _build_network(problem, department_cap)
    solver = min_cost_flow.SimpleMinCostFlow()
    # One call per arc and node, not the bulk methods: those take numpy arrays, and importing
    # numpy (only for that) costs more than these calls.
    for _ in map(
        solver.add_arc_with_capacity_and_unit_cost,
        net.tails, net.heads, net.capacities, net.solver_costs,
    ):  # fmt: skip
        pass
    for _ in map(solver.set_node_supply, net.supply_nodes, net.supplies):
        pass
    status = solver.solve()
    if status != solver.OPTIMAL:
        if department_cap is not None:  # say how many cannot be placed
            _check_departments_together(
                problem, department_cap, Counter(cands[i].department for i in net.free)
            )
        raise InfeasibleError(f"no placement found: the min-cost flow solver reports {status!r}")

    # Read trainees back from the arcs that carry flow. A direct arc names the place; a class
    # node's flow goes to places directly or through hubs, and its members (in id order) take
    # it in place order.
    tails, heads, costs, node_place = net.tails, net.heads, net.costs, net.node_place
    classes = net.classes
    hub_in: dict[int, list[tuple[int, int]]] = {}  # hub -> (class, flow), classes in order
    hub_out: dict[int, list[tuple[int, int]]] = {}  # hub -> (place, flow), places in order
    class_out: list[list[tuple[int, int]]] = [[] for _ in classes]  # (place, flow)
    first_hub_node = net.first_hub_node
    first_class_node = net.first_class_node
    flow = solver.flow
    for a, f in _carrying(flow, net.first_hub_arc, net.first_trainee_arc):
        hub_out.setdefault(tails[a], []).append((node_place[heads[a]], f))
    # A trainee's unit leaves by exactly one of its arcs (its listed places in order, then its
    # class): read them until that one, not all of them, as each read is a call into OR-Tools
    # and most trainees get an early choice.
    for i, a in zip(net.trainee_candidates, net.trainee_arcs, strict=True):
        while not flow(a):
            a += 1
        head = heads[a]
        if head < first_hub_node:
            assigned[i] = node_place[head]
            cost[i] = costs[a]
        else:
            classes[head - first_class_node].members.append(i)
    # A class sends on what it holds (its members) by its consecutive arcs: read them until
    # all of it is found, and none of a class that nobody went through.
    for k, (cls, a) in enumerate(zip(classes, net.class_arcs, strict=True)):
        left = len(cls.members)
        while left:
            f = flow(a)
            if f:
                head = heads[a]
                if head < first_hub_node:
                    class_out[k].append((node_place[head], f))
                else:
                    hub_in.setdefault(head, []).append((k, f))
                left -= f
            a += 1
    for hub, ins in hub_in.items():
        outs = hub_out[hub]
        o = 0
        for k, f in ins:
            while f:
                j, room = outs[o]
                take = min(f, room)
                class_out[k].append((j, take))
                f -= take
                if take == room:
                    o += 1
                else:
                    outs[o] = (j, room - take)
    for cls, outs in zip(classes, class_out, strict=True):
        # In id order: a class holds either trainees who listed nothing (added while building)
        # or trainees who listed preferences (added above, in trainee-node order).
        members = cls.members
        pos = 0
        for j, f in sorted(outs):
            p = places[j]
            geo = _geo(cls.home_province, cls.home_region, p.province_code, p.region)
            for i in members[pos : pos + f]:
                assigned[i] = j
                cost[i] = cls.base + geo
            pos += f
    return assigned, cost


def _carrying(flow: Callable[[int], int], start: int, stop: int) -> list[tuple[int, int]]:
    """(arc, flow) of the arcs ``start`` to ``stop`` that carry flow, in order."""
    amounts = list(map(flow, range(start, stop)))
    return list(zip(compress(range(start, stop), amounts), compress(amounts, amounts), strict=True))


def place_trainees(
    candidates: Sequence[Candidate],
    places: Sequence[Place],
    *,
    fixed: Mapping[str, str] = _NO_FIXED,
    department_cap: Mapping[str, int] | None = None,
    capacity_label: str = "capacity",
    tolerate_kept: bool = False,
) -> StageResult:
    """Place every candidate in exactly one place at the exact minimum total cost.

    Candidates in ``fixed`` (trainee id -> district code) stay where they are; the others go
    into the capacity they leave, within ``department_cap`` (per place, per department; ``None``
    for no spread rule). The result does not depend on the order of the inputs.
    Raises :class:`InfeasibleError` (see :func:`check_feasible`) when no placement exists.
    ``tolerate_kept``: kept trainees above a capacity or department cap (which shrank after
    they were placed) are not an error; their place simply has no room left.
    """
    problem = _prepare(candidates, places, fixed)
    _check(problem, department_cap, capacity_label, joint=False, tolerate_kept=tolerate_kept)
    assigned, costs = _solve(problem, department_cap)
    codes = [p.code for p in problem.places]
    return StageResult(problem.ids, [codes[j] for j in assigned], costs, sum(costs), True)


# ---------------------------------------------------------------------------------------------
# Explaining one placement


def explain(
    candidate: Candidate,
    places: Sequence[Place],
    result: StageResult,
    *,
    department_cap: Mapping[str, int] | None = None,
    candidates: Sequence[Candidate] = (),
    limit: int = 5,
) -> tuple[Placement, dict[str, int], list[Alternative]]:
    """The placement of ``candidate`` in ``result``, its cost breakdown, and the ``limit`` next
    best districts (by cost, then code) with why each lost:

    - cheaper or as cheap, but ``"full"`` (at capacity in the result) or ``"department cap
      reached"``; as cheap with room: ``"same cost, tie broken by district code"`` (the
      optimiser prefers the lower code among equal costs, so the alternative's code is higher);
      cheaper with room, or as cheap with a lower code: ``"kept where already placed"`` (only
      a kept trainee can be there);
    - dearer: ``"worse preference"`` (listed lower, or not at all) or ``"farther"`` (same
      preference, further from home).

    ``candidates`` (everyone in the stage) lets the department spread rule be named as a reason.
    """
    if candidate.trainee_id not in result.trainee_ids:
        raise ValueError(f"trainee {candidate.trainee_id} is not placed in this result")
    k = result.trainee_ids.index(candidate.trainee_id)
    chosen = Placement(candidate.trainee_id, result.district_codes[k], result.costs[k])
    by_code = {p.code: p for p in places}
    if chosen.district_code not in by_code:
        raise ValueError(f"district {chosen.district_code} is not among the places")
    breakdown = cost_breakdown(candidate, by_code[chosen.district_code])
    load = Counter(result.district_codes)
    department_of = {c.trainee_id: c.department for c in candidates}
    department_load = Counter(
        code
        for trainee_id, code in zip(result.trainee_ids, result.district_codes, strict=True)
        if department_of.get(trainee_id) == candidate.department
    )
    cap = None if department_cap is None else department_cap.get(candidate.department)
    ranked = sorted(
        ((placement_cost(candidate, p), p) for p in places if p.code != chosen.district_code),
        key=lambda cp: (cp[0], cp[1].code),
    )
    alternatives = []
    for cost, place in ranked[: max(limit, 0)]:
        if cost > chosen.cost:
            worse = _preference(candidate, place.code) > breakdown["preference"]
            reason = "worse preference" if worse else "farther"
        elif load[place.code] >= place.capacity:
            reason = "full"
        elif cap is not None and department_load[place.code] >= cap:
            reason = "department cap reached"
        elif cost < chosen.cost or place.code < chosen.district_code:
            # Only a trainee kept where they already were can miss a cheaper district with room,
            # or one as cheap with a lower code.
            reason = "kept where already placed"
        else:
            reason = "same cost, tie broken by district code"
        alternatives.append(Alternative(place.code, cost, reason))
    return chosen, breakdown, alternatives
