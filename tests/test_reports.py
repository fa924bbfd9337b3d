"""``castctl reports add`` / ``import`` / ``list``: validation, replacement, atomic imports."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cohort import COHORT, add_people, dump, write_csv


@pytest.fixture
def people(database):
    add_people(database, COHORT)
    return database


def stored(cli, **filters):
    args = ["reports", "list", "-f", "json"]
    for key, value in filters.items():
        args += [f"--{key}", str(value)]
    return cli(*args).json()


# ---- reports add ------------------------------------------------------------------------


def test_add_stores_report_with_thai_labels_and_confirms_on_stderr(cli, people):
    r = cli(
        "reports", "add", "A1", "--week", "16", "--on", "2023-10-20",
        "--mechanism", "ประสานงานภาคี", "--mechanism", "monitor", "-m", "Knowledge management",
        "--network", "ประชาสังคม", "--network", "people", "--sdg", "11", "--sdg", "SDG 1",
        "--note", "ปลูกผักสวนครัว",
    )  # fmt: skip
    assert r.stdout == ""
    assert r.stderr.strip() == "report of A1 for week 16 added"
    [report] = stored(cli, trainee="A1")
    assert report["week"] == 16
    assert report["submitted_on"] == "2023-10-20"
    # stored in vocabulary order, whatever order and language they were typed in
    assert report["mechanisms"] == ["coordinate", "monitor", "knowledge"]
    assert report["networks"] == ["civil_society", "people"]
    assert report["sdgs"] == [1, 11]
    assert report["note"] == "ปลูกผักสวนครัว"


def test_second_report_for_same_week_replaces_the_first(cli, people):
    cli("reports", "add", "A1", "--week", "3", "--on", "2023-07-21", "-m", "coordinate")
    r = cli("reports", "add", "A1", "--week", "3", "--on", "2023-07-24", "-m", "integrate")
    assert "replaced" in r.stderr
    reports = stored(cli, trainee="A1")
    assert len(reports) == 1
    assert reports[0]["submitted_on"] == "2023-07-24"
    assert reports[0]["mechanisms"] == ["integrate"]
    again = cli("reports", "add", "A1", "--week", "3", "--on", "2023-07-24", "-m", "integrate")
    assert "unchanged" in again.stderr


def test_on_defaults_to_today_in_bangkok(cli, people, monkeypatch):
    import castctl.core.calendar as calendar

    monkeypatch.setattr(calendar, "today_in_bangkok", lambda: dt.date(2023, 10, 21))
    cli("reports", "add", "B2", "--week", "16")
    assert stored(cli, trainee="B2")[0]["submitted_on"] == "2023-10-21"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["ZZ9", "--week", "3", "--on", "2023-07-21"], "Error: no trainee with id 'ZZ9'"),
        (["W1", "--week", "3", "--on", "2023-07-21"], "Error: trainee W1 is withdrawn"),
        (["A1", "--week", "16", "--on", "2023-10-13"], "Error: --on 2023-10-13 is before week 16"),
        (["A1", "--week", "22", "--on", "2023-12-04"], "Error: --on 2023-12-04 is after the"),
        (["A1", "--week", "3", "--on", "31/06/2023"], "Error: --on '31/06/2023' is not a date"),
        (["A1", "--week", "3", "--on", "2023-07-21", "-m", "pray"], "Error: unknown mechanism"),
        (["A1", "--week", "3", "--on", "2023-07-21", "-n", "aliens"], "Error: unknown network"),
        (["A1", "--week", "3", "--on", "2023-07-21", "--sdg", "18"], "Error: --sdg '18'"),
    ],
)
def test_add_rejects_bad_input_with_one_clear_line(cli, people, args, error):
    r = cli("reports", "add", *args, code=1)
    assert r.stderr.startswith(error), r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert stored(cli) == []


def test_report_for_last_week_accepted_over_its_weekend(cli, people):
    # week 22 ends Friday 1 Dec; the contract's week runs to Sunday 3 Dec
    cli("reports", "add", "A1", "--week", "22", "--on", "2023-12-03")
    # a late report for an earlier week is fine too
    cli("reports", "add", "A1", "--week", "2", "--on", "2023-11-30")
    assert [r["week"] for r in stored(cli, trainee="A1")] == [2, 22]


# ---- reports import ---------------------------------------------------------------------

GOOD_ROWS = [
    ("A1", 1, "2023-07-07", "coordinate;monitor", "government", "1;11", "first week"),
    ("A1", 2, "2023-07-14", "บูรณาการแผน", "ผู้นำศาสนา; ประชาชน", "4", ""),
    ("A2", 1, "2023-07-08", "", "", "", ""),
    ("B2", 16, "2023-10-23T09:15:00", "communicate", "media", "17", "สื่อสารผ่านวิทยุชุมชน"),
    ("U1", 15, "2023-10-13", "knowledge", "academic", "", "not placed yet: still a report"),
]


def test_import_good_file_then_again_is_idempotent_then_update(cli, people, tmp_path):
    path = write_csv(tmp_path / "reports.csv", GOOD_ROWS)
    r = cli("reports", "import", path)
    assert r.stderr.strip() == "5 added, 0 updated, 0 unchanged"
    assert r.stdout == ""
    before = dump(people)
    r = cli("reports", "import", path)
    assert r.stderr.strip() == "0 added, 0 updated, 5 unchanged"
    assert dump(people) == before
    changed = [*GOOD_ROWS[:-1], ("U1", 15, "2023-10-13", "knowledge", "academic", "4", "edited")]
    r = cli("reports", "import", write_csv(tmp_path / "changed.csv", changed))
    assert r.stderr.strip() == "0 added, 1 updated, 4 unchanged"
    [u1] = stored(cli, trainee="U1")
    assert (u1["sdgs"], u1["note"]) == ([4], "edited")
    [b2] = stored(cli, trainee="B2")
    assert b2["submitted_on"] == "2023-10-23"
    a1 = stored(cli, trainee="A1")
    assert a1[1]["mechanisms"] == ["integrate"]
    assert a1[1]["networks"] == ["religious", "people"]


def test_import_accepts_bom_and_only_the_required_columns(cli, people, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefftrainee_id,Week,submitted_on\r\nA1,5,2023-08-04\r\n".encode())
    assert cli("reports", "import", path).stderr.strip() == "1 added, 0 updated, 0 unchanged"


def test_import_xlsx(cli, people, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note"])
    ws.append(["A1", 4, dt.datetime(2023, 7, 28), "ติดตามประเมินผล", "เอกชน", 8, "xlsx"])
    ws.append(["A3", 4.0, dt.date(2023, 7, 27), "coordinate", None, None, None])
    path = tmp_path / "reports.xlsx"
    wb.save(path)
    assert cli("reports", "import", path).stderr.strip() == "2 added, 0 updated, 0 unchanged"
    [a1] = stored(cli, trainee="A1")
    assert (a1["submitted_on"], a1["mechanisms"], a1["sdgs"]) == ("2023-07-28", ["monitor"], [8])


def test_dry_run_counts_and_writes_nothing(cli, people, tmp_path):
    path = write_csv(tmp_path / "reports.csv", GOOD_ROWS)
    before = dump(people)
    r = cli("reports", "import", path, "--dry-run")
    assert r.stderr.strip() == "5 added, 0 updated, 0 unchanged (dry run: nothing written)"
    assert dump(people) == before


def test_rejected_file_lists_every_bad_row_and_leaves_database_unchanged(cli, people, tmp_path):
    cli("reports", "add", "A1", "--week", "1", "--on", "2023-07-07")
    before = dump(people)
    rows = [
        ("A1", 2, "2023-07-14", "coordinate", "people", "1", "good row"),  # row 2
        ("NOPE", 2, "2023-07-14", "", "", "", ""),  # row 3
        ("W1", 2, "2023-07-14", "", "", "", ""),  # row 4
        ("A2", 23, "2023-07-14", "", "", "", ""),  # row 5
        ("A2", 3, "31/06/2023", "", "", "", ""),  # row 6: no 31 June
        ("A2", 4, "2023-07-21", "", "", "", ""),  # row 7: before week 4 starts (24 Jul)
        ("A2", 5, "2024-01-10", "", "", "", ""),  # row 8: after the programme
        ("A2", 6, "2023-08-11", "coordinate;dance", "", "", ""),  # row 9
        ("A2", 7, "2023-08-18", "", "government;aliens", "", ""),  # row 10
        ("A2", 8, "2023-08-25", "", "", "0;18;x", ""),  # row 11
        ("A1", 2, "2023-07-15", "", "", "", "second report, same week"),  # row 12
        ("", "", "", "", "", "", "note only"),  # row 13
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    r = cli("reports", "import", path, code=1)
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "Error: bad.csv: 13 problems found; nothing was written"
    problems = [line.strip() for line in lines[1:]]
    expected_starts = [
        "row 3, column trainee_id: no trainee with id 'NOPE'",
        "row 4, column trainee_id: trainee W1 is withdrawn",
        "row 5, column week: '23' is not a week number 1-22",
        "row 6, column submitted_on: '31/06/2023' is not a date",
        "row 7, column submitted_on: 2023-07-21 is before week 4 starts (Mon 2023-07-24)",
        "row 8, column submitted_on: 2024-01-10 is after the intake",
        "row 9, column mechanisms: unknown 'dance'",
        "row 10, column networks: unknown 'aliens'",
        "row 11, column sdgs: '0', '18', 'x': SDGs are numbers 1-17",
        "row 12, column week: a second report for A1, week 2 (first on row 2)",
        "row 13, column trainee_id: is empty",
        "row 13, column week: empty is not a week number 1-22",
        "row 13, column submitted_on: empty is not a date",
    ]
    for start in expected_starts:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == 13
    assert "Traceback" not in r.stderr
    assert dump(people) == before  # not even the good row 2


def test_unknown_or_missing_column_is_an_error(cli, people, tmp_path):
    before = dump(people)
    path = write_csv(tmp_path / "cols.csv", [("A1", 1, "2023-07-07", "x")],
                     header=("trainee_id", "week", "submitted", "colour"))  # fmt: skip
    r = cli("reports", "import", path, code=1)
    assert "row 1, column submitted: unknown column" in r.stderr
    assert "row 1, column colour: unknown column" in r.stderr
    assert "row 1, column submitted_on: required column is missing" in r.stderr
    assert dump(people) == before


def test_header_without_rows_is_an_error(cli, people, tmp_path):
    r = cli("reports", "import", write_csv(tmp_path / "empty.csv", []), code=1)
    assert r.stderr.strip() == (
        "Error: empty.csv has a header row but no data rows; nothing written"
    )


def test_missing_file_is_one_line(cli, people, tmp_path):
    r = cli("reports", "import", tmp_path / "nope.csv", code=1)
    assert r.stderr.startswith("Error: ") and "does not exist" in r.stderr


def test_list_filters_and_formats(cli, people, tmp_path):
    cli("reports", "import", write_csv(tmp_path / "r.csv", GOOD_ROWS))
    assert [r["trainee_id"] for r in stored(cli, week=1)] == ["A1", "A2"]
    csv_out = cli("reports", "list", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "trainee_id,week,submitted_on,mechanisms,networks,sdgs,note"
    assert len(csv_out) == 6
    table = cli("reports", "list").stdout
    assert "\x1b[" not in table and "สื่อสารผ่านวิทยุชุมชน" in table
