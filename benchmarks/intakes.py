"""Benchmark of intakes (issue 11), through the real ``castctl`` in subprocesses.

Run with the project's interpreter::

    .venv/bin/python benchmarks/intakes.py [--runs 3] [--seed 2566] [--intakes 5] [--keep DIR]
    .venv/bin/python benchmarks/intakes.py --only import     # just `intakes import`, no cohort

Builds, with bulk SQL (a few seconds, not timed):

- ``single.db``: a castctl database (``Store.ensure_ready``) whose built-in intake 2566 holds
  10,000 active trainees (homes across the 77 provinces, ~70 % with 1-5 target preferences,
  ~60 % with 1-3 pilot preferences), all 928 districts as targets of capacity 11, a placement
  for every trainee (1,000 per pilot district) and 22 reports each (220,000);
- ``multi.db``: the same database plus 4 more intakes (``--intakes 5`` in all) created by
  ``castctl intakes import`` with their own start dates (so their own weeks, holidays and
  mentors), each holding a copy of intake 2566's trainees, targets, placements and reports
  (dates moved to that intake): 50,000 trainees and 1,100,000 reports in all.

Then, side by side in one run, interleaved so that machine noise hits both alike (min and
median over ``--runs``), every command on intake 2566 (``--intake 2566``):

- ``progress --by district -f json`` and ``summary weekly -f json`` (week 22), multi / single
  (goal <= 1.25 each); their JSON must be the same on both databases;
- ``assign --stage all -f json`` with nobody of intake 2566 placed yet (a fresh copy per run;
  the other intakes keep their placements), multi / single (goal <= 1.25); the same objective;
- ``assign`` on the single-intake database beside a bare solver process (``python -c``:
  OR-Tools import, the same two compressed networks from ``castctl.core.solver``, solve, read
  the flows) (goal <= 2 x) and its peak RSS (goal < 150 MiB, both databases); the bare solve
  must reach the same objective as ``assign``;
- ``intakes import`` of ``data/intake.example.yaml`` into a fresh database (goal < 0.3 s), and
  the same file again (unchanged), beside ``castctl --version`` (interpreter and CLI start-up).

Peak RSS is the child's own ``ru_maxrss`` from ``os.wait4``. Exit status: 0 when every goal
passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT / "src", ROOT / "benchmarks"):
    sys.path.insert(0, str(folder))

import assign as assign_bench  # noqa: E402  (benchmarks/assign.py: the bare solver, the runner)

from castctl.core import solver  # noqa: E402
from castctl.core.progress import coverage_words  # noqa: E402
from castctl.core.solver import Candidate, Place, department_caps  # noqa: E402
from castctl.core.vocabulary import MECHANISMS, NETWORKS  # noqa: E402
from castctl.db.store import open_store  # noqa: E402

# Measure programs as users run them: with compiled bytecode cached. (These machines set
# PYTHONDONTWRITEBYTECODE, which would recompile every module on every run.)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

CASTCTL = [sys.executable, "-m", "castctl"]
EXAMPLE = ROOT / "data" / "intake.example.yaml"
MEASURED = "2566"  # the built-in intake: 3 July - 1 December 2023
START = dt.date(2023, 7, 3)
WEEKS = 22
AS_OF = "2023-12-04"  # the Monday after intake 2566: every week has ended; the digest is week 22
PILOT_CODES = ("1806", "2506", "3209", "4001", "4105", "5607", "6309", "6501", "9005", "9501")
DEPARTMENT_MIX = {"DOPA": 30, "CDD": 20, "DLA": 18, "OPS": 12, "DOL": 8, "DPT": 6, "DDPM": 6}
TARGET_CAPACITY = 11
NOTES = ("ปลูกผักสวนครัว", "ประชุมประชาคมหมู่บ้าน", "ถังขยะเปียก", "3Rs", "")

# The bare solver process and the child runner are benchmarks/assign.py's.
BARE_SOLVER = assign_bench.BARE_SOLVER
Run = assign_bench.Run


def run(cmd: Sequence[str | Path], *, capture: bool = False) -> Run:
    """``assign_bench.run`` with wide columns for the tables."""
    return assign_bench.run(cmd, capture=capture, env={**os.environ, "COLUMNS": "200"})


@dataclass
class Row:
    name: str
    values: list[float]
    unit: str  # "s", "MiB" or "x"
    goal: float | None = None
    note: str = ""

    def fmt(self, v: float) -> str:
        return {"s": f"{v:7.3f} s", "MiB": f"{v:6.0f} MiB", "x": f"{v:7.2f} x"}[self.unit]

    def judged(self) -> tuple[float, float]:
        """(at its best, typical): min and median, or the two ratios min/min, median/median."""
        if self.unit == "x":
            return self.values[0], self.values[1]
        return min(self.values), statistics.median(self.values)

    @property
    def passed(self) -> bool:
        """Goals are judged on the median (the max for memory: the limit is a ceiling)."""
        if self.goal is None:
            return True
        if self.unit == "MiB":
            return max(self.values) < self.goal
        return self.judged()[1] <= self.goal


def ratio(name: str, a: Row, b: Row, goal: float | None = None, note: str = "") -> Row:
    return Row(
        name,
        [min(a.values) / min(b.values), statistics.median(a.values) / statistics.median(b.values)],
        "x",
        goal,
        note,
    )


def print_table(rows: list[Row]) -> None:
    print(f"\n{'measure':<52} {'min':>11} {'median':>11}   {'goal':<12} result")
    print("-" * 100)
    for r in rows:
        best, typical = r.judged()
        verdict = ""
        if r.goal is not None:
            verdict = "PASS" if r.passed else "FAIL"
            if not r.passed and r.unit != "MiB" and best <= r.goal:
                verdict += " (min passes: noise?)"
        goal = "" if r.goal is None else f"{'<' if r.unit == 'MiB' else '<='} {r.goal:g} {r.unit}"
        line = f"{r.name:<52} {r.fmt(best):>11} {r.fmt(typical):>11}   {goal:<12} {verdict}"
        print(f"{line} {r.note}".rstrip())


# ---- building the databases ------------------------------------------------------------------


@dataclass
class Cohort:
    """What was written for intake 2566, kept to build the bare solver's networks."""

    trainees: list[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]]
    districts: dict[str, tuple[str, str]]  # code -> (province_code, region)


def template(folder: Path) -> Path:
    path = folder / "template.db"
    store = open_store(str(path))
    store.ensure_ready()
    store.close()
    return path


def fill_single(path: Path, n: int, seed: int) -> Cohort:
    """Intake 2566 of ``path``: n placed trainees, the 928 targets, 22 reports each."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    districts = {
        code: (province, region)
        for code, province, region in conn.execute(
            "SELECT d.code, d.province_code, p.region FROM district d "
            "JOIN province p ON p.code = d.province_code"
        )
    }
    by_province: dict[str, list[str]] = {}
    by_region: dict[str, list[str]] = {}
    for code, (province, region) in sorted(districts.items()):
        by_province.setdefault(province, []).append(code)
        by_region.setdefault(region, []).append(code)
    region_of = {p: districts[codes[0]][1] for p, codes in by_province.items()}
    provinces = sorted(by_province)
    weights = [len(by_province[p]) for p in provinces]  # a team per district
    all_codes = sorted(districts)
    departments, dept_weights = list(DEPARTMENT_MIX), list(DEPARTMENT_MIX.values())
    trainees = []
    for i in range(1, n + 1):
        home = rng.choices(provinces, weights)[0]
        region = region_of[home]
        targets: list[str] = []
        if rng.random() < 0.7:
            for _ in range(rng.randint(1, 5)):
                r = rng.random()
                pool = (
                    by_province[home] if r < 0.5 else by_region[region] if r < 0.85 else all_codes
                )
                code = rng.choice(pool)
                if code not in targets:
                    targets.append(code)
        pilots: list[str] = []
        if rng.random() < 0.6:
            near = [c for c in PILOT_CODES if districts[c][1] == region]
            pool = near + [c for c in PILOT_CODES if c not in near]
            k = rng.randint(1, 3)
            pilots = pool[:k] if rng.random() < 0.5 else rng.sample(PILOT_CODES, k)
        dept = rng.choices(departments, dept_weights)[0]
        trainees.append((f"MOI-{i:05d}", dept, home, region, tuple(pilots), tuple(targets)))

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    mechanisms, networks = list(MECHANISMS), list(NETWORKS)
    with conn:
        conn.executemany(
            "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, "
            "email, pilot_preferences, target_preferences, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            [(MEASURED, tid, f"ผู้เข้าอบรม {tid[4:]}", dept, home, f"{tid.lower()}@example.go.th",
              ";".join(pilots), ";".join(targets), now, now)
             for tid, dept, home, _, pilots, targets in trainees],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO target_district (intake, district_code, capacity) VALUES (?, ?, ?)",
            [(MEASURED, code, TARGET_CAPACITY) for code in all_codes],
        )
        conn.executemany(
            "INSERT INTO assignment (intake, trainee_id, pilot_district_code, "
            "target_district_code, pilot_cost, target_cost, updated_at) "
            "VALUES (?, ?, ?, ?, 0, 0, ?)",
            [(MEASURED, t[0], PILOT_CODES[i % len(PILOT_CODES)], all_codes[i % len(all_codes)],
              now) for i, t in enumerate(trainees)],
        )  # fmt: skip
        # Each report with its coverage words, as castctl derives them when it stores one.
        conn.executemany(
            "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, "
            "sdgs, note, updated_at, coverage_0, coverage_1, coverage_2) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (*row, *coverage_words(*row[4:7]))
                for row in (
                    (MEASURED, t[0], week,
                     (START + dt.timedelta(weeks=week - 1, days=4 + rng.choice((0, 0, 1, 2))))
                     .isoformat(),
                     ";".join(sorted(rng.sample(mechanisms, rng.randint(1, 3)),
                                     key=mechanisms.index)),
                     ";".join(sorted(rng.sample(networks, rng.randint(1, 3)), key=networks.index)),
                     ";".join(map(str, sorted(rng.sample(range(1, 18), rng.randint(0, 3))))),
                     rng.choice(NOTES), now)
                    for t in trainees
                    for week in range(1, WEEKS + 1)
                )
            ),
        )  # fmt: skip
    conn.close()
    return Cohort(trainees, districts)


def first_monday_of_july(year: int) -> dt.date:
    day = dt.date(year, 7, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def add_intakes(path: Path, folder: Path, count: int) -> list[str]:
    """``count`` more intakes in ``path``, each created by ``castctl intakes import`` and then
    given a copy of intake 2566's cohort (dates moved by the difference of the starts)."""
    names = []
    for k in range(1, count + 1):
        name = str(2566 + k)
        start = first_monday_of_july(2023 + k)
        yaml_file = folder / f"intake-{name}.yaml"
        pilots = "\n".join(f'  - district: "{code}"' for code in PILOT_CODES)
        yaml_file.write_text(
            f'name: "{name}"\ntitle: "benchmark intake {name}"\nstart: {start.isoformat()}\n'
            f"weeks: {WEEKS}\npilot_weeks: 2\npilot_districts:\n{pilots}\n",
            "utf-8",
        )
        run([*CASTCTL, "--db", path, "intakes", "import", yaml_file])
        names.append(name)
    conn = sqlite3.connect(path)
    with conn:
        for name in names:
            shift = f"+{(first_monday_of_july(int(name) - 543) - START).days} days"
            params = {"name": name, "from": MEASURED, "shift": shift}
            conn.execute(
                "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, "
                "email, pilot_preferences, target_preferences, status, created_at, updated_at) "
                "SELECT :name, trainee_id, full_name, department, home_province, email, "
                "pilot_preferences, target_preferences, status, created_at, updated_at "
                "FROM trainee WHERE intake = :from",
                params,
            )
            conn.execute(
                "INSERT INTO target_district (intake, district_code, capacity) "
                "SELECT :name, district_code, capacity FROM target_district WHERE intake = :from",
                params,
            )
            conn.execute(
                "INSERT INTO assignment (intake, trainee_id, pilot_district_code, "
                "target_district_code, pilot_cost, target_cost, updated_at) "
                "SELECT :name, trainee_id, pilot_district_code, target_district_code, "
                "pilot_cost, target_cost, updated_at FROM assignment WHERE intake = :from",
                params,
            )
            conn.execute(
                "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, "
                "networks, sdgs, note, updated_at, coverage_0, coverage_1, coverage_2) "
                "SELECT :name, trainee_id, week, date(submitted_on, :shift), mechanisms, "
                "networks, sdgs, note, updated_at, coverage_0, coverage_1, coverage_2 "
                "FROM report WHERE intake = :from",
                params,
            )
    conn.close()
    return names


def unplaced(source: Path, path: Path) -> Path:
    """A copy of ``source`` in which nobody of intake 2566 is placed yet."""
    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM assignment WHERE intake = ?", (MEASURED,))
    conn.execute("VACUUM")
    conn.close()
    return path


def counts(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        parts = [
            f"{conn.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]:,} {t}"
            for t in ("intake", "trainee", "report", "assignment")
        ]
    finally:
        conn.close()
    return ", ".join(parts) + f"; {path.stat().st_size / 2**20:.0f} MiB"


def save_networks(cohort: Cohort, out: Path) -> None:
    """The two compressed networks ``assign`` solves for intake 2566 (nobody placed), built
    by ``castctl.core.solver`` from the same trainees and places, saved as arrays."""
    import numpy as np

    n = len(cohort.trainees)
    pilot_cap = math.ceil(n / len(PILOT_CODES))  # the default mentor capacity, ceil(active / P)
    stages = {
        "pilot": (
            [Candidate(tid, dept, home, region, pilots)
             for tid, dept, home, region, pilots, _ in cohort.trainees],
            [Place(code, *cohort.districts[code], pilot_cap) for code in PILOT_CODES],
            department_caps((t[1] for t in cohort.trainees), len(PILOT_CODES)),
        ),
        "target": (
            [Candidate(tid, dept, home, region, targets)
             for tid, dept, home, region, _, targets in cohort.trainees],
            [Place(code, *where, TARGET_CAPACITY) for code, where in cohort.districts.items()],
            None,
        ),
    }  # fmt: skip
    arrays = {}
    for stage, (candidates, places, caps) in stages.items():
        problem = solver._prepare(candidates, places, {})
        net = solver._build_network(problem, caps)
        arrays.update(assign_bench.network_arrays(stage, net))
    np.savez(out, **arrays)


# ---- the measurements ------------------------------------------------------------------------


def measure_import(folder: Path, base: Path, runs: int) -> list[Row]:
    """``intakes import`` of the example into a fresh database, again (unchanged), and the
    start-up of ``castctl --version`` beside them."""
    added, again, startup = [], [], []
    for k in range(runs):
        db = folder / f"import-{k}.db"
        shutil.copyfile(base, db)
        os.sync()  # the copy is written out now, not during the timed run (as for assign)
        added.append(run([*CASTCTL, "--db", db, "intakes", "import", EXAMPLE]).seconds)
        again.append(run([*CASTCTL, "--db", db, "intakes", "import", EXAMPLE]).seconds)
        startup.append(run([*CASTCTL, "--version"]).seconds)
    return [
        Row("intakes import of the example (a new intake)", added, "s", 0.3),
        Row("intakes import of the example again (unchanged)", again, "s", 0.3),
        Row("  castctl --version (start-up, for reference)", startup, "s"),
    ]


def query(db: Path, *args: str) -> Run:
    return run([*CASTCTL, "--db", db, "--intake", MEASURED, *args], capture=True)


T = TypeVar("T")


def in_turns(k: int, *sides: T) -> tuple[T, ...]:
    """``sides`` in the order run ``k`` measures them: the two databases take turns going first,
    so that whatever the machine does between them hits both alike."""
    return sides if k % 2 == 0 else sides[::-1]


def same_output(a: Run, b: Run, what: str) -> dict:
    doc_a, doc_b = json.loads(a.stdout), json.loads(b.stdout)
    if doc_a != doc_b:
        raise SystemExit(f"{what}: the single- and multi-intake databases give different JSON")
    return doc_a  # type: ignore[no-any-return]


def measure_cohort(
    folder: Path, base: Path, n: int, seed: int, intakes: int, runs: int
) -> list[Row]:
    t0 = time.perf_counter()
    single = folder / "single.db"
    shutil.copyfile(base, single)
    cohort = fill_single(single, n, seed)
    multi = folder / "multi.db"
    shutil.copyfile(single, multi)
    add_intakes(multi, folder, intakes - 1)
    single_free = unplaced(single, folder / "single-unplaced.db")
    multi_free = unplaced(multi, folder / "multi-unplaced.db")
    save_networks(cohort, folder / "networks.npz")
    print(f"built in {time.perf_counter() - t0:.1f} s\n  single: {counts(single)}\n"
          f"  multi:  {counts(multi)}")  # fmt: skip

    rows: list[Row] = []
    for label, args in (
        ("progress --by district -f json", ("progress", "--by", "district", "--as-of", AS_OF)),
        ("summary weekly -f json (week 22)", ("summary", "weekly", "--as-of", AS_OF)),
    ):
        ones: list[Run] = []
        multis: list[Run] = []
        for k in range(runs):
            for db, runs_on in in_turns(k, (single, ones), (multi, multis)):
                runs_on.append(query(db, *args, "-f", "json"))
        doc = same_output(ones[-1], multis[-1], label)
        if isinstance(doc, dict) and doc.get("intake") not in (None, MEASURED):
            raise SystemExit(f"{label}: JSON names intake {doc.get('intake')!r}")
        a = Row(f"{label}, 1 intake", [r.seconds for r in ones], "s")
        b = Row(f"{label}, {intakes} intakes", [r.seconds for r in multis], "s")
        rows += [a, b, ratio(f"  {intakes} intakes / 1 intake", b, a, 1.25)]

    ones, multis, bares = [], [], []
    for k in range(runs):
        db_one = folder / f"assign-single-{k}.db"
        db_many = folder / f"assign-multi-{k}.db"
        shutil.copyfile(single_free, db_one)
        shutil.copyfile(multi_free, db_many)
        # The copies' dirty pages are written out now, not by the kernel during the timed runs
        # (the multi-intake file is five times larger: its writeback slowed whichever run came
        # next).
        os.sync()
        for db, runs_on in in_turns(k, (db_one, ones), (db_many, multis)):
            runs_on.append(query(db, "assign", "--stage", "all", "-f", "json"))
        bares.append(run([sys.executable, "-c", BARE_SOLVER, folder / "networks.npz"],
                         capture=True))  # fmt: skip
        db_one.unlink()
        db_many.unlink()
    doc = same_output(ones[0], multis[0], "assign")
    bare_costs = [int(c) for c in bares[0].stdout.split()]
    if bare_costs != [doc["objective"]["pilot"], doc["objective"]["target"]]:
        raise SystemExit(f"objectives differ: assign {doc['objective']} vs bare {bare_costs}")
    if len(doc["assignments"]) != n or doc["changed"] != n:
        raise SystemExit("assign did not place every trainee of the intake")
    print(f"assign objective pilot {bare_costs[0]}, target {bare_costs[1]} "
          "(the same on both databases and in the bare solve)")  # fmt: skip
    a = Row("assign --stage all -f json, 1 intake", [r.seconds for r in ones], "s")
    b = Row(f"assign --stage all -f json, {intakes} intakes", [r.seconds for r in multis], "s")
    bare = Row("bare solver process (python -c, OR-Tools)", [r.seconds for r in bares], "s")
    rows += [
        a,
        b,
        ratio(f"  {intakes} intakes / 1 intake", b, a, 1.25),
        bare,
        ratio("  assign (1 intake) / bare solver process", a, bare, 2.0),
        Row("  peak RSS of assign, 1 intake", [r.rss_mib for r in ones], "MiB", 150),
        Row(f"  peak RSS of assign, {intakes} intakes", [r.rss_mib for r in multis], "MiB", 150),
        Row("  peak RSS of the bare solver process", [r.rss_mib for r in bares], "MiB"),
    ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (>= 3)")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--trainees", type=int, default=10_000, help="per intake")
    parser.add_argument("--intakes", type=int, default=5, help="in the multi-intake database")
    parser.add_argument("--only", choices=("import", "cohort"), help="run one part only")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    runs = max(args.runs, 3)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="castctl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        base = template(folder)
        rows: list[Row] = []
        if args.only != "cohort":
            rows += measure_import(folder, base, runs)
        if args.only != "import":
            rows += measure_cohort(folder, base, args.trainees, args.seed, args.intakes, runs)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{runs} runs each, interleaved; seconds end to end (subprocesses)")
    print_table(rows)
    failed = [r.name.strip() for r in rows if not r.passed]
    if failed:
        print(f"\nabove goal: {'; '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
