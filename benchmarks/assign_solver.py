"""Benchmark the placement optimiser against a bare OR-Tools min-cost-flow solve.

Run with the project's interpreter::

    .venv/bin/python benchmarks/assign_solver.py [--runs 7] [--seed 2566]

Builds a seeded synthetic national cohort (10,000 trainees over the 77 provinces, 928 target
districts of capacity 11, ~70 % listing 1-5 target preferences) and the pilot stage (the same
trainees over the 10 pilot districts with the department spread rule), then times, side by side
in one run:

(a) bare: a SimpleMinCostFlow built from prepared arrays of the same compressed network that
    ``place_trainees`` builds, with the same costs (add arcs, set supplies, solve, read the flows
    back);
(b) whole: ``place_trainees(...)``: sorting, feasibility checks, building the network, solving,
    reading placements back and costing them.

and prints min and median of each and the ratio b/a (target: <= 2). For reference it also times
(a0), the bare solve with the plain placement costs, without the costs that break ties by
district code (they make the solver itself ~1.4x slower). No database, no I/O beyond reading
the packaged region list.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geothai
import numpy as np
from ortools.graph.python import min_cost_flow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from castctl.core import solver  # noqa: E402
from castctl.core.solver import (  # noqa: E402
    Candidate,
    Place,
    department_caps,
    place_trainees,
)

DEPARTMENTS = ("OPS", "DOPA", "CDD", "DLA", "DOL", "DPT", "DDPM")
PILOT_CODES = ("5607", "4001", "4105", "3209", "9005", "9501", "6501", "6309", "1806", "2506")
REGIONS = ("north", "northeast", "central", "east", "west", "south")


def province_regions() -> dict[str, str]:
    """Region of each province code: from the packaged regions.yaml when present, else a
    simple deterministic rule on the first digit of the code."""
    path = ROOT / "src" / "castctl" / "data" / "regions.yaml"
    codes = [p.code for p in geothai.provinces()]
    if path.exists():
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mapping = {code: region for region, members in data.items() for code in members}
        if all(code in mapping for code in codes):
            return mapping
    rule = {"1": "central", "2": "east", "3": "northeast", "4": "northeast", "5": "north",
            "6": "central", "7": "west", "8": "south", "9": "south"}  # fmt: skip
    return {code: rule[code[0]] for code in codes}


def national_instance(
    seed: int, n_trainees: int = 10_000, capacity: int = 11
) -> tuple[list[Candidate], list[Place], list[Place]]:
    """Candidates, the 928 target districts, and the 10 pilot districts (capacity
    ceil(n / 10) each, the default mentor capacity)."""
    rng = random.Random(seed)
    regions = province_regions()
    provinces = [p.code for p in geothai.provinces()]
    districts = {pc: [d.code for d in geothai.districts(pc)] for pc in provinces}
    targets = [Place(code, pc, regions[pc], capacity) for pc in provinces for code in districts[pc]]
    by_region: dict[str, list[str]] = {}
    for place in targets:
        by_region.setdefault(place.region, []).append(place.code)
    all_codes = [p.code for p in targets]
    # Home provinces in proportion to their number of districts (a team per district).
    weights = [len(districts[pc]) for pc in provinces]
    homes = rng.choices(provinces, weights=weights, k=n_trainees)
    candidates = []
    for k, home in enumerate(homes):
        prefs: list[str] = []
        if rng.random() < 0.7:
            for _ in range(rng.randint(1, 5)):
                r = rng.random()
                if r < 0.5:
                    pool = districts[home]
                elif r < 0.85:
                    pool = by_region[regions[home]]
                else:
                    pool = all_codes
                code = rng.choice(pool)
                if code not in prefs:
                    prefs.append(code)
        candidates.append(
            Candidate(
                trainee_id=f"T{k:05d}",
                department=rng.choice(DEPARTMENTS),
                home_province=home,
                home_region=regions[home],
                preferences=tuple(prefs),
            )
        )
    target_by_code = {p.code: p for p in targets}
    mentor_capacity = math.ceil(n_trainees / len(PILOT_CODES))
    pilots = [
        Place(code, target_by_code[code].province_code, target_by_code[code].region,
              mentor_capacity)
        for code in PILOT_CODES
    ]  # fmt: skip
    return candidates, targets, pilots


def pilot_candidates(
    candidates: list[Candidate], pilots: list[Place], seed: int
) -> list[Candidate]:
    """The same trainees with 0-3 pilot preferences instead of target ones."""
    rng = random.Random(seed + 1)
    codes = [p.code for p in pilots]
    out = []
    for c in candidates:
        k = rng.choice((0, 1, 2, 3))
        out.append(
            Candidate(c.trainee_id, c.department, c.home_province, c.home_region,
                      tuple(rng.sample(codes, k)))
        )  # fmt: skip
    return out


def bare_solver(
    candidates: list[Candidate],
    places: list[Place],
    department_cap: dict[str, int] | None,
    *,
    tie_break: bool = True,
) -> Callable[[], int]:
    """A closure that builds and solves the same compressed network from prepared arrays
    (with the tie-break costs ``place_trainees`` gives the solver, unless ``tie_break`` is
    false: then the plain placement costs, for reference)."""
    problem = solver._prepare(candidates, places, {})
    net = solver._build_network(problem, department_cap)
    tails = np.asarray(net.tails, dtype=np.int32)
    heads = np.asarray(net.heads, dtype=np.int32)
    caps = np.asarray(net.capacities, dtype=np.int64)
    costs = np.asarray(net.solver_costs if tie_break else net.costs, dtype=np.int64)
    nodes = np.asarray(net.supply_nodes, dtype=np.int32)
    supplies = np.asarray(net.supplies, dtype=np.int64)
    arcs = np.arange(net.first_hub_arc, len(tails), dtype=np.int32)

    def run() -> int:
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        flow.set_nodes_supplies(nodes, supplies)
        if flow.solve() != flow.OPTIMAL:
            raise SystemExit("bare solve not optimal")
        flow.flows(arcs)
        return int(flow.optimal_cost())

    return run


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def compare(
    title: str,
    candidates: list[Candidate],
    places: list[Place],
    department_cap: dict[str, int] | None,
    runs: int,
    label: str,
) -> float:
    bare = bare_solver(candidates, places, department_cap)
    plain = bare_solver(candidates, places, department_cap, tie_break=False)

    def whole() -> int:
        return place_trainees(
            candidates, places, department_cap=department_cap, capacity_label=label
        ).objective

    # Warm up each once (imports, allocator) and check they agree on the optimum.
    objective = whole()
    if plain() != objective:
        raise SystemExit(f"{title}: objectives differ: bare {plain()} vs whole {objective}")
    bare()
    # Interleave so that machine noise hits every side alike.
    a: list[float] = []
    a0: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a += timed(bare, 1)
        b += timed(whole, 1)
        a0 += timed(plain, 1)
    problem = solver._prepare(candidates, places, {})
    net = solver._build_network(problem, department_cap)
    print(
        f"\n{title}: {len(candidates)} trainees, {len(places)} places, "
        f"{len(net.supplies) - 1} supply nodes, {len(net.tails)} arcs, objective {objective}"
    )
    rows = (
        ("(a) bare OR-Tools build+solve", a),
        ("(b) place_trainees whole", b),
        ("(a0) bare, without tie-break costs", a0),
    )
    for name, xs in rows:
        low, mid = min(xs) * 1e3, statistics.median(xs) * 1e3
        print(f"  {name:36} min {low:7.1f} ms   median {mid:7.1f} ms")
    ratio_med = statistics.median(b) / statistics.median(a)
    print(f"  {'ratio b/a':36} min {min(b) / min(a):7.2f}      median {ratio_med:7.2f}")
    print(
        f"  {'ratio b/a0 (for reference)':36} min {min(b) / min(a0):7.2f}      "
        f"median {statistics.median(b) / statistics.median(a0):7.2f}"
    )
    return ratio_med


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per side (>= 5)")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--trainees", type=int, default=10_000)
    args = parser.parse_args()
    runs = max(args.runs, 5)
    candidates, targets, pilots = national_instance(args.seed, args.trainees)
    listed = sum(1 for c in candidates if c.preferences)
    print(f"seed {args.seed}; {runs} runs per side; {listed / len(candidates):.0%} of trainees "
          f"list target preferences")  # fmt: skip
    worst = compare("target stage", candidates, targets, None, runs, "target capacity")
    pilot = pilot_candidates(candidates, pilots, args.seed)
    caps = department_caps(c.department for c in pilot)
    worst = max(worst, compare("pilot stage", pilot, pilots, caps, runs, "mentor capacity"))
    verdict = "OK" if worst <= 2 else "ABOVE TARGET"
    print(f"\nworst median ratio {worst:.2f} (target <= 2): {verdict}")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
