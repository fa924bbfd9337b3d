"""Coverage counts (reports mentioning each mechanism, network and SDG) at their limits.

A report stores which codes it mentions as coverage words that SQL sums per trainee
(``castctl.core.progress``). These tests fill a 52-week intake, the longest there is, so one
trainee reaches the most reports a field has to count, and a district adds up more than one
field could hold, through the real commands on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from castctl.core.intakes import MAX_WEEKS
from castctl.core.progress import MAX_REPORTS_SUMMED, coverage_words
from castctl.core.vocabulary import MECHANISMS, NETWORKS, SDGS
from tests.cohort import Person, add_people, friday, write_csv

INTAKE = "y52"
START = dt.date(2025, 1, 6)  # a Monday; 52 weeks end on Friday 2 January 2026
AFTER = "2026-01-05"
ALL = (";".join(MECHANISMS), ";".join(NETWORKS), ";".join(str(n) for n in SDGS))
FULL = ("F1", "F2", "F3")  # mention every code every week
PEOPLE = (
    *(Person(tid, f"ผู้เข้าอบรม {tid}", "DOPA", "5607") for tid in FULL),
    Person("Q1", "Quiet One", "CDD", "5607"),  # reports every week, mentions nothing
    Person("H1", "Half Way", "DLA", "4001"),  # weeks 1-26, coordinate and SDG 17 only
)


def intake_yaml(path: Path) -> Path:
    path.write_text(
        f'name: "{INTAKE}"\nstart: {START.isoformat()}\nweeks: 52\npilot_weeks: 2\n'
        'pilot_districts:\n  - district: "5607"\n  - district: "4001"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def year(cli, database, tmp_path: Path):
    cli("intakes", "import", intake_yaml(tmp_path / "y52.yaml"))
    add_people(database.url, PEOPLE, intake=INTAKE)
    rows = [
        (tid, week, friday(week, START).isoformat(), *ALL, "")
        for tid in FULL
        for week in range(1, 53)
    ]
    rows += [("Q1", week, friday(week, START).isoformat(), "", "", "", "") for week in range(1, 53)]
    rows += [
        ("H1", week, friday(week, START).isoformat(), "coordinate", "", "17", "")
        for week in range(1, 27)
    ]
    cli("--intake", INTAKE, "reports", "import", write_csv(tmp_path / "r.csv", rows))
    return database


def progress(cli, by: str, *args: str) -> list[dict]:
    return cli(
        "--intake", INTAKE, "progress", "--by", by, "--as-of", AFTER, "-f", "json", *args
    ).json()


def test_a_trainee_with_52_reports_counts_every_code_52_times(cli, year):
    rows = {r["trainee_id"]: r for r in progress(cli, "trainee")}
    for tid in FULL:
        assert rows[tid]["submitted"] == 52
        assert rows[tid]["mechanisms"] == dict.fromkeys(MECHANISMS, 52)
        assert rows[tid]["networks"] == dict.fromkeys(NETWORKS, 52)
        assert rows[tid]["sdgs"] == list(SDGS)
        assert rows[tid]["sdg_reports"] == {str(n): 52 for n in SDGS}
    assert rows["Q1"]["mechanisms"] == dict.fromkeys(MECHANISMS, 0)
    assert rows["Q1"]["sdgs"] == []
    half = rows["H1"]
    assert half["mechanisms"] == {**dict.fromkeys(MECHANISMS, 0), "coordinate": 26}
    assert half["sdg_reports"] == {"17": 26}


def test_groups_add_up_more_reports_than_one_trainee_can(cli, year):
    districts = {r["code"]: r for r in progress(cli, "district")}
    assert MAX_REPORTS_SUMMED < 3 * 52  # the district's counts need more than one field holds
    assert districts["5607"]["mechanisms"] == dict.fromkeys(MECHANISMS, 3 * 52)
    assert districts["5607"]["sdg_reports"] == {str(n): 3 * 52 for n in SDGS}
    assert districts["4001"]["mechanisms"]["coordinate"] == 26
    departments = {r["department"]: r for r in progress(cli, "department")}
    assert departments["DOPA"]["networks"] == dict.fromkeys(NETWORKS, 3 * 52)
    assert departments["CDD"]["networks"] == dict.fromkeys(NETWORKS, 0)
    weeks = progress(cli, "week")
    assert [w["mechanisms"]["coordinate"] for w in weeks] == [4] * 26 + [3] * 26
    assert all(w["sdg_reports"]["1"] == 3 for w in weeks)


def test_a_changed_report_changes_its_counts(cli, year, tmp_path: Path):
    # F1's week 52 now mentions only "monitor"; H1 adds week 27 with "media".
    rows = [
        ("F1", 52, friday(52, START).isoformat(), "monitor", "", "", ""),
        ("H1", 27, friday(27, START).isoformat(), "", "media", "", ""),
    ]
    r = cli("--intake", INTAKE, "reports", "import", write_csv(tmp_path / "again.csv", rows))
    assert "1 added, 1 updated" in r.stderr
    trainees = {r["trainee_id"]: r for r in progress(cli, "trainee")}
    assert trainees["F1"]["mechanisms"] == {**dict.fromkeys(MECHANISMS, 51), "monitor": 52}
    assert trainees["F1"]["sdg_reports"] == {str(n): 51 for n in SDGS}
    assert trainees["H1"]["networks"]["media"] == 1
    summary = cli("--intake", INTAKE, "summary", "weekly", "--as-of", AFTER, "-f", "json").json()
    assert summary["week"] == 52
    assert summary["mechanisms"] == {**dict.fromkeys(MECHANISMS, 2), "monitor": 3}


def test_the_longest_intake_fits_in_a_field():
    # One trainee's reports are summed in one field: at most one per week of the intake.
    assert MAX_WEEKS <= MAX_REPORTS_SUMMED


def test_each_code_has_its_own_field_and_counts_once_per_report():
    seen = set()
    for kind, codes in (("m", MECHANISMS), ("n", NETWORKS), ("s", [str(n) for n in SDGS])):
        for code in codes:
            lists = {"m": ("", "", ""), "n": ("", "", ""), "s": ("", "", "")}[kind]
            at = "mns".index(kind)
            once = coverage_words(*(code if i == at else lists[i] for i in range(3)))
            twice = coverage_words(*(f"{code};{code}" if i == at else "" for i in range(3)))
            assert once == twice  # a code listed twice is still one report mentioning it
            assert sum(bin(w).count("1") for w in once) == 1
            assert once not in seen
            seen.add(once)
    assert coverage_words("", "", "") == (0, 0, 0)
    assert coverage_words("unknown", "people;nobody", "99") == coverage_words("", "people", "")
