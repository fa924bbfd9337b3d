"""``castctl demo``: a synthetic cohort, placed; the same command twice changes nothing; it never
touches a database with real trainees."""

from __future__ import annotations

import re
from collections import Counter

from tests.cohort_files import PILOT_CODES, dump, write_csv

COHORT_TABLES = (
    "trainee", "trainee_status_change", "target_district", "assignment", "assignment_change",
    "report",
)  # fmt: skip
THAI = re.compile(r"[\u0e00-\u0e7f]")


def test_demo_fills_and_places_the_cohort(cli):
    r = cli("demo", "--trainees", "120", "--seed", "3")
    assert "120 added, 0 updated, 0 unchanged" in r.stderr
    assert "120 trainees placed or moved" in r.stderr
    assert r.stdout == ""

    trainees = cli("trainees", "-f", "json").json()
    assert len(trainees) == 120
    assert all(t["trainee_id"].startswith("DEMO-") for t in trainees)
    assert all(THAI.search(t["full_name"]) for t in trainees)
    assert len({t["department"] for t in trainees}) >= 5
    assert len({t["home_province"] for t in trainees}) >= 30
    assert any(t["pilot_preferences"] for t in trainees)
    assert any(t["target_preferences"] for t in trainees)

    placed = cli("assignments", "-f", "json").json()
    assert len(placed) == 120
    assert all(a["pilot_district_code"] in PILOT_CODES for a in placed)
    assert all(a["target_district_code"] for a in placed)
    targets = {t["code"]: t for t in cli("targets", "-f", "json").json()}
    load = Counter(a["target_district_code"] for a in placed)
    assert all(load[c] <= targets[c]["capacity"] for c in load)
    mentors = cli("mentors", "-f", "json").json()
    assert all(m["placed"] <= m["capacity"] == 12 for m in mentors)
    # The stored placement is the optimum: re-solving everyone changes nothing.
    assert cli("assign", "--rematch-all", "--dry-run", "-f", "json").json()["changed"] == 0


def test_demo_twice_changes_nothing(cli, database):
    cli("demo", "--trainees", "120", "--seed", "3")
    before = {t: database.rows(t) for t in COHORT_TABLES}
    r = cli("demo", "--trainees", "120", "--seed", "3")
    assert "0 added, 0 updated, 120 unchanged" in r.stderr
    assert "0 trainees placed or moved; 0 weekly reports added" in r.stderr
    assert {t: database.rows(t) for t in COHORT_TABLES} == before
    assert cli("assign", "--dry-run", "-f", "json").json()["changed"] == 0


def test_demo_refuses_a_database_with_real_trainees(cli, database, tmp_path):
    row = {"trainee_id": "REAL-1", "full_name": "นายจริง ใจดี", "department": "DOPA",
           "home_province": "10"}  # fmt: skip
    cli("trainees", "import", write_csv(tmp_path / "real.csv", [row]))
    before = dump(database)
    r = cli("demo", "--trainees", "120", "--seed", "3", code=1)
    assert r.stderr.startswith("Error: intake 2566 holds 1 real trainee")
    assert "--db" in r.stderr
    assert dump(database) == before
