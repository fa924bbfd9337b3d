"""Reports, progress and summary with two overlapping intakes in one database.

Intake 2566 holds the hand-checkable cohort of tests/cohort.py (22 weeks from Mon 3 Jul 2023).
Intake 2567 runs 10 weeks from Mon 4 Sep 2023 (its week 7 ends on Fri 20 Oct 2023, as 2566's
week 16 does) with 3 pilot districts, two of them also 2566's, and trainees whose ids are also
2566's (A1, A2: other enrolments of the same people) plus C1:
    A1 1806 reports weeks 1-7; A2 4001 reports weeks 1-3; C1 5607 never reports.
Nothing of one intake may show in the other's figures, lists or delivery log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.cohort import (
    COHORT_REPORTS,
    Person,
    add_people,
    add_reports,
    make_cohort,
    write_csv,
)

START_2567 = dt.date(2023, 9, 4)
PILOTS_2567 = ["1806", "4001", "5607"]
INTAKE_2567 = """\
name: "2567"
start: 2023-09-04
weeks: 10
pilot_weeks: 2
pilot_districts:
  - district: "4001"
  - district: "5607"
  - district: "1806"
"""
COHORT_2567 = (
    Person("A1", "สมชาย ใจดี", "DOPA", "1806"),
    Person("A2", "สมหญิง รักงาน", "CDD", "4001"),
    Person("C1", "Chaiya New", "OPS", "5607"),
)
REPORTS_2567 = [("A1", w) for w in range(1, 8)] + [("A2", w) for w in (1, 2, 3)]
FRIDAY_WEEK_16 = "2023-10-20"  # 2566 week 16 and 2567 week 7 both end that day


@pytest.fixture
def two_intakes(cli, database, tmp_path):
    make_cohort(database)
    path = tmp_path / "2567.yaml"
    path.write_text(INTAKE_2567, encoding="utf-8")
    cli("intakes", "import", str(path))
    add_people(database, COHORT_2567, intake="2567")
    add_reports(database, REPORTS_2567, intake="2567", start=START_2567)
    return database


def progress(cli, intake: str, by: str, as_of: str = FRIDAY_WEEK_16) -> list[dict]:
    return cli("--intake", intake, "progress", "--by", by, "--as-of", as_of, "-f", "json").json()


def weekly(*args: object) -> list[str]:
    return ["summary", "weekly", *map(str, args)]


# ---- progress ---------------------------------------------------------------------------


def test_progress_of_one_intake_never_counts_the_others(cli, two_intakes):
    rows = {r["trainee_id"]: r for r in progress(cli, "2567", "trainee")}
    assert set(rows) == {"A1", "A2", "C1"}
    figures = {t: (r["expected"], r["submitted"], r["missing_streak"]) for t, r in rows.items()}
    assert figures == {"A1": (7, 7, 0), "A2": (7, 3, 4), "C1": (7, 0, 7)}
    assert rows["A1"]["pilot_district_code"] == "1806"

    old = {r["trainee_id"]: r for r in progress(cli, "2566", "trainee")}
    assert set(old) == {"A1", "A2", "A3", "B1", "B2"}
    assert (old["A1"]["expected"], old["A1"]["submitted"]) == (16, 16)
    assert (old["A2"]["submitted"], old["A2"]["pilot_district_code"]) == (14, "5607")


def test_progress_by_district_is_per_pilot_district_of_the_intake(cli, two_intakes):
    rows = progress(cli, "2567", "district")
    assert [r["code"] for r in rows] == PILOTS_2567
    assert {r["code"]: (r["trainees"], r["expected"], r["submitted"]) for r in rows} == {
        "1806": (1, 7, 7),
        "4001": (1, 7, 3),
        "5607": (1, 7, 0),
    }
    old = {r["code"]: r for r in progress(cli, "2566", "district")}
    assert len(old) == 10
    assert (old["4001"]["trainees"], old["4001"]["submitted"]) == (2, 15)  # B1 8 + B2 7
    assert (old["5607"]["trainees"], old["5607"]["submitted"]) == (3, 43)  # 16 + 14 + 13


def test_progress_by_week_counts_the_intakes_weeks(cli, two_intakes):
    rows = progress(cli, "2567", "week", as_of="2023-12-01")
    assert [r["week"] for r in rows] == list(range(1, 11))
    assert [r["submitted"] for r in rows] == [2, 2, 2, 1, 1, 1, 1, 0, 0, 0]
    out = cli("--intake", "2567", "progress", "--as-of", "2023-12-01").stdout
    assert "intake 2567" in out and "10/10 weeks" in out


def test_district_filter_must_be_a_pilot_district_of_the_intake(cli, two_intakes):
    r = cli("--intake", "2567", "progress", "--district", "2506", code=1)
    assert "2506" in r.stderr and "not a pilot district of intake 2567" in r.stderr
    rows = cli("--intake", "2567", "progress", "--by", "trainee", "--district", "Hankha",
               "--as-of", FRIDAY_WEEK_16, "-f", "json").json()  # fmt: skip
    assert [r["trainee_id"] for r in rows] == ["A1"]


# ---- summary ----------------------------------------------------------------------------


def test_summary_of_one_intake_never_counts_the_others(cli, two_intakes):
    doc = cli("--intake", "2567", *weekly("--week", 7, "-f", "json")).json()
    assert (doc["intake"], doc["week"], doc["weeks"]) == ("2567", 7, 10)
    assert (doc["expected"], doc["submitted"], doc["missing"]) == (3, 1, ["A2", "C1"])
    assert [d["code"] for d in doc["by_district"]] == PILOTS_2567
    assert [(s["trainee_id"], s["missing_streak"]) for s in doc["streaks"]] == [
        ("C1", 7),
        ("A2", 4),
    ]
    assert [r["week"] for r in doc["rate_by_week"]] == list(range(1, 8))

    old = cli("--intake", "2566", *weekly("--week", 16, "-f", "json")).json()
    assert (old["intake"], old["expected"], old["submitted"]) == ("2566", 5, 2)
    assert old["missing"] == ["A2", "A3", "B1"]

    text = cli("--intake", "2567", *weekly("--week", 7)).stdout
    assert text.startswith("Weekly summary: week 7 of 10\n")
    assert [line.split() for line in text.splitlines() if line.startswith("Intake")] == [
        ["Intake", "2567"]
    ]  # the digest names its intake
    assert "target districts (weeks 3-10)" in text


def test_once_log_is_per_intake(cli, two_intakes, tmp_path):
    out = tmp_path / "digest.txt"
    for intake, week in (("2566", 7), ("2567", 7)):
        r = cli("--intake", intake, *weekly("--week", week, "--once", "-o", out))
        assert r.stderr.strip() == f"week {week} summary written to {out}"
        assert f"\nIntake              {intake}\n" in out.read_text(encoding="utf-8")
    log = set(two_intakes.query("SELECT intake, week, format, destination FROM sent_log"))
    assert log == {("2566", 7, "text", str(out)), ("2567", 7, "text", str(out))}

    again = cli("--intake", "2567", *weekly("--week", 7, "--once", "-o", out))
    assert "already delivered" in again.stderr and "intake 2567" in again.stderr
    assert two_intakes.count("sent_log") == 2


def test_cron_sends_the_digest_of_the_intake_with_a_week_that_just_ended(cli, two_intakes):
    # Tue 5 Sep 2023: 2566's week 9 ended last Friday; 2567 is in its first week.
    doc = cli(*weekly("--as-of", "2023-09-05", "-f", "json")).json()
    assert (doc["intake"], doc["week"]) == ("2566", 9)


def test_cron_when_no_intake_has_a_week_that_just_ended_sends_nothing(cli, two_intakes, tmp_path):
    out = tmp_path / "digest.html"
    before = two_intakes.dump()
    r = cli(*weekly("--as-of", "2023-12-20", "--once", "-f", "html", "-o", out))
    assert r.stdout == "" and not out.exists()
    assert r.stderr.strip().splitlines() == [
        "no intake has a week that just ended on 2023-12-20; nothing to send"
    ]
    assert two_intakes.dump() == before


def test_cron_with_two_intakes_that_just_ended_a_week_names_both(cli, two_intakes, tmp_path):
    out = tmp_path / "digest.txt"
    r = cli(*weekly("--as-of", "2023-10-23", "--once", "-o", out), code=1)
    assert r.stderr.startswith("Error: ")
    assert "2566 (week 16)" in r.stderr and "2567 (week 7)" in r.stderr
    assert "--intake" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists() and two_intakes.count("sent_log") == 0

    chosen = cli("--intake", "2567", *weekly("--as-of", "2023-10-23", "-f", "json")).json()
    assert (chosen["intake"], chosen["week"]) == ("2567", 7)


def test_cron_takes_the_intake_from_the_environment(cli, two_intakes, monkeypatch):
    monkeypatch.setenv("CASTCTL_INTAKE", "2566")
    doc = cli(*weekly("--as-of", "2023-10-23", "-f", "json")).json()
    assert (doc["intake"], doc["week"]) == ("2566", 16)


# ---- reports ----------------------------------------------------------------------------


def test_reports_add_and_list_per_intake(cli, two_intakes):
    cli("--intake", "2567", "reports", "add", "C1", "--week", "7", "--on", "2023-10-20",
        "-m", "monitor")  # fmt: skip
    rows = cli("--intake", "2567", "reports", "list", "--week", "7", "-f", "json").json()
    assert [(r["trainee_id"], r["mechanisms"]) for r in rows] == [
        ("A1", ["coordinate"]),
        ("C1", ["monitor"]),
    ]
    assert {r["pilot_district_code"] for r in rows} == {"1806", "5607"}
    old = cli("--intake", "2566", "reports", "list", "--week", "7", "-f", "json").json()
    assert [r["trainee_id"] for r in old] == ["A1", "A2", "A3", "B1"]
    assert two_intakes.count("report") == len(COHORT_REPORTS) + len(REPORTS_2567) + 1


def test_a_trainee_of_another_intake_is_unknown(cli, two_intakes):
    r = cli("--intake", "2567", "reports", "add", "B1", "--week", "3", "--on", "2023-09-22",
            code=1)  # fmt: skip
    assert r.stderr.strip() == "Error: no trainee with id 'B1' in intake 2567"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--week", "1", "--on", "2023-09-01"], "Error: --on 2023-09-01 is before week 1 starts"),
        (["--week", "10", "--on", "2023-11-13"], "Error: --on 2023-11-13 is after the intake"),
    ],
)
def test_reports_outside_the_intake_are_refused(cli, two_intakes, args, error):
    before = two_intakes.dump()
    r = cli("--intake", "2567", "reports", "add", "A2", *args, code=1)
    assert r.stderr.startswith(error)
    assert two_intakes.dump() == before


def test_a_week_beyond_the_intake_is_a_usage_error(cli, two_intakes):
    before = two_intakes.dump()
    r = cli("--intake", "2567", "reports", "add", "A2", "--week", "11", "--on", "2023-11-17",
            code=2)  # fmt: skip
    assert r.stderr.strip().endswith(
        "Error: Invalid value for '--week': 11 is not in the range 1-10 (intake 2567's weeks)"
    )
    assert two_intakes.dump() == before


def test_report_file_outside_the_intake_is_refused_whole(cli, two_intakes, tmp_path: Path):
    path = write_csv(
        tmp_path / "reports.csv",
        [
            ("A2", 4, "2023-09-29", "coordinate", "", "", ""),  # row 2: good
            ("A2", 11, "2023-11-17", "", "", "", ""),  # row 3: 2567 has 10 weeks
            ("A2", 5, "2023-11-20", "", "", "", ""),  # row 4: after the intake
            ("B1", 5, "2023-10-06", "", "", "", ""),  # row 5: B1 is 2566's only
        ],
    )
    before = two_intakes.dump()
    r = cli("--intake", "2567", "reports", "import", str(path), code=1)
    assert "row 3, column week: '11' is not a week number 1-10" in r.stderr
    assert "row 4, column submitted_on: 2023-11-20 is after the intake" in r.stderr
    assert "row 5, column trainee_id: no trainee with id 'B1'" in r.stderr
    assert two_intakes.dump() == before


def test_report_file_goes_into_the_chosen_intake_only(cli, two_intakes, tmp_path: Path):
    path = write_csv(
        tmp_path / "reports.csv",
        [
            ("A2", 4, "2023-09-29", "coordinate", "", "", ""),
            ("A1", 8, "2023-10-27", "", "", "", ""),
        ],
    )
    r = cli("--intake", "2567", "reports", "import", str(path))
    assert r.stderr.strip() == "2 added, 0 updated, 0 unchanged"
    stored = two_intakes.query(
        "SELECT intake, trainee_id, week FROM report WHERE (trainee_id = 'A2' AND week = 4) "
        "OR (trainee_id = 'A1' AND week = 8)"
    )
    assert sorted(stored) == [("2566", "A1", 8), ("2566", "A2", 4), ("2567", "A1", 8),
                              ("2567", "A2", 4)]  # fmt: skip
