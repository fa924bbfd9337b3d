"""``castctl assign`` and ``castctl assignments`` through the real CLI on a real database:
the contract's JSON, costs and constraints checked independently, infeasible inputs (exit 3),
keeping placements versus ``--rematch-all``, single stages, dry runs, determinism, ``--explain``
and the history. (The optimiser's own properties are tested in ``test_assignment_core.py``.)"""

from __future__ import annotations

import getpass
import math
import random
from collections import Counter

import pytest

from tests.cohort_files import (
    PILOT_CODES,
    dump,
    make_cohort,
    roomy_targets,
    write_csv,
    write_targets,
)

ASSIGNMENT_KEYS = {"trainee_id", "pilot_district_code", "target_district_code", "cost"}


def load(cli, tmp_path, trainees, targets=None, name="cohort"):
    cli("trainees", "import", write_csv(tmp_path / f"{name}.csv", trainees))
    if targets:
        cli("targets", "import", write_targets(tmp_path / f"{name}-targets.csv", targets))


def by_id(doc_or_list) -> dict[str, dict]:
    items = doc_or_list["assignments"] if isinstance(doc_or_list, dict) else doc_or_list
    return {a["trainee_id"]: a for a in items}


def expected_cost(trainee: dict, code: str, stage: str, district: dict[str, dict]) -> int:
    """The contract's ``100 * pref + geo``, computed here from what the CLI lists."""
    prefs = trainee[f"{stage}_preferences"]
    pref = (prefs.index(code) if code in prefs else 9) if prefs else 0
    d = district[code]
    home_region = next(
        x["region"] for x in district.values() if x["province_code"] == trainee["home_province"]
    )
    if d["province_code"] == trainee["home_province"]:
        geo = 0
    else:
        geo = 1 if d["region"] == home_region else 2
    return 100 * pref + geo


def set_all_mentor_capacities(cli, capacities: dict[str, int]) -> None:
    for code, cap in capacities.items():
        cli("mentors", "set", code, "--capacity", cap)


# ---- the result: shape, costs, constraints, history -----------------------------------------


def test_json_shape_costs_and_constraints_hold(cli, tmp_path):
    cohort = make_cohort(60, seed=11)
    load(cli, tmp_path, cohort, roomy_targets(60))
    doc = cli("assign", "-f", "json").json()

    assert set(doc) == {"intake", "stage", "optimal", "objective", "assignments", "changed"}
    assert doc["intake"] == "2566"
    assert doc["stage"] == "all" and doc["optimal"] is True
    assert set(doc["objective"]) == {"pilot", "target"}
    for a in doc["assignments"]:
        assert set(a) == ASSIGNMENT_KEYS
        assert set(a["cost"]) == {"pilot", "target"}
        assert all(type(v) is int for v in a["cost"].values())
    assert [a["trainee_id"] for a in doc["assignments"]] == sorted(t["trainee_id"] for t in cohort)
    assert doc["changed"] == 60

    # Costs recomputed from the listed trainees and districts; the objective is their sum.
    trainees = {t["trainee_id"]: t for t in cli("trainees", "-f", "json").json()}
    district = {d["code"]: d for d in cli("districts", "-f", "json").json()}
    for a in doc["assignments"]:
        t = trainees[a["trainee_id"]]
        for stage in ("pilot", "target"):
            code = a[f"{stage}_district_code"]
            assert a["cost"][stage] == expected_cost(t, code, stage, district), (a, stage)
    for stage in ("pilot", "target"):
        assert doc["objective"][stage] == sum(a["cost"][stage] for a in doc["assignments"])

    # Capacities, as the CLI itself reports them, and the department spread.
    mentors = {m["district_code"]: m["capacity"] for m in cli("mentors", "-f", "json").json()}
    assert set(mentors) == set(PILOT_CODES) and set(mentors.values()) == {6}
    pilot_load = Counter(a["pilot_district_code"] for a in doc["assignments"])
    assert all(pilot_load[c] <= mentors[c] for c in pilot_load)
    targets = {t["code"]: t["capacity"] for t in cli("targets", "-f", "json").json()}
    target_load = Counter(a["target_district_code"] for a in doc["assignments"])
    assert set(target_load) <= set(targets)
    assert all(target_load[c] <= targets[c] for c in target_load)
    departments = Counter(t["department"] for t in cohort)
    mix = Counter((a["pilot_district_code"], trainees[a["trainee_id"]]["department"])
                  for a in doc["assignments"])  # fmt: skip
    for (_, dept), n in mix.items():
        assert n <= math.ceil(departments[dept] / 10), (dept, n)

    # What `assignments` lists is what `assign` just printed.
    assert cli("assignments", "-f", "json").json() == doc["assignments"]

    # Every first placement is in the history, with the OS user.
    history = cli("assignments", "history", "-f", "json").json()
    assert len(history) == 120
    assert {h["reason"] for h in history} == {"first placement"}
    assert {h["os_user"] for h in history} == {getpass.getuser()}
    assert all(h["old_code"] is None for h in history)
    placed = {(h["trainee_id"], h["stage"]): h["new_code"] for h in history}
    assert placed == {
        (a["trainee_id"], stage): a[f"{stage}_district_code"]
        for a in doc["assignments"]
        for stage in ("pilot", "target")
    }

    # A second run changes nothing and prints the same placements.
    again = cli("assign", "-f", "json").json()
    assert again["changed"] == 0
    assert again["assignments"] == doc["assignments"]
    assert len(cli("assignments", "history", "-f", "json").json()) == 120


def test_table_output_summarises_the_placement(cli, tmp_path):
    load(cli, tmp_path, make_cohort(30, seed=2), roomy_targets(30))
    out = cli("assign").stdout
    assert "\x1b[" not in out
    for text in ("Pilot districts", "Target fill", "Choices met", "optimal", "30 trainee(s)"):
        assert text in out, text
    out = cli("assign").stdout
    assert "0 trainee(s) changed" in out


# ---- infeasible: exit 3 with the reason -----------------------------------------------------


def test_mentor_capacity_below_the_cohort_is_exit_3(cli, database, tmp_path):
    load(cli, tmp_path, make_cohort(25, seed=3), roomy_targets(25))
    set_all_mentor_capacities(cli, dict.fromkeys(PILOT_CODES, 2))
    before = dump(database)
    r = cli("assign", "-f", "json", code=3)
    assert r.stderr == "Error: mentor capacity 20 < 25 active trainees\n"
    assert r.stdout == ""
    cli("assign", "--stage", "pilot", code=3)
    assert dump(database) == before
    # The target stage alone does not need the mentors.
    assert len(cli("assign", "--stage", "target", "-f", "json").json()["assignments"]) == 25


def test_no_target_districts_is_exit_3_and_writes_nothing(cli, database, tmp_path):
    load(cli, tmp_path, make_cohort(25, seed=3))
    before = dump(database)
    r = cli("assign", code=3)
    assert r.stderr == "Error: target capacity 0 < 25 active trainees\n"
    assert dump(database) == before  # the pilot stage solved first is not kept either
    cli("assign", "--stage", "target", code=3)
    assert dump(database) == before


def test_target_districts_too_small_is_exit_3(cli, database, tmp_path):
    load(cli, tmp_path, make_cohort(25, seed=3), [("1001", 4), ("4001", 6)])
    before = dump(database)
    r = cli("assign", "-f", "json", code=3)
    assert r.stderr == "Error: target capacity 10 < 25 active trainees\n"
    assert dump(database) == before


def test_department_spread_that_cannot_be_met_is_exit_3(cli, database, tmp_path):
    cohort = make_cohort(15, seed=5, departments=("DLA",)) + make_cohort(
        5, seed=6, prefix="U", departments=("OPS",)
    )
    load(cli, tmp_path, cohort, roomy_targets(20))
    # 6 mentors take 1, 4 take 4: 22 places, but DLA (cap 2 per district) fits only 6 + 8.
    set_all_mentor_capacities(
        cli, {code: (1 if k < 6 else 4) for k, code in enumerate(PILOT_CODES)}
    )
    before = dump(database)
    r = cli("assign", code=3)
    assert r.stderr == (
        "Error: department DLA has 15 trainees but the spread rule allows 14 with the current "
        "capacities\n"
    )
    assert dump(database) == before


# ---- keeping placements, --rematch-all ------------------------------------------------------


def test_default_keeps_placements_and_rematch_all_moves_with_history(cli, tmp_path):
    # Ten Bangkok trainees with no wishes fill the two Bangkok districts (cost 0 there).
    old = [
        {"trainee_id": f"O{i:02d}", "full_name": f"เก่า {i}", "department": "DOPA",
         "home_province": "10"}
        for i in range(1, 11)
    ]  # fmt: skip
    load(cli, tmp_path, old, [("1001", 5), ("1002", 5), ("4001", 20)])
    first = by_id(cli("assign", "-f", "json").json())
    assert Counter(a["target_district_code"] for a in first.values()) == {"1001": 5, "1002": 5}

    # Latecomers from Khon Kaen want exactly the two full Bangkok districts.
    new = [
        {"trainee_id": f"N{i}", "full_name": f"ใหม่ {i}", "department": "CDD",
         "home_province": "40", "target_preferences": "1001;1002", "pilot_preferences": "5607"}
        for i in range(1, 5)
    ]  # fmt: skip
    load(cli, tmp_path, old + new, name="late")
    kept = cli("assign", "-f", "json").json()
    assert kept["changed"] == 4
    after = by_id(kept)
    assert {tid: after[tid] for tid in first} == first  # nobody placed before has moved
    assert {after[f"N{i}"]["target_district_code"] for i in range(1, 5)} == {"4001"}
    assert all(after[f"N{i}"]["cost"]["target"] == 900 for i in range(1, 5))
    history = cli("assignments", "history", "-f", "json").json()
    assert {h["trainee_id"] for h in history[20:]} == {"N1", "N2", "N3", "N4"}
    assert {h["reason"] for h in history} == {"first placement"}

    rematched = cli("assign", "--rematch-all", "-f", "json").json()
    moved = by_id(rematched)
    differ = {
        tid for tid in moved
        if (moved[tid]["pilot_district_code"], moved[tid]["target_district_code"])
        != (after[tid]["pilot_district_code"], after[tid]["target_district_code"])
    }  # fmt: skip
    assert rematched["changed"] == len(differ) >= 8
    assert {moved[f"N{i}"]["target_district_code"] for i in range(1, 5)} <= {"1001", "1002"}
    assert rematched["objective"]["target"] < kept["objective"]["target"]
    assert rematched["objective"]["pilot"] <= kept["objective"]["pilot"]
    moves = cli("assignments", "history", "-f", "json").json()[len(history) :]
    assert moves and {h["reason"] for h in moves} == {"rematch-all"}
    assert {h["trainee_id"] for h in moves} == differ
    for h in moves:
        before_code = after[h["trainee_id"]][f"{h['stage']}_district_code"]
        now_code = moved[h["trainee_id"]][f"{h['stage']}_district_code"]
        assert (h["old_code"], h["new_code"]) == (before_code, now_code)
        assert before_code != now_code
    # And rematching again finds nothing better to do.
    assert cli("assign", "--rematch-all", "-f", "json").json()["changed"] == 0


def test_withdrawal_then_assign_keeps_everyone_else(cli, tmp_path):
    """The default mentor capacity ceil(active / 10) shrinks after a withdrawal (21 -> 20
    trainees: 3 -> 2 per mentor); placed trainees must still stay where they are."""
    load(cli, tmp_path, make_cohort(21, seed=8), roomy_targets(21))
    before = by_id(cli("assign", "-f", "json").json())
    crowded = next(
        code for code, n in Counter(a["pilot_district_code"] for a in before.values()).items()
        if n == 3
    )  # fmt: skip
    gone = next(tid for tid, a in before.items() if a["pilot_district_code"] != crowded)
    cli("trainees", "withdraw", gone, "--on", "2023-08-01", "--reason", "left")
    r = cli("assign", "-f", "json", code=None)
    assert r.exit_code == 0, r.stderr
    doc = r.json()
    assert doc["changed"] == 0
    assert by_id(doc) == {tid: a for tid, a in before.items() if tid != gone}


def test_withdrawal_then_assign_with_a_shrinking_department_cap(cli, tmp_path):
    """Explicit mentor capacities stay put, but the spread cap ceil(DOPA / 10) drops from 2 to
    1 when the 11th DOPA trainee leaves; the others must still stay where they are."""
    cohort = make_cohort(11, seed=9, departments=("DOPA",)) + make_cohort(
        9, seed=10, prefix="U", departments=("CDD",)
    )
    load(cli, tmp_path, cohort, roomy_targets(20))
    set_all_mentor_capacities(cli, dict.fromkeys(PILOT_CODES, 3))
    before = by_id(cli("assign", "-f", "json").json())
    dopa = Counter(a["pilot_district_code"] for tid, a in before.items() if tid.startswith("T"))
    gone = next(
        tid for tid, a in before.items()
        if tid.startswith("T") and dopa[a["pilot_district_code"]] == 1
    )  # fmt: skip
    cli("trainees", "withdraw", gone, "--on", "2023-08-01", "--reason", "left")
    r = cli("assign", "-f", "json", code=None)
    assert r.exit_code == 0, r.stderr
    assert by_id(r.json()) == {tid: a for tid, a in before.items() if tid != gone}


# ---- one stage at a time --------------------------------------------------------------------


def test_pilot_stage_alone_then_target_stage_alone(cli, database, tmp_path):
    load(cli, tmp_path, make_cohort(20, seed=12))  # no target districts yet
    pilot = cli("assign", "--stage", "pilot", "-f", "json").json()
    assert pilot["stage"] == "pilot" and pilot["changed"] == 20
    assert len(pilot["assignments"]) == 20
    for a in pilot["assignments"]:
        assert a["pilot_district_code"] in PILOT_CODES
        assert a["target_district_code"] is None and a["cost"]["target"] is None
    assert pilot["objective"]["target"] == 0
    assert cli("assignments", "-f", "json").json() == pilot["assignments"]

    cli("targets", "import", write_targets(tmp_path / "targets.csv", roomy_targets(20)))
    target = cli("assign", "--stage", "target", "-f", "json").json()
    assert target["stage"] == "target" and target["changed"] == 20
    assert target["objective"]["pilot"] == pilot["objective"]["pilot"]
    for a, p in zip(target["assignments"], pilot["assignments"], strict=True):
        assert (a["pilot_district_code"], a["cost"]["pilot"]) == (
            p["pilot_district_code"], p["cost"]["pilot"],
        )  # fmt: skip
        assert a["target_district_code"] is not None
    assert cli("assignments", "-f", "json").json() == target["assignments"]
    stages = Counter(h["stage"] for h in cli("assignments", "history", "-f", "json").json())
    assert stages == {"pilot": 20, "target": 20}


def test_target_stage_alone_first(cli, tmp_path):
    load(cli, tmp_path, make_cohort(20, seed=13), roomy_targets(20))
    target = cli("assign", "--stage", "target", "-f", "json").json()
    assert all(a["pilot_district_code"] is None for a in target["assignments"])
    assert all(a["cost"]["pilot"] is None for a in target["assignments"])
    assert target["objective"]["pilot"] == 0
    pilot = cli("assign", "--stage", "pilot", "-f", "json").json()
    for a, t in zip(pilot["assignments"], target["assignments"], strict=True):
        assert a["target_district_code"] == t["target_district_code"]
        assert a["pilot_district_code"] in PILOT_CODES
    assert pilot["changed"] == 20


# ---- dry run, determinism -------------------------------------------------------------------


def test_dry_run_writes_nothing_and_matches_the_real_run(cli, database, tmp_path):
    load(cli, tmp_path, make_cohort(40, seed=14), roomy_targets(60))
    before = dump(database)
    dry = cli("assign", "--dry-run", "-f", "json")
    assert dump(database) == before
    assert "dry run: nothing was written" in cli("assign", "--dry-run").stdout
    assert dump(database) == before
    real = cli("assign", "-f", "json")
    assert real.stdout == dry.stdout

    # Again with placements to keep and latecomers to place.
    load(cli, tmp_path, make_cohort(10, seed=15, prefix="L"), name="late")
    before = dump(database)
    dry = cli("assign", "--dry-run", "-f", "json")
    assert dry.json()["changed"] == 10
    assert dump(database) == before
    assert cli("assign", "-f", "json").stdout == dry.stdout
    dry = cli("assign", "--rematch-all", "--dry-run", "-f", "json")
    assert cli("assign", "--rematch-all", "-f", "json").stdout == dry.stdout


def test_same_data_gives_byte_identical_json_on_two_databases(
    cli, backend, make_database, other_backend, tmp_path
):
    """The same data, loaded in another row order into a database of the other backend (SQLite
    against PostgreSQL, both ways), gives byte-identical placements: ties included."""
    other = make_database(other_backend(backend)).url
    # Many ties: few homes, few preferences, tight capacities.
    cohort = make_cohort(80, seed=16, targets=("1001", "1002", "4001", "5001"))
    targets = [("1001", 20), ("1002", 20), ("4001", 25), ("5001", 25), ("9001", 10)]
    load(cli, tmp_path, cohort, targets, name="a")
    shuffled = cohort[:]
    random.Random(0).shuffle(shuffled)  # the same data in another row order
    cli("--db", other, "trainees", "import", write_csv(tmp_path / "b.csv", shuffled))
    cli("--db", other, "targets", "import", write_targets(tmp_path / "b-t.csv", targets[::-1]))
    one = cli("assign", "-f", "json").stdout
    two = cli("--db", other, "assign", "-f", "json").stdout
    assert one == two
    assert (
        cli("assignments", "-f", "json").stdout
        == cli("--db", other, "assignments", "-f", "json").stdout
    )
    # A capacity cut and a full re-solve move the same trainees the same way on both.
    for db in ((), ("--db", other)):
        cli(*db, "targets", "import", write_targets(tmp_path / "cut.csv", [("4001", 15)]))
    assert (
        cli("assign", "--rematch-all", "-f", "json").stdout
        == cli("--db", other, "assign", "--rematch-all", "-f", "json").stdout
    )

    def history(*db: str) -> list[dict]:
        rows = cli(*db, "assignments", "history", "-f", "json").json()
        return [{k: v for k, v in r.items() if k != "changed_at"} for r in rows]

    assert history() == history("--db", other)


# ---- --explain ------------------------------------------------------------------------------


def test_explain_shows_choice_breakdown_and_why_alternatives_lost(cli, tmp_path):
    rows = [
        {"trainee_id": f"X{i}", "full_name": f"x{i}", "department": "DOPA",
         "home_province": "10", "target_preferences": "1001;1002"}
        for i in (1, 2)
    ]  # fmt: skip
    load(cli, tmp_path, rows, [("1001", 1), ("1002", 1), ("4001", 5)])
    placed = by_id(cli("assign", "-f", "json").json())
    loser = next(t for t, a in placed.items() if a["target_district_code"] == "1002")

    doc = cli("assign", "--explain", loser, "-f", "json").json()
    assert doc["trainee_id"] == loser
    target = doc["target"]
    assert target["district_code"] == "1002" == placed[loser]["target_district_code"]
    assert target["cost"] == 100 == placed[loser]["cost"]["target"]
    assert target["breakdown"]["preference"] == 1 and target["breakdown"]["geo"] == 0
    assert target["preferences"] == ["1001", "1002"]
    alternatives = {a["district_code"]: a for a in target["alternatives"]}
    assert alternatives["1001"] == {"district_code": "1001", "cost": 0, "reason": "full"}
    assert alternatives["4001"]["reason"] in ("worse preference", "farther")
    pilot = doc["pilot"]
    assert pilot["district_code"] == placed[loser]["pilot_district_code"]
    b = pilot["breakdown"]
    assert pilot["cost"] == 100 * b["preference"] + b["geo"] == placed[loser]["cost"]["pilot"]
    assert all(a["reason"] for a in pilot["alternatives"])

    table = cli("assign", "--explain", loser).stdout
    assert "chosen" in table and "full" in table and "1002" in table
    r = cli("assign", "--explain", "NOBODY", code=1)
    assert r.stderr == "Error: no active trainee with id 'NOBODY' in intake 2566\n"


@pytest.mark.parametrize("stage", ["pilot", "target", "all"])
def test_explain_respects_the_stage(cli, tmp_path, stage):
    load(cli, tmp_path, make_cohort(12, seed=17), roomy_targets(12))
    doc = cli("assign", "--stage", stage, "--explain", "T003", "-f", "json").json()
    expected = {"pilot", "target"} if stage == "all" else {stage}
    assert set(doc) == {"trainee_id", "intake"} | expected
