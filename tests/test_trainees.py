"""``castctl trainees``: import (validation, atomicity, idempotence, CSV/XLSX, Thai text),
listing, withdrawal, and exporting the placements, through the real CLI on a real database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from tests.cohort_files import (
    TRAINEE_COLUMNS,
    dump,
    make_cohort,
    roomy_targets,
    write_csv,
    write_targets,
    write_xlsx,
)

GOOD = [
    {"trainee_id": "G1", "full_name": "นายสมชาย ใจดี", "department": "DOPA",
     "home_province": "10", "pilot_preferences": "4001", "target_preferences": "1001;1002"},
    {"trainee_id": "G2", "full_name": "นางสาวสุภาพร ศรีสุข", "department": "CDD",
     "home_province": "40"},
    {"trainee_id": "G3", "full_name": "นางกาญจนา ทองคำ", "department": "DLA",
     "home_province": "50", "email": "g3@example.go.th"},
]  # fmt: skip


def trainees_json(cli) -> dict[str, dict]:
    return {t["trainee_id"]: t for t in cli("trainees", "-f", "json").json()}


@pytest.fixture
def seeded(cli, database, tmp_path):
    """A database that already holds three trainees, so a rejected file has something to spoil."""
    cli("trainees", "import", write_csv(tmp_path / "good.csv", GOOD))
    return database


# ---- rejected files -------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_spreadsheet_numbering_and_nothing_is_written(
    cli, seeded, tmp_path
):
    rows = [
        ["N1", "นายใหม่ ดีมาก", "DOPA", "10", "", "", ""],  # a good row: must not be written either
        ["B1", "", "XYZ", "Bangkok", "", "", ""],
        ["B2", "ok", "DOPA", "Bangkokk", "", "1001", ""],
        ["B3", "ok", "CDD", "10", "", "4001;5607;3209;9005", "1001;1002;1003;1004;1005;1006"],
        [],  # a blank line is skipped but still counts as a spreadsheet row
        ["B3", "ok", "DLA", "10", "not-an-email", "", "9999"],
        ["", "ok", "", "", "", "", ""],
        ["G1", "นายสมชาย ใจดี", "DOPA", "10", "", "4001;4001", "1001"],
    ]
    before = dump(seeded)
    r = cli("trainees", "import", write_csv(tmp_path / "bad.csv", rows), code=1)
    lines = r.stderr.splitlines()
    assert lines[0] == "Error: bad.csv: 13 problems found; nothing was written"
    assert [line.strip() for line in lines[1:]] == [
        "row 3, column full_name: missing",
        "row 3, column department: unknown department 'XYZ' "
        "(use OPS, DOPA, CDD, DLA, DOL, DPT, DDPM or Thai)",
        "row 4, column home_province: unknown province 'Bangkokk'; did you mean 'Bangkok'?",
        "row 4, column pilot_preferences: 1001 Phra Nakhon is not a pilot district of intake 2566",
        "row 5, column pilot_preferences: 4 preferences; at most 3 allowed",
        "row 5, column target_preferences: 6 preferences; at most 5 allowed",
        "row 7, column trainee_id: 'B3' already used on row 5",
        "row 7, column email: not an email address",
        "row 7, column target_preferences: unknown district '9999'",
        "row 8, column trainee_id: missing",
        "row 8, column department: missing",
        "row 8, column home_province: missing",
        "row 9, column pilot_preferences: 4001 is listed twice",
    ]
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    assert dump(seeded) == before


def test_rejected_file_problems_cover_every_kind(cli, seeded, tmp_path):
    """Each kind of mistake is reported once, on its own row and column."""
    rows = [
        {"trainee_id": "M1", "full_name": "", "department": "DOPA", "home_province": "10"},
        {"trainee_id": "M2", "full_name": "x", "department": "ABC", "home_province": "10"},
        {"trainee_id": "M3", "full_name": "x", "department": "DOPA", "home_province": "Chaing Mai"},
        {"trainee_id": "M4", "full_name": "x", "department": "DOPA", "home_province": "10",
         "pilot_preferences": "1001"},
        {"trainee_id": "M5", "full_name": "x", "department": "DOPA", "home_province": "10",
         "pilot_preferences": "4001;5607;3209;9005"},
        {"trainee_id": "M6", "full_name": "x", "department": "DOPA", "home_province": "10",
         "target_preferences": "1001;1002;1003;1004;1005;1006"},
        {"trainee_id": "M7", "full_name": "x", "department": "DOPA", "home_province": "10",
         "target_preferences": "1001;7777"},
        {"trainee_id": "M1", "full_name": "x", "department": "DOPA", "home_province": "10"},
    ]  # fmt: skip
    before = dump(seeded)
    r = cli("trainees", "import", write_csv(tmp_path / "kinds.csv", rows), code=1)
    problems = [line.strip() for line in r.stderr.splitlines()[1:]]
    assert problems == [
        "row 2, column full_name: missing",
        "row 3, column department: unknown department 'ABC' "
        "(use OPS, DOPA, CDD, DLA, DOL, DPT, DDPM or Thai)",
        problems[2],  # the suggestions, checked below
        "row 5, column pilot_preferences: 1001 Phra Nakhon is not a pilot district of intake 2566",
        "row 6, column pilot_preferences: 4 preferences; at most 3 allowed",
        "row 7, column target_preferences: 6 preferences; at most 5 allowed",
        "row 8, column target_preferences: unknown district '7777'",
        "row 9, column trainee_id: 'M1' already used on row 2",
    ]
    assert problems[2].startswith(
        "row 4, column home_province: unknown province 'Chaing Mai'; did you mean 'Chiang Mai'"
    )
    assert r.stderr.startswith("Error: kinds.csv: 8 problems found; nothing was written\n")
    assert dump(seeded) == before


def test_unknown_column_is_an_error(cli, seeded, tmp_path):
    before = dump(seeded)
    header = (*TRAINEE_COLUMNS, "nickname")
    path = write_csv(tmp_path / "extra.csv", [["X1", "x", "DOPA", "10", "", "", "", "Joe"]], header)
    r = cli("trainees", "import", path, code=1)
    assert r.stderr.splitlines()[0] == "Error: extra.csv: 1 problem found; nothing was written"
    assert r.stderr.splitlines()[1].strip().startswith("row 1, column nickname: unknown column")
    assert dump(seeded) == before


def test_missing_required_column_is_an_error(cli, seeded, tmp_path):
    before = dump(seeded)
    path = write_csv(tmp_path / "short.csv", [["X1", "x", "DOPA"]], TRAINEE_COLUMNS[:3])
    r = cli("trainees", "import", path, code=1)
    assert "row 1, column home_province: required column is missing" in r.stderr
    assert dump(seeded) == before


def test_header_only_file_is_an_error(cli, seeded, tmp_path):
    before = dump(seeded)
    r = cli("trainees", "import", write_csv(tmp_path / "empty.csv", []), code=1)
    assert r.stderr.startswith("Error: empty.csv has a header row but no data rows")
    assert dump(seeded) == before


def test_empty_and_missing_files_are_one_error_line(cli, seeded, tmp_path):
    before = dump(seeded)
    (tmp_path / "nothing.csv").write_bytes(b"")
    r = cli("trainees", "import", tmp_path / "nothing.csv", code=1)
    assert r.stderr == "Error: nothing.csv has no header row\n"
    r = cli("trainees", "import", tmp_path / "absent.csv", code=1)
    assert r.stderr.startswith("Error: ") and "does not exist" in r.stderr
    assert dump(seeded) == before


# ---- accepted spellings ---------------------------------------------------------------------


def test_departments_provinces_and_districts_by_any_accepted_name(cli, database, tmp_path):
    rows = [
        {"trainee_id": "A1", "full_name": "a", "department": "ปค.", "home_province": "10"},
        {"trainee_id": "A2", "full_name": "b", "department": "สถ.", "home_province": "เชียงใหม่"},
        {"trainee_id": "A3", "full_name": "c", "department": "cdd", "home_province": "khon kaen"},
        {"trainee_id": "A4", "full_name": "d", "department": "กรมที่ดิน",
         "home_province": "Songkhla", "pilot_preferences": "ศรีขรภูมิ;Mae Chai;4001",
         "target_preferences": "เขตพระนคร;Mueang Khon Kaen"},
    ]  # fmt: skip
    r = cli("trainees", "import", write_csv(tmp_path / "names.csv", rows))
    assert r.stderr.strip() == "4 added, 0 updated, 0 unchanged"
    got = trainees_json(cli)
    assert {k: (t["department"], t["home_province"]) for k, t in got.items()} == {
        "A1": ("DOPA", "10"),
        "A2": ("DLA", "50"),
        "A3": ("CDD", "40"),
        "A4": ("DOL", "90"),
    }
    assert got["A4"]["pilot_preferences"] == ["3209", "5607", "4001"]
    assert got["A4"]["target_preferences"] == ["1001", "4001"]
    # The same people written with codes are the same data: nothing changes.
    codes = [
        {**row, "department": got[row["trainee_id"]]["department"],
         "home_province": got[row["trainee_id"]]["home_province"],
         "pilot_preferences": ";".join(got[row["trainee_id"]]["pilot_preferences"]),
         "target_preferences": ";".join(got[row["trainee_id"]]["target_preferences"])}
        for row in rows
    ]  # fmt: skip
    before = dump(database)
    r = cli("trainees", "import", write_csv(tmp_path / "codes.csv", codes))
    assert r.stderr.strip() == "0 added, 0 updated, 4 unchanged"
    assert dump(database) == before


# ---- CSV with BOM, XLSX, Thai text ----------------------------------------------------------


def test_bom_csv_with_thai_text_round_trips(cli, tmp_path):
    cohort = make_cohort(6, seed=4)
    path = write_csv(tmp_path / "excel.csv", cohort, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbftrainee_id,")
    r = cli("trainees", "import", path)
    assert r.stderr.strip() == "6 added, 0 updated, 0 unchanged"
    got = trainees_json(cli)
    assert {k: t["full_name"] for k, t in got.items()} == {
        t["trainee_id"]: t["full_name"] for t in cohort
    }
    assert "นางสาวสุภาพร ศรีสุข" in cli("trainees", "-f", "csv").stdout


def test_xlsx_with_thai_names_and_numeric_cells(cli, tmp_path):
    rows = [
        [1001, "นายสมชาย ใจดี", "ปค.", 10, None, 4001, "1001;1002"],
        [1002, "นางสาวสุภาพร ศรีสุข", "สถ.", "ขอนแก่น", "s@example.go.th", "4001;5607", 4001],
        [1003, "นางกาญจนา ทองคำ", "CDD", "Chiang Mai", None, None, None],
    ]
    path = write_xlsx(tmp_path / "cohort.xlsx", TRAINEE_COLUMNS, rows)
    r = cli("trainees", "import", path)
    assert r.stderr.strip() == "3 added, 0 updated, 0 unchanged"
    got = trainees_json(cli)
    assert sorted(got) == ["1001", "1002", "1003"]  # numbers became text ids, not "1001.0"
    assert got["1001"]["full_name"] == "นายสมชาย ใจดี"
    assert (got["1001"]["department"], got["1001"]["home_province"]) == ("DOPA", "10")
    assert got["1001"]["pilot_preferences"] == ["4001"]
    assert got["1002"]["full_name"] == "นางสาวสุภาพร ศรีสุข"
    assert (got["1002"]["department"], got["1002"]["home_province"]) == ("DLA", "40")
    assert got["1002"]["target_preferences"] == ["4001"]
    assert got["1003"]["home_province"] == "50"
    # The same workbook again changes nothing.
    assert cli("trainees", "import", path).stderr.strip() == "0 added, 0 updated, 3 unchanged"


def test_xlsx_bad_rows_use_spreadsheet_numbering(cli, database, tmp_path):
    rows = [[1, "a", "DOPA", 10, None, None, None], [2, "b", "???", 10, None, None, None]]
    before = dump(database)
    r = cli("trainees", "import", write_xlsx(tmp_path / "bad.xlsx", TRAINEE_COLUMNS, rows), code=1)
    assert "row 3, column department: unknown department '???'" in r.stderr
    assert dump(database) == before


def test_assignments_export_to_xlsx_and_csv_keeps_thai_and_neutralises_formulas(cli, tmp_path):
    from openpyxl import load_workbook

    evil = "=cmd|' /C calc'!A0"
    rows = [*GOOD, {"trainee_id": "E1", "full_name": evil, "department": "OPS",
                    "home_province": "25"}]  # fmt: skip
    cli("trainees", "import", write_csv(tmp_path / "t.csv", rows))
    cli("targets", "import", write_targets(tmp_path / "g.csv", [("1001", 2), ("4001", 2)]))
    cli("assign", "-f", "json")

    out = tmp_path / "placements.xlsx"
    r = cli("assignments", "-f", "xlsx", "-o", out)
    assert r.stdout == ""
    wb = load_workbook(out, read_only=True)
    sheet = [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    header, body = sheet[0], sheet[1:]
    assert "trainee_id" in header and "full_name" in header
    by_id = {row[header.index("trainee_id")]: row for row in body}
    assert sorted(by_id) == ["E1", "G1", "G2", "G3"]
    assert by_id["G1"][header.index("full_name")] == "นายสมชาย ใจดี"
    assert by_id["E1"][header.index("full_name")] == evil  # a text cell, as typed
    placed = {a["trainee_id"]: a for a in cli("assignments", "-f", "json").json()}
    for tid, row in by_id.items():
        assert row[header.index("pilot_district_code")] == placed[tid]["pilot_district_code"]
        assert row[header.index("target_district_code")] == placed[tid]["target_district_code"]

    text = cli("assignments", "-f", "csv").stdout
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["trainee_id"] for r in records} == {"E1", "G1", "G2", "G3"}
    names = {r["trainee_id"]: r["full_name"] for r in records}
    assert names["E1"] == "'" + evil
    assert names["G1"] == "นายสมชาย ใจดี"
    assert not any(cell.startswith("=") for r in records for cell in r.values() if cell)
    trainee_csv = list(csv.DictReader(io.StringIO(cli("trainees", "-f", "csv").stdout)))
    assert {r["trainee_id"]: r["full_name"] for r in trainee_csv}["E1"] == "'" + evil


# ---- idempotence and dry run ----------------------------------------------------------------


def test_same_file_twice_changes_nothing_and_a_changed_row_is_an_update(cli, database, tmp_path):
    path = write_csv(tmp_path / "cohort.csv", GOOD)
    assert cli("trainees", "import", path).stderr.strip() == "3 added, 0 updated, 0 unchanged"
    before = dump(database)
    assert cli("trainees", "import", path).stderr.strip() == "0 added, 0 updated, 3 unchanged"
    assert dump(database) == before

    changed = [dict(GOOD[0]), *GOOD[1:]]
    changed[0]["target_preferences"] = "1002"
    path2 = write_csv(tmp_path / "changed.csv", changed)
    assert cli("trainees", "import", path2).stderr.strip() == "0 added, 1 updated, 2 unchanged"
    assert trainees_json(cli)["G1"]["target_preferences"] == ["1002"]
    after = dump(database)
    assert after != before
    assert cli("trainees", "import", path2).stderr.strip() == "0 added, 0 updated, 3 unchanged"
    assert dump(database) == after


def test_dry_run_prints_the_counts_and_writes_nothing(cli, seeded, tmp_path):
    rows = [dict(GOOD[0], full_name="นายสมชาย ใจดีมาก"), *GOOD[1:],
            {"trainee_id": "N1", "full_name": "ใหม่", "department": "DDPM",
             "home_province": "90"}]  # fmt: skip
    path = write_csv(tmp_path / "next.csv", rows)
    before = dump(seeded)
    r = cli("trainees", "import", path, "--dry-run")
    assert r.stderr.strip() == "1 added, 1 updated, 2 unchanged (dry run: nothing written)"
    assert dump(seeded) == before
    assert cli("trainees", "import", path).stderr.strip() == "1 added, 1 updated, 2 unchanged"
    assert dump(seeded) != before


def test_dry_run_of_a_bad_file_still_lists_the_problems(cli, seeded, tmp_path):
    before = dump(seeded)
    rows = [{"trainee_id": "Z", "full_name": "z", "department": "DOPA", "home_province": "99"}]
    r = cli("trainees", "import", write_csv(tmp_path / "bad.csv", rows), "--dry-run", code=1)
    assert "row 2, column home_province: unknown province '99'" in r.stderr
    assert dump(seeded) == before


# ---- listing and withdrawal -----------------------------------------------------------------


def test_withdraw_keeps_status_history_frees_places_and_leaves_assign(cli, database, tmp_path):
    cohort = make_cohort(12, seed=7)
    cli("trainees", "import", write_csv(tmp_path / "t.csv", cohort))
    cli("targets", "import", write_targets(tmp_path / "g.csv", roomy_targets(12)))
    first = {a["trainee_id"]: a for a in cli("assign", "-f", "json").json()["assignments"]}
    gone = "T005"
    pilot, target = first[gone]["pilot_district_code"], first[gone]["target_district_code"]

    r = cli("trainees", "withdraw", gone, "--on", "2023-07-20", "--reason", "ย้ายราชการ")
    assert r.stderr.strip() == f"{gone} withdrawn on 2023-07-20; freed pilot and target place"

    shown = cli("trainees", "show", gone, "-f", "json").json()
    assert shown["status"] == "withdrawn"
    assert shown["pilot_district_code"] is None and shown["target_district_code"] is None
    history = [(h["status"], h["effective_on"], h["reason"]) for h in shown["status_history"]]
    assert history[0][0] == "active"
    assert history[-1] == ("withdrawn", "2023-07-20", "ย้ายราชการ")
    freed = [
        (h["stage"], h["old_code"], h["new_code"])
        for h in shown["placement_history"]
        if h["reason"] == "freed by withdrawal"
    ]
    assert freed == [("pilot", pilot, None), ("target", target, None)]
    changes = cli("assignments", "history", "--trainee", gone, "-f", "json").json()
    assert [c["reason"] for c in changes] == [
        "first placement", "first placement", "freed by withdrawal", "freed by withdrawal",
    ]  # fmt: skip

    assert gone not in {a["trainee_id"] for a in cli("assignments", "-f", "json").json()}
    assert [t["trainee_id"] for t in cli("trainees", "--status", "withdrawn", "-f", "json").json()
            ] == [gone]  # fmt: skip
    assert len(cli("trainees", "--status", "active", "-f", "json").json()) == 11
    targets = {t["code"]: t["placed"] for t in cli("targets", "-f", "json").json()}
    assert sum(targets.values()) == 11
    mentors = {m["district_code"]: m["placed"] for m in cli("mentors", "-f", "json").json()}
    assert sum(mentors.values()) == 11

    doc = cli("assign", "--dry-run", "-f", "json").json()
    assert gone not in {a["trainee_id"] for a in doc["assignments"]}
    assert len(doc["assignments"]) == 11

    before = dump(database)
    r = cli("trainees", "withdraw", gone, "--on", "2023-07-21", "--reason", "again", code=1)
    assert r.stderr == f"Error: trainee {gone} is already withdrawn\n"
    r = cli("trainees", "withdraw", "NOPE", "--on", "2023-07-21", "--reason", "x", code=1)
    assert r.stderr == "Error: no trainee with id 'NOPE' in intake 2566\n"
    cli("trainees", "withdraw", "T001", "--on", "2023-13-01", "--reason", "x", code=1)
    assert dump(database) == before


def test_history_timestamps_are_utc_seconds_on_every_backend(cli, tmp_path):
    """Stored as UTC text and shown as such, whatever the backend and the server's time zone
    (the test PostgreSQL server runs in Asia/Bangkok): never ``+00:00`` or ``+07:00``."""
    cli("trainees", "import", write_csv(tmp_path / "t.csv", GOOD))
    cli("targets", "import", write_targets(tmp_path / "g.csv", [("1001", 2), ("4001", 2)]))
    cli("assign")
    cli("trainees", "withdraw", "G2", "--on", "2023-07-20", "--reason", "moved")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    shown = cli("trainees", "show", "G2", "-f", "json").json()
    history = cli("assignments", "history", "-f", "json").json()
    stamps = [h["changed_at"] for h in shown["status_history"] + shown["placement_history"]]
    stamps += [h["changed_at"] for h in history]
    assert len(stamps) == 2 + 4 + 8  # G2: 2 statuses, 4 moves; all: 3 x 2 placed + 2 freed
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stamp), stamp
        assert abs(dt.datetime.fromisoformat(stamp) - now) < dt.timedelta(minutes=5), stamp
    assert [h["effective_on"] for h in shown["status_history"]][-1] == "2023-07-20"
    rows = list(csv.DictReader(io.StringIO(cli("assignments", "history", "-f", "csv").stdout)))
    assert [r["changed_at"] for r in rows] == [h["changed_at"] for h in history]
    table = cli("trainees", "show", "G2").stdout
    assert shown["status_history"][-1]["changed_at"] in table and "+0" not in table


def test_reimporting_a_withdrawn_trainee_does_not_bring_them_back(cli, tmp_path):
    path = write_csv(tmp_path / "t.csv", GOOD)
    cli("trainees", "import", path)
    cli("trainees", "withdraw", "G2", "--on", "2023-07-03", "--reason", "ill")
    assert cli("trainees", "import", path).stderr.strip() == "0 added, 0 updated, 3 unchanged"
    assert trainees_json(cli)["G2"]["status"] == "withdrawn"


def test_list_filters(cli, tmp_path):
    cli("trainees", "import", write_csv(tmp_path / "t.csv", GOOD))
    ids = lambda *a: [t["trainee_id"] for t in cli("trainees", *a, "-f", "json").json()]  # noqa: E731
    assert ids() == ["G1", "G2", "G3"]
    assert ids("--department", "พช.") == ["G2"]
    assert ids("--province", "Chiang Mai") == ["G3"]
    assert ids("--status", "active") == ["G1", "G2", "G3"]
    r = cli("trainees", "--status", "gone", code=1)
    assert r.stderr.startswith("Error: --status 'gone'")


def test_export_to_a_missing_folder_is_one_error_line(cli, tmp_path):
    cli("trainees", "import", write_csv(tmp_path / "t.csv", GOOD))
    cli("targets", "import", write_targets(tmp_path / "g.csv", [("1001", 5)]))
    cli("assign")
    for fmt in ("xlsx", "csv"):
        r = cli("assignments", "-f", fmt, "-o", tmp_path / "missing" / f"out.{fmt}", code=1)
        assert r.stderr == (
            f"Error: --output {tmp_path / 'missing' / f'out.{fmt}'}: folder "
            f"{tmp_path / 'missing'} does not exist\n"
        )
    r = cli("assignments", "-f", "xlsx", code=1)
    assert r.stderr.startswith("Error: -f xlsx writes a workbook: give --output")
