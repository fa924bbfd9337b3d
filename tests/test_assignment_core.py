"""The placement optimiser (castctl.core.solver): costs, rules, exact optimum, determinism,
feasibility messages and explanations. Optimality is checked against independent formulations:
a dense binary MILP solved by scipy (HiGHS), and brute force on tiny instances."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from castctl.core import solver
from castctl.core.solver import (
    Alternative,
    Candidate,
    Place,
    Placement,
    StageResult,
    check_feasible,
    cost_breakdown,
    department_caps,
    explain,
    place_trainees,
    placement_cost,
)
from castctl.errors import CastError, InfeasibleError

PROVINCE_REGION = {
    "10": "central",
    "11": "central",
    "30": "northeast",
    "50": "north",
    "51": "north",
    "90": "south",
}
DEPARTMENTS = ("CDD", "DLA", "OPS")
HYPOTHESIS = settings(
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Instance = tuple[list[Candidate], list[Place], dict[str, str], dict[str, int] | None]


def cand(tid: str, home: str = "10", prefs: Sequence[str] = (), dept: str = "DLA") -> Candidate:
    return Candidate(tid, dept, home, PROVINCE_REGION[home], tuple(prefs))


def place(code: str, capacity: int) -> Place:
    return Place(code, code[:2], PROVINCE_REGION[code[:2]], capacity)


# ---------------------------------------------------------------------------------------------
# Independent formulations


def milp_optimum(
    candidates: Sequence[Candidate],
    places: Sequence[Place],
    fixed: Mapping[str, str],
    department_cap: Mapping[str, int] | None,
) -> int | None:
    """Minimum total cost over the dense binary model x[t, d], or None when infeasible."""
    n, m = len(candidates), len(places)
    if n == 0:
        return 0
    cost = np.array([placement_cost(t, p) for t in candidates for p in places], dtype=float)
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    for i in range(n):  # every trainee exactly once
        row = np.zeros(n * m)
        row[i * m : (i + 1) * m] = 1
        rows.append(row)
        lower.append(1)
        upper.append(1)
    for j, p in enumerate(places):  # capacity
        row = np.zeros(n * m)
        row[j::m] = 1
        rows.append(row)
        lower.append(0)
        upper.append(p.capacity)
    for dept, cap in (department_cap or {}).items():  # spread rule
        for j in range(m):
            row = np.zeros(n * m)
            for i, t in enumerate(candidates):
                if t.department == dept:
                    row[i * m + j] = 1
            rows.append(row)
            lower.append(0)
            upper.append(cap)
    low_x = np.zeros(n * m)
    codes = [p.code for p in places]
    for i, t in enumerate(candidates):
        if t.trainee_id in fixed:
            low_x[i * m + codes.index(fixed[t.trainee_id])] = 1
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.ones(n * m),
        bounds=Bounds(low_x, np.ones(n * m)),
    )
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return round(res.fun)


def brute_force_optimum(
    candidates: Sequence[Candidate],
    places: Sequence[Place],
    fixed: Mapping[str, str],
    department_cap: Mapping[str, int] | None,
) -> int | None:
    best: int | None = None
    for choice in itertools.product(range(len(places)), repeat=len(candidates)):
        if any(
            t.trainee_id in fixed and places[j].code != fixed[t.trainee_id]
            for t, j in zip(candidates, choice, strict=True)
        ):
            continue
        load = Counter(choice)
        if any(load[j] > p.capacity for j, p in enumerate(places)):
            continue
        if department_cap is not None:
            spread = Counter((t.department, j) for t, j in zip(candidates, choice, strict=True))
            if any(n > department_cap.get(d, n) for (d, _), n in spread.items()):
                continue
        total = sum(placement_cost(t, places[j]) for t, j in zip(candidates, choice, strict=True))
        best = total if best is None else min(best, total)
    return best


# ---------------------------------------------------------------------------------------------
# Random instances


@st.composite
def instances(draw: st.DrawFn, max_candidates: int = 25, max_places: int = 8) -> Instance:
    m = draw(st.integers(1, max_places))
    provinces = draw(st.lists(st.sampled_from(sorted(PROVINCE_REGION)), min_size=m, max_size=m))
    places = [
        Place(f"{pv}{j:02d}", pv, PROVINCE_REGION[pv], draw(st.integers(0, 5)))
        for j, pv in enumerate(provinces)
    ]
    codes = [p.code for p in places]
    total = sum(p.capacity for p in places)
    n = draw(st.integers(0, min(max_candidates, total + 1)))  # sometimes one too many
    order = draw(st.permutations(range(n)))
    candidates = []
    for k in order:
        home = draw(st.sampled_from(sorted(PROVINCE_REGION)))
        # Preferences may repeat a district or name one that is not a place ("9999").
        prefs = draw(st.lists(st.sampled_from([*codes, "9999"]), max_size=5))
        dept = draw(st.sampled_from(DEPARTMENTS))
        candidates.append(Candidate(f"T{k:03d}", dept, home, PROVINCE_REGION[home], tuple(prefs)))
    rule = draw(st.sampled_from(("none", "contract", "random")))
    department_cap: dict[str, int] | None = None
    if rule == "contract":
        department_cap = department_caps((c.department for c in candidates), n_places=m)
    elif rule == "random":
        department_cap = {d: draw(st.integers(0, 4)) for d in DEPARTMENTS[:2]}  # OPS uncapped
    fixed: dict[str, str] = {}
    keep_some: bool = draw(st.booleans())
    if candidates and keep_some:
        for c in draw(st.lists(st.sampled_from(candidates), unique=True, max_size=n)):
            fixed[c.trainee_id] = draw(st.sampled_from(codes))
    return candidates, places, fixed, department_cap


def assert_valid(result: StageResult, instance: Instance) -> None:
    """Every rule of the contract, and the tie-break by district code."""
    candidates, places, fixed, department_cap = instance
    by_id = {c.trainee_id: c for c in candidates}
    by_code = {p.code: p for p in places}
    ids = [p.trainee_id for p in result.placements]
    assert ids == sorted(by_id), "one placement per candidate, sorted by trainee id"
    assert result.optimal is True
    load = Counter(p.district_code for p in result.placements)
    for code, n in load.items():
        assert n <= by_code[code].capacity, f"capacity of {code}"
    spread = Counter((by_id[p.trainee_id].department, p.district_code) for p in result.placements)
    if department_cap is not None:
        for (dept, code), n in spread.items():
            assert n <= department_cap.get(dept, n), f"spread rule for {dept} at {code}"
    for p in result.placements:
        assert p.cost == placement_cost(by_id[p.trainee_id], by_code[p.district_code])
        if p.trainee_id in fixed:
            assert p.district_code == fixed[p.trainee_id], "kept trainees stay"
    assert result.objective == sum(p.cost for p in result.placements)
    # No free trainee could move to a place with room that is cheaper, or as cheap with a lower
    # code (ties are broken by district code).
    for p in result.placements:
        if p.trainee_id in fixed:
            continue
        t = by_id[p.trainee_id]
        for q in places:
            room = load[q.code] < q.capacity
            if department_cap is not None and t.department in department_cap:
                room = room and spread[t.department, q.code] < department_cap[t.department]
            if room and q.code != p.district_code:
                c = placement_cost(t, q)
                assert c >= p.cost, f"{t.trainee_id} could move to {q.code} for less"
                assert c > p.cost or q.code > p.district_code, f"tie not broken by code for {t}"


@settings(HYPOTHESIS, max_examples=300)
@given(instances())
def test_random_instances_are_valid_and_match_the_milp_optimum(instance: Instance) -> None:
    candidates, places, fixed, department_cap = instance
    expected = milp_optimum(candidates, places, fixed, department_cap)
    event(f"feasible={expected is not None}, spread rule={department_cap is not None}")
    event(f"kept={bool(fixed)}")
    try:
        check_feasible(candidates, places, fixed=fixed, department_cap=department_cap)
    except InfeasibleError as exc:
        event(f"infeasible: {str(exc).split()[0]}")
        assert expected is None, "reported infeasible but the MILP found a placement"
        with pytest.raises(InfeasibleError) as again:
            place_trainees(candidates, places, fixed=fixed, department_cap=department_cap)
        assert str(again.value) == str(exc), "check_feasible and place_trainees say the same"
        return
    assert expected is not None, "feasible although the MILP says it is not"
    result = place_trainees(candidates, places, fixed=fixed, department_cap=department_cap)
    assert result.objective == expected
    assert_valid(result, instance)


@settings(HYPOTHESIS, max_examples=200)
@given(instances(max_candidates=5, max_places=3))
def test_tiny_instances_match_brute_force(instance: Instance) -> None:
    candidates, places, fixed, department_cap = instance
    expected = brute_force_optimum(candidates, places, fixed, department_cap)
    if expected is None:
        with pytest.raises(InfeasibleError):
            check_feasible(candidates, places, fixed=fixed, department_cap=department_cap)
        return
    result = place_trainees(candidates, places, fixed=fixed, department_cap=department_cap)
    assert result.objective == expected
    assert_valid(result, instance)


@HYPOTHESIS
@given(instances(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_result(instance: Instance, rnd: random.Random) -> None:
    candidates, places, fixed, department_cap = instance
    try:
        first = place_trainees(candidates, places, fixed=fixed, department_cap=department_cap)
    except InfeasibleError as exc:
        shuffled_c, shuffled_p = list(candidates), list(places)
        rnd.shuffle(shuffled_c)
        rnd.shuffle(shuffled_p)
        with pytest.raises(InfeasibleError) as raised:
            place_trainees(shuffled_c, shuffled_p, fixed=fixed, department_cap=department_cap)
        assert str(raised.value) == str(exc)
        return
    for _ in range(3):
        shuffled_c, shuffled_p = list(candidates), list(places)
        rnd.shuffle(shuffled_c)
        rnd.shuffle(shuffled_p)
        again = place_trainees(shuffled_c, shuffled_p, fixed=fixed, department_cap=department_cap)
        assert repr(again) == repr(first)


def test_identical_trainees_are_placed_deterministically_in_id_order() -> None:
    # Eight trainees with the same cost everywhere (geo 2): ties everywhere; the lower ids get
    # the lower district codes (not the order of region names), on every input order.
    places = [place("5001", 2), place("3001", 2), place("1002", 2), place("1001", 2)]
    candidates = [cand(f"T{k}", home="90") for k in range(8)]
    expected = [("T0", "1001"), ("T1", "1001"), ("T2", "1002"), ("T3", "1002"),
                ("T4", "3001"), ("T5", "3001"), ("T6", "5001"), ("T7", "5001")]  # fmt: skip
    for seed in range(5):
        rnd = random.Random(seed)
        cs, ps = candidates[:], places[:]
        rnd.shuffle(cs)
        rnd.shuffle(ps)
        result = place_trainees(cs, ps)
        assert [(p.trainee_id, p.district_code) for p in result.placements] == expected
        assert result.objective == 16


def test_a_national_sized_instance_matches_the_milp() -> None:
    """Many classes, hubs and listed trainees at once, against the dense model."""
    rnd = random.Random(7)
    provinces = sorted(PROVINCE_REGION)
    places = [
        Place(f"{pv}{j:02d}", pv, PROVINCE_REGION[pv], rnd.randint(2, 8))
        for j, pv in enumerate(rnd.choices(provinces, k=24))
    ]
    codes = [p.code for p in places]
    candidates = []
    for k in range(110):
        home = rnd.choice(provinces)
        prefs = rnd.sample(codes, rnd.randint(0, 5)) if rnd.random() < 0.7 else []
        candidates.append(
            Candidate(f"T{k:03d}", rnd.choice(DEPARTMENTS), home, PROVINCE_REGION[home],
                      tuple(prefs))
        )  # fmt: skip
    fixed = {"T001": codes[0], "T002": codes[1]}
    for department_cap in (None, department_caps((c.department for c in candidates), 10)):
        instance: Instance = (candidates, places, fixed, department_cap)
        result = place_trainees(candidates, places, fixed=fixed, department_cap=department_cap)
        assert result.objective == milp_optimum(*instance)
        assert_valid(result, instance)


# ---------------------------------------------------------------------------------------------
# Costs


def test_placement_cost_follows_the_contract() -> None:
    listed = cand("A", home="10", prefs=("1001", "5001", "3001"))
    assert placement_cost(listed, place("1001", 1)) == 0  # pref 0, same province
    assert placement_cost(listed, place("5001", 1)) == 102  # pref 1, other region
    assert placement_cost(listed, place("3001", 1)) == 202  # pref 2, other region
    assert placement_cost(listed, place("1002", 1)) == 900  # not listed, same province
    assert placement_cost(listed, place("1101", 1)) == 901  # not listed, same region
    assert placement_cost(listed, place("9001", 1)) == 902  # not listed, other region
    none_listed = cand("B", home="50")
    assert placement_cost(none_listed, place("5001", 1)) == 0
    assert placement_cost(none_listed, place("5101", 1)) == 1
    assert placement_cost(none_listed, place("1001", 1)) == 2
    # A preference that is not a place still counts for the position of the others.
    gone = cand("C", home="10", prefs=("9999", "5001"))
    assert placement_cost(gone, place("5001", 1)) == 102
    assert cost_breakdown(listed, place("5001", 1)) == {
        "preference": 1,
        "preference_cost": 100,
        "geo": 2,
    }


def test_placements_carry_the_contract_cost_when_preferences_name_missing_districts() -> None:
    c = cand("A", home="10", prefs=("9999", "5001", "1001"))
    result = place_trainees([c], [place("1001", 1), place("5001", 1)])
    assert result.placements == (Placement("A", "5001", 102),)


def test_a_preference_after_the_tenth_costs_more_than_an_unlisted_district() -> None:
    # 12 listed districts, only the 11th and an unlisted one have room: 1000 + geo > 900 + geo,
    # so the unlisted one wins; and with it gone the 11th costs exactly 100 * 10 + geo.
    listed = [place(f"50{k:02d}", 0) for k in range(12)]
    listed[10] = place("5010", 1)
    c = cand("A", home="10", prefs=[p.code for p in listed])
    with_unlisted = place_trainees([c], [*listed, place("5099", 1)])
    assert with_unlisted.placements == (Placement("A", "5099", 902),)
    only_listed = place_trainees([c], listed)
    assert only_listed.placements == (Placement("A", "5010", 1002),)


def test_department_caps_round_up() -> None:
    assert department_caps(["DLA"] * 21 + ["CDD"] * 10) == {"CDD": 1, "DLA": 3}
    assert department_caps(["DLA"] * 5, n_places=3) == {"DLA": 2}
    assert department_caps([]) == {}
    with pytest.raises(ValueError):
        department_caps(["DLA"], n_places=0)


# ---------------------------------------------------------------------------------------------
# Kept trainees, edges


def test_kept_trainees_stay_and_the_others_use_the_capacity_left() -> None:
    places = [place("1001", 1), place("1002", 1)]
    kept = cand("A", home="10", prefs=("1002",))
    new = cand("B", home="10", prefs=("1002",))
    result = place_trainees([kept, new], places, fixed={"A": "1002", "GONE": "1001"})
    assert result.placements == (Placement("A", "1002", 0), Placement("B", "1001", 900))
    assert result.objective == 900


def test_kept_trainees_above_a_shrunken_limit_stay_only_when_tolerated() -> None:
    # Capacity 1 at 1001 but two trainees were kept there (the limit shrank after a withdrawal).
    places = [place("1001", 1), place("1002", 2)]
    trainees = [cand("A"), cand("B"), cand("C", prefs=("1001",))]
    fixed = {"A": "1001", "B": "1001"}
    with pytest.raises(InfeasibleError, match="kept placements exceed the capacity of district"):
        place_trainees(trainees, places, fixed=fixed)
    result = place_trainees(trainees, places, fixed=fixed, tolerate_kept=True)
    # A and B stay; C is not squeezed into the over-full 1001 although it is their 1st choice.
    assert [p.district_code for p in result.placements] == ["1001", "1001", "1002"]
    caps = {"DLA": 1}
    dla = [cand("A", dept="DLA"), cand("B", dept="DLA"), cand("C", dept="DLA")]
    with pytest.raises(InfeasibleError, match="department spread rule at district 1001"):
        place_trainees(dla, [place("1001", 3), place("1002", 3)], fixed=fixed, department_cap=caps)
    tolerated = place_trainees(
        dla, [place("1001", 3), place("1002", 3)], fixed=fixed, department_cap=caps,
        tolerate_kept=True,
    )  # fmt: skip
    assert [p.district_code for p in tolerated.placements] == ["1001", "1001", "1002"]


def test_everyone_kept_and_nobody_at_all() -> None:
    places = [place("1001", 2)]
    everyone = place_trainees([cand("A"), cand("B")], places, fixed={"A": "1001", "B": "1001"})
    assert everyone == StageResult(["A", "B"], ["1001", "1001"], [0, 0], 0, True)
    assert everyone.placements == (Placement("A", "1001", 0), Placement("B", "1001", 0))
    assert place_trainees([], places) == StageResult([], [], [], 0, True)


def test_without_room_for_tie_breaking_the_result_is_still_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solver, "_COST_LIMIT", 1)
    places = [place("1001", 1), place("5001", 2), place("9001", 1)]
    candidates = [cand("A", "10", ("5001",)), cand("B", "50"), cand("C", "90"), cand("D", "10")]
    result = place_trainees(candidates, places)
    assert result.objective == milp_optimum(candidates, places, {}, None)


def test_a_solver_that_finds_no_placement_is_reported_as_infeasible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(solver, "_check", lambda *args, **kwargs: None)  # no early checks
    with pytest.raises(InfeasibleError, match="no placement found"):
        place_trainees([cand("A"), cand("B")], [place("1001", 1)])


@pytest.mark.parametrize(
    ("candidates", "places", "fixed", "message"),
    [
        ([cand("A"), cand("A")], [place("1001", 2)], {}, "trainee A is listed twice"),
        ([cand("A")], [place("1001", 1), place("1001", 1)], {}, "district 1001 is listed twice"),
        ([cand("A")], [place("1001", -1)], {}, "negative capacity"),
        ([cand("A")], [place("1001", 1)], {"A": "9999"}, "kept at 9999"),
    ],
)
def test_caller_mistakes_are_value_errors(
    candidates: list[Candidate], places: list[Place], fixed: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        place_trainees(candidates, places, fixed=fixed)


def test_a_negative_department_cap_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="negative cap"):
        place_trainees([cand("A")], [place("1001", 1)], department_cap={"DLA": -1})


def test_importing_the_module_does_not_load_the_solver() -> None:
    code = "import sys, castctl.core.solver; print('ortools' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_placing_does_not_load_numpy() -> None:
    """OR-Tools' bulk methods would import numpy (12 MiB and tens of milliseconds at every
    ``assign``); the solver is fed arc by arc instead, on the infeasible path too."""
    code = (
        "import sys\n"
        "from castctl.core.solver import Candidate, Place, place_trainees\n"
        "from castctl.errors import InfeasibleError\n"
        "places = [Place('1001', '10', 'central', 3), Place('1002', '10', 'central', 1)]\n"
        "people = [Candidate(f'{d}{k}', d, '10', 'central') for d in 'XY' for k in range(2)]\n"
        "print(place_trainees(people, places).objective)\n"
        "try:\n"
        "    place_trainees(people, places, department_cap={'X': 1, 'Y': 1})\n"
        "except InfeasibleError as exc:\n"
        "    print(exc.message)\n"
        "print('numpy' in sys.modules, 'ortools.graph.python.min_cost_flow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    objective, infeasible, loaded = out.stdout.strip().splitlines()
    assert objective == "0"
    # Each department fits on its own; together only 3 of 4 do (1002 has room for one).
    assert infeasible.startswith("1 of 4 trainees cannot be placed"), infeasible
    assert loaded == "False True"


# ---------------------------------------------------------------------------------------------
# Infeasible


def test_total_capacity_short_names_both_numbers() -> None:
    places = [place(f"10{k:02d}", 12) for k in range(10)]
    candidates = [cand(f"T{k:03d}") for k in range(134)]
    with pytest.raises(InfeasibleError) as err:
        place_trainees(candidates, places, capacity_label="mentor capacity")
    assert str(err.value) == "mentor capacity 120 < 134 active trainees"
    assert err.value.exit_code == 3
    assert isinstance(err.value, CastError)
    with pytest.raises(InfeasibleError, match="^capacity 120 < 134 active trainees$"):
        check_feasible(candidates, places)


def test_department_spread_short_names_the_department() -> None:
    places = [place("1001", 5), place("5001", 5)]
    candidates = [cand(f"D{k}", dept="DLA") for k in range(4)] + [cand("C0", dept="CDD")]
    with pytest.raises(InfeasibleError) as err:
        place_trainees(candidates, places, department_cap={"DLA": 1, "CDD": 1})
    assert str(err.value) == (
        "department DLA has 4 trainees but the spread rule allows 2 with the current capacities"
    )


def test_departments_that_fit_alone_but_not_together_say_how_many_cannot_be_placed() -> None:
    places = [place("1001", 3), place("5001", 1)]
    candidates = [cand("X1", dept="DLA"), cand("X2", dept="DLA")]
    candidates += [cand("Y1", dept="CDD"), cand("Y2", dept="CDD")]
    caps = {"DLA": 1, "CDD": 1}
    message = (
        "1 of 4 trainees cannot be placed: the capacities and the department spread rule "
        "leave room for only 3"
    )
    with pytest.raises(InfeasibleError) as err:
        check_feasible(candidates, places, department_cap=caps)
    assert str(err.value) == message
    with pytest.raises(InfeasibleError) as err:
        place_trainees(candidates, places, department_cap=caps)
    assert str(err.value) == message
    assert milp_optimum(candidates, places, {}, caps) is None


def test_kept_placements_over_capacity_name_the_district() -> None:
    places = [place("1001", 1), place("5001", 5)]
    candidates = [cand("A"), cand("B")]
    with pytest.raises(InfeasibleError) as err:
        place_trainees(
            candidates, places, fixed={"A": "1001", "B": "1001"}, capacity_label="target capacity"
        )
    assert str(err.value) == (
        "kept placements exceed the target capacity of district 1001: "
        "2 trainees kept, target capacity 1"
    )


def test_kept_placements_over_the_department_cap_name_the_district() -> None:
    places = [place("1001", 5), place("5001", 5)]
    candidates = [cand("A"), cand("B")]
    with pytest.raises(InfeasibleError, match="district 1001: 2 DLA trainees kept, 1 allowed"):
        place_trainees(
            candidates, places, fixed={"A": "1001", "B": "1001"}, department_cap={"DLA": 1}
        )


# ---------------------------------------------------------------------------------------------
# Explain


def test_explain_says_why_each_alternative_lost() -> None:
    places = [place("1001", 1), place("1002", 1), place("1003", 1), place("1101", 1),
              place("5001", 3)]  # fmt: skip
    x = cand("X", home="10", prefs=("1001",))
    y = cand("Y", home="10", prefs=("1001", "1101", "5001"))
    z = cand("Z", home="11")
    candidates = [x, y, z]
    result = place_trainees(candidates, places)
    # X has 1001; Y's next choice 1101 beats sending Z away from home (101 + 1 < 202 + 0).
    assert [(p.trainee_id, p.district_code, p.cost) for p in result.placements] == [
        ("X", "1001", 0),
        ("Y", "1101", 101),
        ("Z", "1002", 1),
    ]
    chosen, breakdown, alternatives = explain(y, places, result, candidates=candidates)
    assert chosen == Placement("Y", "1101", 101)
    assert breakdown == {"preference": 1, "preference_cost": 100, "geo": 1}
    assert alternatives == [
        Alternative("1001", 0, "full"),
        Alternative("5001", 202, "worse preference"),
        Alternative("1002", 900, "worse preference"),
        Alternative("1003", 900, "worse preference"),
    ]
    chosen, breakdown, alternatives = explain(z, places, result, candidates=candidates, limit=4)
    assert breakdown == {"preference": 0, "preference_cost": 0, "geo": 1}
    assert alternatives == [
        Alternative("1101", 0, "full"),
        Alternative("1001", 1, "full"),
        Alternative("1003", 1, "same cost, tie broken by district code"),
        Alternative("5001", 2, "farther"),
    ]
    assert len(explain(z, places, result, limit=1)[2]) == 1


def test_explain_names_the_department_cap_and_kept_trainees() -> None:
    places = [place("1001", 2), place("5001", 2)]
    a, b = cand("A", home="10"), cand("B", home="10")
    caps = {"DLA": 1}
    result = place_trainees([a, b], places, department_cap=caps)
    assert [p.district_code for p in result.placements] == ["1001", "5001"]
    _, _, alternatives = explain(b, places, result, department_cap=caps, candidates=[a, b])
    assert alternatives == [Alternative("1001", 0, "department cap reached")]

    kept = place_trainees([a], places, fixed={"A": "5001"})
    _, _, alternatives = explain(a, places, kept)
    assert alternatives == [Alternative("1001", 0, "kept where already placed")]
    same = [place("1001", 1), place("1002", 1), place("1003", 1)]
    kept = place_trainees([a], same, fixed={"A": "1002"})
    _, _, alternatives = explain(a, same, kept)
    assert alternatives == [
        Alternative("1001", 0, "kept where already placed"),
        Alternative("1003", 0, "same cost, tie broken by district code"),
    ]


def test_explain_a_trainee_not_in_the_result_is_a_value_error() -> None:
    result = place_trainees([cand("A")], [place("1001", 1)])
    with pytest.raises(ValueError, match="not placed"):
        explain(cand("B"), [place("1001", 1)], result)
    with pytest.raises(ValueError, match="not among the places"):
        explain(cand("A"), [place("5001", 1)], result)
