"""End-to-end benchmark of the report commands at national scale, through the real ``castctl``.

Run with the project's interpreter::

    .venv/bin/python benchmarks/progress.py [--runs 5] [--seed 2566] [--keep DIR]

Builds a database initialised by castctl itself (``Store.ensure_ready``: schema, districts,
timeline), then writes 10,000 active trainees and their placements (1,000 per pilot district)
straight into the real ``trainee`` and ``assignment`` tables with SQL, and a seeded CSV of
10,000 x 22 = 220,000 weekly reports. Then, side by side in one run (min and median over
``--runs``; each import on a fresh copy of the database without reports):

- ``castctl reports import FILE`` (goal <= 15 s), beside the ``sqlite3`` shell loading the same
  CSV into the same ``report`` table (``.import --csv`` + ``INSERT … SELECT``);
- ``castctl progress --by district -f json`` (goal <= 1.5 s), beside ``sqlite3`` computing the
  same per-district expected/submitted counts with one GROUP BY;
- ``castctl summary weekly -f json`` for week 22 (goal <= 1 s), beside ``sqlite3`` computing the
  same per-district counts for that week;

every one a subprocess, so interpreter start-up and imports are included; the ratio is castctl /
sqlite3. The per-district counts of castctl and sqlite3 are checked to agree. Exit status 0 when
every goal passes, 1 when one fails, 2 when the ``sqlite3`` shell is missing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from castctl.core.vocabulary import MECHANISMS, NETWORKS  # noqa: E402
from castctl.db.store import open_store  # noqa: E402

# Measure programs as users run them: with compiled bytecode cached. (These machines set
# PYTHONDONTWRITEBYTECODE, which would recompile every module on every run.)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

PILOT_CODES = ("1806", "2506", "3209", "4001", "4105", "5607", "6309", "6501", "9005", "9501")
DEPARTMENTS = ("OPS", "DOPA", "CDD", "DLA", "DOL", "DPT", "DDPM")
TRAINEES = 10_000
WEEKS = 22
START = dt.date(2023, 7, 3)
AS_OF = "2023-12-04"  # the Monday after the programme: every week has ended, the summary is week 22
NOTES = ("ปลูกผักสวนครัว", "ประชุมประชาคมหมู่บ้าน", "ถังขยะเปียก", "3Rs", "")

PROGRESS_SQL = """
SELECT a.pilot_district_code, COUNT(DISTINCT t.trainee_id) * 22, COUNT(r.id)
FROM trainee t JOIN assignment a ON a.intake = t.intake AND a.trainee_id = t.trainee_id
LEFT JOIN report r ON r.intake = t.intake AND r.trainee_id = t.trainee_id AND r.week <= 22
WHERE t.intake = '2566' AND t.status = 'active' AND a.pilot_district_code IS NOT NULL
GROUP BY a.pilot_district_code ORDER BY 1;
"""
SUMMARY_SQL = """
SELECT a.pilot_district_code, COUNT(*), COUNT(r.id)
FROM trainee t JOIN assignment a ON a.intake = t.intake AND a.trainee_id = t.trainee_id
LEFT JOIN report r ON r.intake = t.intake AND r.trainee_id = t.trainee_id AND r.week = 22
WHERE t.intake = '2566' AND t.status = 'active' AND a.pilot_district_code IS NOT NULL
GROUP BY a.pilot_district_code ORDER BY 1;
"""
IMPORT_SQL = """
.import --csv --skip 1 {csv} staged
INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, sdgs, note,
                    updated_at)
SELECT '2566', trainee_id, week, submitted_on, mechanisms, networks, sdgs, note, datetime('now')
FROM staged;
DROP TABLE staged;
"""
STAGED = (
    "CREATE TABLE staged (trainee_id TEXT, week INTEGER, submitted_on TEXT, mechanisms TEXT, "
    "networks TEXT, sdgs TEXT, note TEXT);"
)


def build_base(folder: Path, seed: int) -> tuple[Path, Path]:
    """A castctl database with 10,000 placed trainees (no reports), and the reports CSV."""
    import sqlite3

    path = folder / "base.db"
    db = open_store(str(path))
    db.ensure_ready()
    db.close()
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    ids = [f"T{n:05d}" for n in range(1, TRAINEES + 1)]
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, "
            "email, pilot_preferences, target_preferences, status, created_at, updated_at) "
            "VALUES ('2566', ?, ?, ?, '10', NULL, '', '', 'active', ?, ?)",
            [(tid, f"ผู้เข้าอบรม {tid}", rng.choice(DEPARTMENTS), now, now) for tid in ids],
        )
        conn.executemany(
            "INSERT INTO assignment (intake, trainee_id, pilot_district_code, "
            "target_district_code, pilot_cost, target_cost, updated_at) "
            "VALUES ('2566', ?, ?, '1001', 0, 0, ?)",
            [(tid, PILOT_CODES[i % len(PILOT_CODES)], now) for i, tid in enumerate(ids)],
        )
    conn.close()
    reports = folder / "reports.csv"
    mechanisms, networks = list(MECHANISMS), list(NETWORKS)
    with reports.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(("trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs",
                      "note"))  # fmt: skip
        for tid in ids:
            for week in range(1, WEEKS + 1):
                friday = START + dt.timedelta(weeks=week - 1, days=4)
                out.writerow(
                    (
                        tid,
                        week,
                        (friday + dt.timedelta(days=rng.choice((0, 0, 1, 2)))).isoformat(),
                        ";".join(sorted(rng.sample(mechanisms, rng.randint(1, 3)),
                                        key=mechanisms.index)),
                        ";".join(sorted(rng.sample(networks, rng.randint(1, 3)),
                                        key=networks.index)),
                        ";".join(map(str, sorted(rng.sample(range(1, 18), rng.randint(0, 3))))),
                        rng.choice(NOTES),
                    )
                )  # fmt: skip
    return path, reports


def timed(
    command: Sequence[str], env: dict[str, str], stdin: str | None = None
) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def stats(samples: list[float]) -> tuple[float, float]:
    return min(samples), statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        print("the sqlite3 shell is not installed", file=sys.stderr)
        return 2
    folder = args.keep or Path(tempfile.mkdtemp(prefix="castctl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return run(folder, sqlite, args.runs, args.seed)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, sqlite: str, runs: int, seed: int) -> int:
    t0 = time.perf_counter()
    base, reports = build_base(folder, seed)
    size = reports.stat().st_size / 1e6
    took = time.perf_counter() - t0
    print(f"built {TRAINEES:,} placed trainees and {TRAINEES * WEEKS:,} reports "
          f"({size:.1f} MB CSV) in {took:.1f} s")  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    castctl = [sys.executable, "-m", "castctl"]
    results: list[tuple[str, tuple[float, float], tuple[float, float], float]] = []

    # -- reports import: a fresh copy of the database without reports each run --------------
    ours, theirs = [], []
    work = folder / "work.db"
    for _ in range(runs):
        shutil.copyfile(base, work)
        took, _ = timed([*castctl, "reports", "import", str(reports)],
                        {**env, "CASTCTL_DB": str(work)})  # fmt: skip
        ours.append(took)
        shutil.copyfile(base, work)
        subprocess.run([sqlite, str(work), STAGED], check=True)
        took, _ = timed([sqlite, str(work)], env, IMPORT_SQL.format(csv=reports))
        theirs.append(took)
    results.append(("reports import (220,000 rows)", stats(ours), stats(theirs), 15.0))

    # the database the queries run on: castctl's import, then a re-import (all unchanged)
    shutil.copyfile(base, work)
    timed([*castctl, "reports", "import", str(reports)], {**env, "CASTCTL_DB": str(work)})
    again, _ = timed(
        [*castctl, "reports", "import", str(reports)], {**env, "CASTCTL_DB": str(work)}
    )
    qenv = {**env, "CASTCTL_DB": str(work)}

    # -- progress --by district ------------------------------------------------------------
    ours, theirs = [], []
    for _ in range(runs):
        took, out = timed([*castctl, "progress", "--by", "district", "--as-of", AS_OF, "-f",
                           "json"], qenv)  # fmt: skip
        ours.append(took)
        took, plain = timed([sqlite, "-csv", str(work), PROGRESS_SQL], env)
        theirs.append(took)
    check(
        {r["code"]: (r["expected"], r["submitted"]) for r in json.loads(out)},
        plain,
        "progress",
    )
    results.append(("progress --by district -f json", stats(ours), stats(theirs), 1.5))

    # -- summary weekly ------------------------------------------------------------------
    ours, theirs = [], []
    for _ in range(runs):
        took, out = timed([*castctl, "summary", "weekly", "--as-of", AS_OF, "-f", "json"], qenv)
        ours.append(took)
        took, plain = timed([sqlite, "-csv", str(work), SUMMARY_SQL], env)
        theirs.append(took)
    doc = json.loads(out)
    assert doc["week"] == WEEKS, doc["week"]
    check({d["code"]: (d["expected"], d["submitted"]) for d in doc["by_district"]}, plain,
          "summary")  # fmt: skip

    results.append(("summary weekly -f json (week 22)", stats(ours), stats(theirs), 1.0))

    print(f"\n{runs} runs each; seconds, min / median; ratio = castctl median / sqlite3 median\n")
    print(f"{'command':36} {'castctl':>17} {'sqlite3':>17} {'ratio':>7} {'goal':>7}")
    failed = False
    for name, (a_min, a_med), (b_min, b_med), goal in results:
        ok = a_med <= goal
        failed |= not ok
        print(
            f"{name:36} {a_min:7.3f} / {a_med:7.3f} {b_min:7.3f} / {b_med:7.3f} "
            f"{a_med / b_med:6.1f}x {'<=' if ok else '>'}{goal:5.1f}s {'ok' if ok else 'FAIL'}"
        )
    print(f"\nre-import of the same 220,000 rows (all unchanged): {again:.3f} s")
    return 1 if failed else 0


def check(ours: dict[str, tuple[int, int]], plain: str, what: str) -> None:
    theirs = {}
    for line in plain.strip().splitlines():
        code, expected, submitted = line.split(",")
        theirs[code.strip('"')] = (int(expected), int(submitted))
    mine = {code: value for code, value in ours.items() if value != (0, 0) or code in theirs}
    if mine != theirs:
        raise SystemExit(f"{what}: castctl and sqlite3 disagree:\n{mine}\n{theirs}")


if __name__ == "__main__":
    sys.exit(main())
