"""Placement, cohort, mentors, timeline and demo of one intake among several: every command
works on the intake given by ``--intake`` and leaves the others alone.

Intake 2567 here runs with 3 pilot districts that are not 2023 pilots (Phra Nakhon, Mueang
Chiang Mai, Mueang Songkhla) and overlaps intake 2566 (3 July - 1 December 2023).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from pathlib import Path

import holidays
import pytest

from castctl.core.calendar import build_weeks
from castctl.core.reference import province_regions
from castctl.core.solver import Candidate, Place, department_caps
from tests.cohort_files import PILOT_CODES, dump, write_csv, write_targets
from tests.test_assignment_core import brute_force_optimum, milp_optimum

PILOTS_2567 = ("1001", "5001", "9001")
PROVINCE_OF = {"1001": "10", "5001": "50", "9001": "90", "1002": "10", "5002": "50",
               "9002": "90", "4002": "40"}  # fmt: skip
HOMES = ("10", "50", "90", "40", "20")
DEPARTMENTS = ("OPS", "DOPA", "CDD")


def write_intake(
    path: Path,
    name: str = "2567",
    *,
    start: str = "2023-08-07",
    weeks: int = 6,
    pilot_weeks: int = 2,
    pilots: tuple[str, ...] = PILOTS_2567,
    closures: tuple[tuple[str, str], ...] = (),
) -> Path:
    lines = [f'name: "{name}"', f"start: {start}", f"weeks: {weeks}",
             f"pilot_weeks: {pilot_weeks}", "pilot_districts:"]  # fmt: skip
    lines += [f'  - district: "{code}"' for code in pilots]
    if closures:
        lines.append("closures:")
        lines += [f'  - date: {day}\n    name: "{label}"' for day, label in closures]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_intake(cli, tmp_path: Path, name: str = "2567", **kwargs) -> None:
    cli("intakes", "import", write_intake(tmp_path / f"{name}.yaml", name, **kwargs))


def cohort(n: int, seed: int, pilots: tuple[str, ...], prefix: str = "T") -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        prefs = rng.sample(list(pilots), rng.randint(0, min(3, len(pilots))))
        rows.append(
            {"trainee_id": f"{prefix}{i:03d}", "full_name": "นายสมชาย ใจดี",
             "department": rng.choice(DEPARTMENTS), "home_province": rng.choice(HOMES),
             "pilot_preferences": ";".join(prefs)}
        )  # fmt: skip
    return rows


def load(cli, tmp_path: Path, intake: str, rows: list[dict], targets=None) -> None:
    cli("--intake", intake, "trainees", "import", write_csv(tmp_path / f"t-{intake}.csv", rows))
    if targets:
        path = write_targets(tmp_path / f"targets-{intake}.csv", targets)
        cli("--intake", intake, "targets", "import", path)


def candidates(rows: list[dict]) -> list[Candidate]:
    regions = province_regions()
    return [
        Candidate(r["trainee_id"], r["department"], r["home_province"],
                  regions[r["home_province"]],
                  tuple(c for c in r["pilot_preferences"].split(";") if c))
        for r in sorted(rows, key=lambda r: r["trainee_id"])
    ]  # fmt: skip


def pilot_places(capacity: dict[str, int]) -> list[Place]:
    regions = province_regions()
    return [
        Place(code, PROVINCE_OF[code], regions[PROVINCE_OF[code]], capacity[code])
        for code in sorted(capacity)
    ]


# ---- two overlapping intakes ----------------------------------------------------------------


def test_two_overlapping_intakes_keep_their_own_cohort_placement_and_mentors(cli, tmp_path):
    add_intake(cli, tmp_path)
    # The same id in both intakes: two enrolments, with different data.
    old = [{"trainee_id": "SAME-1", "full_name": "นายเก่า ใจดี", "department": "DOPA",
            "home_province": "40", "pilot_preferences": "4001"},
           {"trainee_id": "ONLY-66", "full_name": "นายหก หก", "department": "CDD",
            "home_province": "56"}]  # fmt: skip
    new = [{"trainee_id": "SAME-1", "full_name": "นางใหม่ ใจดี", "department": "OPS",
            "home_province": "90", "pilot_preferences": "9001;1001"},
           {"trainee_id": "ONLY-67", "full_name": "นายเจ็ด เจ็ด", "department": "DLA",
            "home_province": "50"}]  # fmt: skip
    load(cli, tmp_path, "2566", old, [("4002", 2)])
    load(cli, tmp_path, "2567", new, [("9002", 1), ("5002", 1)])

    t66 = {t["trainee_id"]: t for t in cli("--intake", "2566", "trainees", "-f", "json").json()}
    t67 = {t["trainee_id"]: t for t in cli("--intake", "2567", "trainees", "-f", "json").json()}
    assert set(t66) == {"SAME-1", "ONLY-66"} and set(t67) == {"SAME-1", "ONLY-67"}
    assert (t66["SAME-1"]["department"], t67["SAME-1"]["department"]) == ("DOPA", "OPS")

    a66 = cli("--intake", "2566", "assign", "-f", "json").json()
    a67 = cli("--intake", "2567", "assign", "-f", "json").json()
    assert (a66["intake"], a67["intake"]) == ("2566", "2567")
    p66 = {a["trainee_id"]: a for a in a66["assignments"]}
    p67 = {a["trainee_id"]: a for a in a67["assignments"]}
    assert set(p66) == {"SAME-1", "ONLY-66"} and set(p67) == {"SAME-1", "ONLY-67"}
    assert p66["SAME-1"]["pilot_district_code"] == "4001"  # first choice, home province
    assert p67["SAME-1"]["pilot_district_code"] == "9001"
    assert {a["pilot_district_code"] for a in p66.values()} <= set(PILOT_CODES)
    assert {a["pilot_district_code"] for a in p67.values()} <= set(PILOTS_2567)
    assert {a["target_district_code"] for a in p66.values()} == {"4002"}
    assert {a["target_district_code"] for a in p67.values()} <= {"9002", "5002"}

    # Each intake lists its own placements, history and target fill.
    listed = cli("--intake", "2567", "assignments", "-f", "json").json()
    assert [a["trainee_id"] for a in listed] == ["ONLY-67", "SAME-1"]
    history = cli("--intake", "2567", "assignments", "history", "-f", "json").json()
    assert {h["trainee_id"] for h in history} == {"SAME-1", "ONLY-67"}
    targets = cli("--intake", "2566", "targets", "-f", "json").json()
    assert [(t["code"], t["placed"]) for t in targets] == [("4002", 2)]

    # Mentors: 10 in 2566, 3 in 2567, each counting only its intake's trainees.
    m66 = cli("--intake", "2566", "mentors", "-f", "json").json()
    m67 = cli("--intake", "2567", "mentors", "-f", "json").json()
    assert len(m66) == 10 and [m["district_code"] for m in m67] == list(PILOTS_2567)
    assert sum(m["placed"] for m in m66) == 2 and sum(m["placed"] for m in m67) == 2
    # Not a 2023 pilot: a title all the same; a Bangkok district (เขต) has a director.
    assert m67[1]["title_th"] == "นายอำเภอเมืองเชียงใหม่"
    assert m67[0]["title_th"] == "ผู้อำนวยการเขตพระนคร"

    # Withdrawing SAME-1 from 2567 leaves the 2566 enrolment as it was.
    cli("--intake", "2567", "trainees", "withdraw", "SAME-1", "--on", "2023-08-10",
        "--reason", "moved")  # fmt: skip
    show = cli("--intake", "2566", "trainees", "show", "SAME-1", "-f", "json").json()
    assert show["status"] == "active" and show["pilot_district_code"] == "4001"
    assert len(cli("--intake", "2566", "assignments", "-f", "json").json()) == 2
    assert len(cli("--intake", "2567", "assignments", "-f", "json").json()) == 1
    # Explain and table headings say which intake they show.
    doc = cli("--intake", "2566", "assign", "--explain", "SAME-1", "-f", "json").json()
    assert doc["intake"] == "2566" and doc["pilot"]["district_code"] == "4001"
    assert "intake 2567" in cli("--intake", "2567", "trainees").stdout
    assert "intake 2567" in cli("--intake", "2567", "assign", "--dry-run").stdout


def test_two_running_intakes_need_intake_to_choose(cli, tmp_path):
    add_intake(cli, tmp_path)
    r = cli("timeline", "--as-of", "2023-08-09", code=1)
    assert "2566" in r.stderr and "2567" in r.stderr and "--intake" in r.stderr
    # Before 2567 starts, only 2566 runs: the date rule chooses it.
    assert cli("timeline", "-f", "json", "--as-of", "2023-07-05").json()["intake"] == "2566"


# ---- placement with P = 3 -------------------------------------------------------------------


def test_mentor_capacity_and_department_spread_follow_the_intakes_p(cli, tmp_path):
    add_intake(cli, tmp_path)
    rows = cohort(10, seed=5, pilots=PILOTS_2567)
    load(cli, tmp_path, "2567", rows)
    mentors = cli("--intake", "2567", "mentors", "-f", "json").json()
    assert {(m["capacity"], m["capacity_set"]) for m in mentors} == {(4, False)}  # ceil(10 / 3)
    assert "ceil(active trainees / 3)" in cli("--intake", "2567", "mentors").stdout

    doc = cli("--intake", "2567", "assign", "--stage", "pilot", "-f", "json").json()
    placed = Counter(a["pilot_district_code"] for a in doc["assignments"])
    assert sum(placed.values()) == 10 and max(placed.values()) <= 4
    departments = Counter(r["department"] for r in rows)
    spread = Counter(
        (next(r["department"] for r in rows if r["trainee_id"] == a["trainee_id"]),
         a["pilot_district_code"])
        for a in doc["assignments"]
    )  # fmt: skip
    for (dept, _), n in spread.items():
        assert n <= math.ceil(departments[dept] / 3), (dept, n)

    cli("--intake", "2567", "mentors", "set", "Phra Nakhon", "--capacity", "6")
    by_code = {
        m["district_code"]: m for m in cli("--intake", "2567", "mentors", "-f", "json").json()
    }
    assert (by_code["1001"]["capacity"], by_code["1001"]["capacity_set"]) == (6, True)
    # The 2566 mentor of the same name is another row: untouched.
    assert all(
        not m["capacity_set"] for m in cli("--intake", "2566", "mentors", "-f", "json").json()
    )


@pytest.mark.parametrize("n, seed, explicit", [(9, 1, {}), (8, 2, {"5001": 2})])
def test_placement_with_three_pilots_is_the_brute_force_optimum(cli, tmp_path, n, seed, explicit):
    add_intake(cli, tmp_path)
    rows = cohort(n, seed=seed, pilots=PILOTS_2567)
    load(cli, tmp_path, "2567", rows)
    for code, cap in explicit.items():
        cli("--intake", "2567", "mentors", "set", code, "--capacity", cap)
    doc = cli("--intake", "2567", "assign", "--stage", "pilot", "-f", "json").json()
    capacity = {c: explicit.get(c, math.ceil(n / 3)) for c in PILOTS_2567}
    caps = department_caps([r["department"] for r in rows], 3)
    best = brute_force_optimum(candidates(rows), pilot_places(capacity), {}, caps)
    assert doc["optimal"] is True and doc["objective"]["pilot"] == best


def test_placement_with_three_pilots_matches_the_milp(cli, tmp_path):
    add_intake(cli, tmp_path)
    rows = cohort(40, seed=9, pilots=PILOTS_2567)
    load(cli, tmp_path, "2567", rows)
    cli("--intake", "2567", "mentors", "set", "9001", "--capacity", "13")
    doc = cli("--intake", "2567", "assign", "--stage", "pilot", "-f", "json").json()
    capacity = {"1001": 14, "5001": 14, "9001": 13}  # ceil(40 / 3) unless set
    caps = department_caps([r["department"] for r in rows], 3)
    best = milp_optimum(candidates(rows), pilot_places(capacity), {}, caps)
    assert doc["objective"]["pilot"] == best
    load_ = Counter(a["pilot_district_code"] for a in doc["assignments"])
    assert all(load_[c] <= capacity[c] for c in load_)


# ---- pilot districts belong to the intake ---------------------------------------------------


def test_pilot_preferences_outside_the_intake_are_refused(cli, tmp_path, database):
    add_intake(cli, tmp_path)
    rows = [{"trainee_id": "A1", "full_name": "นายสมชาย ใจดี", "department": "OPS",
             "home_province": "10", "pilot_preferences": "1001;5607"},
            {"trainee_id": "A2", "full_name": "นายสมชาย ใจดี", "department": "OPS",
             "home_province": "10", "pilot_preferences": "Mueang Chiang Mai"}]  # fmt: skip
    before = dump(database)
    r = cli("--intake", "2567", "trainees", "import", write_csv(tmp_path / "a.csv", rows), code=1)
    assert [line.strip() for line in r.stderr.splitlines()[1:]] == [
        "row 2, column pilot_preferences: 5607 Mae Chai is not a pilot district of intake 2567"
    ]
    assert dump(database) == before
    # The same file is fine for... no intake: 5001 is not a 2566 pilot either.
    r = cli("--intake", "2566", "trainees", "import", write_csv(tmp_path / "b.csv", rows), code=1)
    assert "row 3, column pilot_preferences: 5001 Mueang Chiang Mai is not a pilot district of " \
           "intake 2566" in r.stderr  # fmt: skip


def test_mentors_set_takes_only_the_intakes_pilot_districts(cli, tmp_path):
    add_intake(cli, tmp_path)
    r = cli("--intake", "2567", "mentors", "set", "5607", "--name", "x", code=1)
    assert r.stderr.startswith("Error: 5607 Mae Chai is not a pilot district of intake 2567")
    assert len(r.stderr.strip().splitlines()) == 1
    # A typo gets suggestions among the intake's pilot districts only.
    r = cli("--intake", "2567", "mentors", "set", "Phra Nakon", "--name", "x", code=1)
    assert "did you mean" in r.stderr and "Phra Nakhon" in r.stderr
    r = cli("--intake", "2567", "mentors", "set", "Mae Chia", "--name", "x", code=1)
    assert "Mae Chai" not in r.stderr
    cli("--intake", "2567", "mentors", "set", "เมืองสงขลา", "--name", "Chief")
    assert {m["district_code"]: m["name"] for m in
            cli("--intake", "2567", "mentors", "-f", "json").json()}["9001"] == "Chief"  # fmt: skip


def test_districts_pilot_follows_a_named_intake(cli, tmp_path):
    add_intake(cli, tmp_path)
    named = cli("--intake", "2567", "districts", "--pilot", "-f", "json").json()
    assert [d["code"] for d in named] == list(PILOTS_2567)
    both = {d["code"] for d in cli("districts", "--pilot", "-f", "json").json()}
    assert both == set(PILOT_CODES) | set(PILOTS_2567)


# ---- a calendar per intake ------------------------------------------------------------------


def test_a_cross_year_intake_has_the_holidays_of_both_years(cli, tmp_path):
    start = dt.date(2024, 11, 4)
    add_intake(cli, tmp_path, "2567x", start=start.isoformat(), weeks=12, pilot_weeks=3,
               closures=(("2024-11-15", "ปิดสำนักงาน"),))  # fmt: skip
    doc = cli("--intake", "2567x", "timeline", "-f", "json", "--as-of", "2025-01-08").json()
    assert doc["intake"] == "2567x"
    assert (doc["start"], doc["end"]) == ("2024-11-04", "2025-01-24")
    assert doc["current_week"] == 10

    closures = ((dt.date(2024, 11, 15), "ปิดสำนักงาน"),)
    expected = build_weeks(start, weeks=12, pilot_weeks=3, closures=closures)
    assert [(w["week"], w["phase"], w["start"], w["end"], w["working_days"])
            for w in doc["weeks"]] == [
        (w.number, w.phase, w.start.isoformat(), w.end.isoformat(), w.working_days)
        for w in expected
    ]  # fmt: skip
    assert [[h["date"] for h in w["holidays"]] for w in doc["weeks"]] == [
        [h.date.isoformat() for h in w.holidays] for w in expected
    ]

    # Straight from the holidays package, for both years, plus the closure.
    end = dt.date(2025, 1, 24)
    thai = holidays.country_holidays("TH", years=[2024, 2025])
    days = {d for d in thai if start <= d <= end and d.weekday() < 5} | {dt.date(2024, 11, 15)}
    found = {h["date"] for w in doc["weeks"] for h in w["holidays"]}
    assert found == {d.isoformat() for d in days}
    assert any(d.year == 2024 for d in days) and any(d.year == 2025 for d in days)
    assert "2024-12-31" in found and "2025-01-01" in found

    thai_table = cli("--intake", "2567x", "timeline", "--lang", "th", "--as-of", "2025-01-08")
    assert "รุ่น 2567x" in thai_table.stdout and "สัปดาห์ที่ 10 จาก 12" in thai_table.stdout
    ics = cli("--intake", "2567x", "timeline", "-f", "ics").stdout
    uids = [line for line in ics.splitlines() if line.startswith("UID:")]
    assert uids and all(u.startswith("UID:2567x-") for u in uids)


# ---- demo -----------------------------------------------------------------------------------


def test_demo_refuses_an_intake_with_real_trainees_not_the_database(cli, tmp_path, database):
    add_intake(cli, tmp_path)
    cli("--intake", "2566", "demo", "--trainees", "30", "--seed", "3", "--no-reports")
    real = [{"trainee_id": "REAL-1", "full_name": "นายจริง ใจดี", "department": "DOPA",
             "home_province": "10"}]  # fmt: skip
    load(cli, tmp_path, "2567", real)
    before = dump(database)
    r = cli("--intake", "2567", "demo", "--trainees", "30", "--seed", "3", code=1)
    assert r.stderr.startswith("Error: intake 2567 holds 1 real trainee")
    assert dump(database) == before
    # The intake with demo data still takes the demo (the same arguments change nothing).
    r = cli("--intake", "2566", "demo", "--trainees", "30", "--seed", "3", "--no-reports")
    assert "0 added, 0 updated, 30 unchanged" in r.stderr


def test_demo_fills_only_the_selected_intake_and_its_ended_weeks(cli, tmp_path, database):
    add_intake(cli, tmp_path, "2567", start="2024-07-01", weeks=4, pilot_weeks=1)
    cli("--intake", "2567", "demo", "--trainees", "24", "--seed", "4")
    assert cli("--intake", "2566", "trainees", "-f", "json").json() == []
    placed = cli("--intake", "2567", "assignments", "-f", "json").json()
    assert len(placed) == 24 and {a["pilot_district_code"] for a in placed} <= set(PILOTS_2567)
    weeks = {w for (w,) in database.query("SELECT DISTINCT week FROM report WHERE intake = '2567'")}
    assert weeks <= {1, 2, 3, 4} and weeks  # every week of 2567 has ended today
    assert database.query("SELECT COUNT(*) FROM report WHERE intake = '2566'") == [(0,)]
