"""``castctl progress``: expected against submitted on a cohort small enough to check by hand.

The cohort (tests/cohort.py), as of Friday 20 Oct 2023 = the end of week 16 (16 elapsed weeks):

| trainee | pilot | reports for weeks          | submitted | streak |
|---------|-------|----------------------------|-----------|--------|
| A1      | 5607  | 1-17 (17 is not elapsed)   | 16        | 0      |
| A2      | 5607  | 1-14                       | 14        | 2 flag |
| A3      | 5607  | 1-10, 12, 13, 15           | 13        | 1      |
| B1      | 4001  | 1-8                        | 8         | 8 flag |
| B2      | 4001  | 10-16 (late joiner)        | 7         | 0      |
| W1      | 4001  | 1-5, then withdrawn        | not counted anywhere       |
| U1      | none  | 15-16, not placed yet      | not counted anywhere       |
"""

from __future__ import annotations

import re

import pytest

from castctl.core import progress as core
from tests.cohort import Person, add_people, make_cohort

AS_OF = "2023-10-20"


@pytest.fixture
def cohort(database):
    make_cohort(database)
    return database


def by(cli, what, *args, as_of=AS_OF):
    return cli("progress", "--by", what, "--as-of", as_of, "-f", "json", *args).json()


def figures(rows, key):
    return {r[key]: (r["expected"], r["submitted"]) for r in rows}


def test_by_trainee_counts_and_streaks(cli, cohort):
    rows = by(cli, "trainee")
    assert [r["trainee_id"] for r in rows] == ["A1", "A2", "A3", "B1", "B2"]  # no W1, no U1
    got = {r["trainee_id"]: (r["expected"], r["submitted"], r["missing_streak"]) for r in rows}
    assert got == {
        "A1": (16, 16, 0),
        "A2": (16, 14, 2),
        "A3": (16, 13, 1),
        "B1": (16, 8, 8),
        "B2": (16, 7, 0),
    }
    flagged = {r["trainee_id"] for r in rows if r["flagged"]}
    assert flagged == {"A2", "B1"}
    a1 = rows[0]
    assert a1["percent"] == 100.0 and a1["level"] == "good"
    assert a1["mechanisms"]["coordinate"] == 16 and a1["mechanisms"]["monitor"] == 0
    assert a1["networks"]["people"] == 16
    assert a1["sdgs"] == [1, 11]
    assert rows[3]["percent"] == 50.0 and rows[3]["level"] == "fair"
    assert rows[4]["percent"] == 43.8 and rows[4]["level"] == "poor"


def test_by_district_sums_the_mentors_trainees(cli, cohort):
    rows = by(cli, "district")
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    assert len(rows) == 10  # every mentor is listed, even one without trainees yet
    got = figures(rows, "code")
    assert got["5607"] == (48, 43)  # 3 trainees x 16 weeks; 16 + 14 + 13
    assert got["4001"] == (32, 15)  # B1 and B2 (W1 withdrawn): 8 + 7
    assert got["9501"] == (0, 0)
    mae_chai = next(r for r in rows if r["code"] == "5607")
    assert mae_chai["trainees"] == 3
    assert mae_chai["flagged"] == 1  # A2
    assert mae_chai["missing_last_week"] == 2  # A2 and A3 have no week-16 report
    assert mae_chai["name_en"] == "Mae Chai" and mae_chai["name_th"] == "แม่ใจ"
    assert next(r for r in rows if r["code"] == "9501")["percent"] is None


def test_by_week_counts_every_placed_trainee_for_every_elapsed_week(cli, cohort):
    rows = by(cli, "week")
    assert [r["week"] for r in rows] == list(range(1, 17))
    got = figures(rows, "week")
    assert got[1] == (5, 4)  # A1 A2 A3 B1 (B2 joined late; W1 withdrawn does not count)
    assert got[9] == (5, 3)  # A1 A2 A3
    assert got[11] == (5, 3)  # A1 A2 B2
    assert got[16] == (5, 2)  # A1 B2 (A1's week 17 is not elapsed; U1 is not placed)
    assert sum(s for _, s in got.values()) == 58


def test_by_department(cli, cohort):
    got = figures(by(cli, "department"), "department")
    assert got["DOPA"] == (32, 29)  # A1 + A3
    assert got["CDD"] == (16, 14)  # A2 (W1 withdrawn)
    assert got["DOL"] == (0, 0)  # U1 is not placed


def test_totals_agree_across_groupings(cli, cohort):
    totals = {what: core.totals(by(cli, what)) for what in ("trainee", "district", "week",
                                                           "department")}  # fmt: skip
    assert set(map(str, totals.values())) == {str({"expected": 80, "submitted": 58})}


@pytest.mark.parametrize(
    ("as_of", "elapsed", "streaks"),
    [
        # Thursday of week 16: week 16 has not ended, so 15 weeks count
        ("2023-10-19", 15, {"A1": 0, "A2": 1, "A3": 0, "B1": 7, "B2": 0}),
        # Saturday and Sunday belong to the week that just ended
        ("2023-10-22", 16, {"A1": 0, "A2": 2, "A3": 1, "B1": 8, "B2": 0}),
        # A3 missed weeks 11 and 14 but reported 12-13 and 15: a gap does not carry over
        ("2023-10-13", 15, {"A1": 0, "A2": 1, "A3": 0, "B1": 7, "B2": 0}),
        ("2023-10-06", 14, {"A1": 0, "A2": 0, "A3": 1, "B1": 6, "B2": 0}),
        ("2023-09-15", 11, {"A1": 0, "A2": 0, "A3": 1, "B1": 3, "B2": 0}),
        # B2 joined late: weeks 1-9 count against them too (contract: every elapsed week)
        ("2023-09-01", 9, {"A1": 0, "A2": 0, "A3": 0, "B1": 1, "B2": 9}),
        # before the programme, and on its first day: nothing is expected yet
        ("2023-06-30", 0, {"A1": 0, "A2": 0, "A3": 0, "B1": 0, "B2": 0}),
        ("2023-07-03", 0, {"A1": 0, "A2": 0, "A3": 0, "B1": 0, "B2": 0}),
        # after the programme: all 22 weeks count
        ("2024-03-01", 22, {"A1": 5, "A2": 8, "A3": 7, "B1": 14, "B2": 6}),
    ],
)
def test_consecutive_missing_rule(cli, cohort, as_of, elapsed, streaks):
    rows = by(cli, "trainee", as_of=as_of)
    assert {r["trainee_id"]: r["missing_streak"] for r in rows} == streaks
    assert {r["expected"] for r in rows} == {elapsed}


@pytest.mark.parametrize(
    ("elapsed", "last", "streak"),
    [(16, 16, 0), (16, 15, 1), (16, 14, 2), (16, None, 16), (0, None, 0), (3, 5, 0)],
)
def test_missing_streak_core(elapsed, last, streak):
    assert core.missing_streak(elapsed, last) == streak


def test_percent_and_levels():
    assert core.percent(0, 0) is None
    assert core.percent(2, 3) == 66.7
    assert [core.level(p) for p in (100, 80, 79.9, 50, 49.9, 0, None)] == [
        "good", "good", "fair", "fair", "poor", "poor", None,
    ]  # fmt: skip
    assert core.elapsed_bar(16, 22) == "████████████████░░░░░░ 16/22 weeks"


def test_late_joiner_is_counted_once_placed(cli, cohort):
    assert "U1" not in {r["trainee_id"] for r in by(cli, "trainee")}
    from castctl.db import models
    from castctl.db.store import open_store

    db = open_store(str(cohort))
    with db.session(write=True) as session:
        session.add(models.Assignment(intake="2566", trainee_id="U1", pilot_district_code="2506"))
    db.close()
    rows = {r["trainee_id"]: r for r in by(cli, "trainee")}
    assert (rows["U1"]["expected"], rows["U1"]["submitted"], rows["U1"]["missing_streak"]) == (
        16, 2, 0,
    )  # fmt: skip
    assert figures(by(cli, "district"), "code")["2506"] == (16, 2)


@pytest.mark.parametrize("name", ["5607", "Mae Chai", "mae chai", "แม่ใจ"])
def test_district_filter_by_code_or_name(cli, cohort, name):
    rows = by(cli, "trainee", "--district", name)
    assert [r["trainee_id"] for r in rows] == ["A1", "A2", "A3"]
    assert [r["code"] for r in by(cli, "district", "--district", name)] == ["5607"]


def test_department_filter_accepts_thai_abbreviation(cli, cohort):
    rows = by(cli, "trainee", "--department", "ปค.")
    assert [r["trainee_id"] for r in rows] == ["A1", "A3"]
    assert figures(by(cli, "district", "--department", "dopa"), "code")["5607"] == (32, 29)


def test_unknown_district_is_one_error_line(cli, cohort):
    r = cli("progress", "--district", "Mae Chia", code=1)
    assert r.stderr.startswith("Error: unknown district 'Mae Chia'")
    assert len(r.stderr.strip().splitlines()) == 1


def test_table_is_plain_off_a_terminal(cli, cohort):
    out = cli("progress", "--by", "trainee", "--as-of", AS_OF).stdout
    assert "\x1b[" not in out
    assert "████████████████░░░░░░ 16/22 weeks" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()[:2] in
             ("A1", "A2", "B1", "B2")}  # fmt: skip
    assert "2 ⚠" in lines["A2"] and "8 ⚠" in lines["B1"] and "⚠" not in lines["B2"]
    assert "100.0 %" in lines["A1"]
    assert "coordinate partners" in out  # coverage of the 5 mechanisms and 7 networks
    assert "1/5" in lines["A1"] and "1/7" in lines["A1"]


def test_table_colours_percentages_on_a_terminal(cli, cohort, monkeypatch):
    import castctl.cli.output as output

    monkeypatch.setattr(output, "is_tty", lambda stream: True)
    out = cli("progress", "--by", "trainee", "--as-of", AS_OF).stdout
    assert re.search(r"\x1b\[32m *100\.0 %", out)  # green >= 80
    assert re.search(r"\x1b\[33m *50\.0 %", out)  # yellow >= 50
    assert re.search(r"\x1b\[31m *43\.8 %", out)  # red below
    assert re.search(r"\x1b\[1;31m *8 ⚠", out)  # a streak of 2 or more stands out


def test_thai_labels(cli, cohort):
    out = cli("progress", "--as-of", AS_OF, "--lang", "th").stdout
    assert "ความก้าวหน้ารายอำเภอนำร่อง" in out
    assert "แม่ใจ" in out
    assert "16/22 สัปดาห์" in out and "20 ตุลาคม 2566" in out
    weeks = cli("progress", "--by", "week", "--as-of", AS_OF, "--lang", "th").stdout
    assert "16 ต.ค. 66" in weeks and "อำเภอเป้าหมาย" in weeks


def test_csv_and_markdown(cli, cohort):
    lines = cli("progress", "--by", "district", "--as-of", AS_OF, "-f", "csv").stdout.splitlines()
    header = lines[0].split(",")
    assert header[:7] == ["code", "name_en", "name_th", "trainees", "expected", "submitted",
                          "percent"]  # fmt: skip
    assert "mechanism_coordinate" in header and "network_civil_society" in header
    assert "sdg_17" in header
    row = dict(zip(header, next(x for x in lines if x.startswith("5607")).split(","), strict=True))
    assert (row["expected"], row["submitted"], row["mechanism_coordinate"]) == ("48", "43", "43")
    md = cli("progress", "--by", "week", "--as-of", AS_OF, "-f", "markdown").stdout
    assert md.startswith("### Progress by week")
    assert "| 16 | target |" in md


def test_before_the_programme_nothing_is_expected(cli, cohort):
    rows = by(cli, "district", as_of="2023-06-01")
    assert {(r["expected"], r["submitted"]) for r in rows} == {(0, 0)}
    assert by(cli, "week", as_of="2023-06-01") == []
    out = cli("progress", "--as-of", "2023-06-01").stdout
    assert "no week has ended yet" in out


def test_empty_database(cli):
    assert by(cli, "trainee") == []
    assert {r["expected"] for r in by(cli, "district")} == {0}


def test_withdrawn_trainee_with_a_placement_row_is_not_expected(cli, database):
    add_people(database, [Person("X1", "Gone", "OPS", "1806", status="withdrawn")])
    assert by(cli, "trainee") == []
    assert figures(by(cli, "district"), "code")["1806"] == (0, 0)


# ---- the same figures on the other backend -----------------------------------------------


def test_sqlite_and_postgresql_give_the_same_figures(
    cli, cohort, backend, make_database, other_backend, monkeypatch
):
    """Byte for byte, in every format a script reads, from the same rows on the other backend."""
    commands = [
        ("progress", "--by", "trainee", "--as-of", AS_OF, "-f", "json"),
        ("progress", "--by", "district", "--as-of", AS_OF, "-f", "json"),
        ("progress", "--by", "week", "--as-of", AS_OF, "-f", "json"),
        ("progress", "--by", "department", "--as-of", "2024-01-01", "-f", "json"),
        ("progress", "--by", "trainee", "--district", "แม่ใจ", "--as-of", AS_OF, "-f", "json"),
        ("summary", "weekly", "--week", "16", "-f", "json"),
        ("summary", "weekly", "--week", "16", "-f", "json", "--per-mentor"),
        ("reports", "list", "-f", "json"),
        ("reports", "list", "-f", "csv"),
        ("progress", "--by", "district", "--as-of", AS_OF, "-f", "csv"),
        ("summary", "weekly", "--week", "16", "-f", "markdown"),
        ("summary", "weekly", "--week", "16", "-f", "text", "--lang", "th"),
    ]
    add = ("reports", "add", "A2", "--week", "16", "--on", "2023-10-21", "-m", "ติดตามประเมินผล",
           "-n", "civil_society", "--sdg", "17")  # fmt: skip
    cli(*add)
    first = [cli(*c).stdout for c in commands]
    other = make_database(other_backend(backend))
    monkeypatch.setenv("CASTCTL_DB", other.url)
    make_cohort(other)
    cli(*add)
    assert [cli(*c).stdout for c in commands] == first


def test_progress_rows_gives_the_facts_under_the_table(cohort):
    import datetime as dt

    from castctl.app.progress import progress_rows
    from castctl.app.stores import open_store
    from castctl.core.intakes import builtin_intake

    store, _ = open_store(cohort.url)
    try:
        intake = builtin_intake()
        found = progress_rows(store, intake, "district", dt.date(2023, 10, 20), department="OPS")
        everyone = progress_rows(store, intake, "trainee", dt.date(2023, 10, 20))
    finally:
        store.close()
    assert (found.intake, found.elapsed, found.weeks) == ("2566", 16, 22)
    assert found.as_of == dt.date(2023, 10, 20)
    assert (found.expected, found.submitted) == (
        sum(r["expected"] for r in found.rows),
        sum(r["submitted"] for r in found.rows),
    )
    assert (everyone.expected, everyone.submitted) == (80, 58)  # 5 trainees x 16; 16+14+13+8+7
    assert everyone.percent == 72.5
