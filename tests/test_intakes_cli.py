"""``castctl intakes`` and ``castctl intakes import`` through the real command line, and how a
command chooses its intake (``--intake``, ``CASTCTL_INTAKE``, the as-of date rule): issue 11.

Expected values are written out from the contract and the example file (dates, district codes,
statuses), never taken from castctl's own code. Every refused file is checked for what the
contract promises: exit 1, one ``Error: …`` line (with indented problem lines under it), and
nothing written, compared as ``intakes -f json`` and as every table's rows before and after.

Placements and reports are put into an intake as plain rows (``database.execute``): the
placement and report commands are made intake-aware on other branches.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from castctl.db.store import now_text

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "intake.example.yaml"

# The example file, as the contract and the file's own comments describe it.
EXAMPLE_NAME = "2567"
EXAMPLE_TITLE = "MOI SMART Agent for CAST, intake 2"
EXAMPLE_PILOTS = ["3209", "4001", "5007", "5015"]  # ศีขรภูมิ, เมืองขอนแก่น, แม่ริม, หางดง
BUILTIN_PILOTS = ["1806", "2506", "3209", "4001", "4105", "5607", "6309", "6501", "9005", "9501"]
JSON_KEYS = [
    "name", "title", "start", "end", "weeks", "pilot_weeks", "pilot_districts", "trainees",
    "status",
]  # fmt: skip
ANSI = re.compile(r"\x1b\[")

Cli = Callable[..., Any]


# ---- helpers ---------------------------------------------------------------------------------


def example_text(*replacements: tuple[str, str]) -> str:
    """The example file's text with each (old, new) replaced once; each must be there."""
    text = EXAMPLE.read_text("utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} is not in the example file exactly once"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str, name: str = "intake.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def example_with(tmp_path: Path, *replacements: tuple[str, str], name: str = "x.yaml") -> Path:
    return write(tmp_path, example_text(*replacements), name)


def intakes_json(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    out = cli("intakes", "-f", "json", *extra)
    assert out.stderr == ""
    return out.json()  # type: ignore[no-any-return]


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows}


def import_line(cli: Cli, path: Path, *extra: str) -> str:
    """Import ``path``; the one stderr line it prints (stdout stays empty)."""
    out = cli("intakes", "import", path, *extra)
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def assert_refused(cli: Cli, database: Any, args: list[Any], *expected: str) -> list[str]:
    """``castctl *args`` exits 1 with one ``Error:`` line, problem lines indented under it,
    each ``expected`` text somewhere in that, and writes nothing. Returns the stderr lines."""
    json_before = intakes_json(cli)
    rows_before = database.dump()
    out = cli(*args, code=None)
    assert out.exit_code == 1, f"exit {out.exit_code}\n{out.stderr}\n{out.stdout[:300]}"
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
    lines = out.stderr.rstrip("\n").splitlines()
    assert lines and lines[0].startswith("Error: "), out.stderr
    assert all(line.startswith("  ") and line.strip() for line in lines[1:]), out.stderr
    for text in expected:
        assert text in out.stderr, f"{text!r} not in:\n{out.stderr}"
    assert intakes_json(cli) == json_before
    assert database.dump() == rows_before
    return lines


def add_trainee(
    database: Any,
    trainee_id: str,
    *,
    intake: str = EXAMPLE_NAME,
    pilot: str | None = None,
    target: str | None = None,
    status: str = "active",
) -> None:
    """A trainee of ``intake`` as a plain row, placed at ``pilot``/``target`` if given."""
    now = now_text()
    database.execute(
        "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, email, "
        "pilot_preferences, target_preferences, status, created_at, updated_at) VALUES "
        "(:intake, :tid, 'Test Trainee', 'OPS', '40', NULL, '', '', :status, :now, :now)",
        {"intake": intake, "tid": trainee_id, "status": status, "now": now},
    )
    if pilot is not None or target is not None:
        database.execute(
            "INSERT INTO assignment (intake, trainee_id, pilot_district_code, "
            "target_district_code, pilot_cost, target_cost, updated_at) VALUES "
            "(:intake, :tid, :pilot, :target, NULL, NULL, :now)",
            {"intake": intake, "tid": trainee_id, "pilot": pilot, "target": target, "now": now},
        )


def add_report(database: Any, trainee_id: str, week: int, *, intake: str = EXAMPLE_NAME) -> None:
    database.execute(
        "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, sdgs, "
        "note, updated_at) VALUES (:intake, :tid, :week, :on, 'coordinate', 'people', '1', '', "
        ":now)",
        {"intake": intake, "tid": trainee_id, "week": week, "on": "2024-07-05", "now": now_text()},
    )


@pytest.fixture
def imported(cli: Cli, tmp_path: Path) -> Path:
    """The example intake (2567) imported; the path of its file."""
    path = write(tmp_path, EXAMPLE.read_text("utf-8"), "intake.example.yaml")
    assert import_line(cli, path) == "intake 2567: 1 added, 0 updated, 0 unchanged"
    return path


# ---- castctl intakes ---------------------------------------------------------------------------


def test_a_new_database_lists_the_builtin_intake_2566(cli: Cli):
    assert intakes_json(cli, "--as-of", "2023-08-01") == [
        {
            "name": "2566",
            "title": "MOI SMART Agent for CAST",
            "start": "2023-07-03",
            "end": "2023-12-01",
            "weeks": 22,
            "pilot_weeks": 2,
            "pilot_districts": BUILTIN_PILOTS,
            "trainees": 0,
            "status": "running",
        }
    ]


def test_intakes_json_has_the_contracts_shape_and_counts_trainees_per_intake(
    cli: Cli, database: Any, imported: Path
):
    add_trainee(database, "T-1")
    add_trainee(database, "T-2", status="withdrawn")  # a trainee of any status is enrolled
    add_trainee(database, "T-1", intake="2566")  # the same id in another intake
    rows = intakes_json(cli, "--as-of", "2024-08-01")
    assert [list(row) for row in rows] == [JSON_KEYS, JSON_KEYS]
    assert rows[1] == {
        "name": "2567",
        "title": EXAMPLE_TITLE,
        "start": "2024-07-01",
        "end": "2024-11-29",
        "weeks": 22,
        "pilot_weeks": 2,
        "pilot_districts": EXAMPLE_PILOTS,
        "trainees": 2,
        "status": "running",
    }
    assert [rows[0]["name"], rows[0]["trainees"], rows[0]["status"]] == ["2566", 1, "ended"]


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2024-06-30", "upcoming"),  # the Sunday before the start Monday
        ("2024-07-01", "running"),  # the start Monday
        ("2024-11-29", "running"),  # the last Friday
        ("2024-12-01", "running"),  # the Sunday after it: reports for week 22 still come in
        ("2024-12-02", "ended"),
    ],
)
def test_status_follows_the_as_of_date(cli: Cli, imported: Path, as_of: str, status: str):
    rows = by_name(intakes_json(cli, "--as-of", as_of))
    assert rows["2567"]["status"] == status
    assert rows["2566"]["status"] == "ended"


def test_status_of_the_builtin_intake_before_during_and_after(cli: Cli):
    statuses = [
        intakes_json(cli, "--as-of", day)[0]["status"]
        for day in ("2023-07-02", "2023-07-03", "2023-12-03", "2023-12-04")
    ]
    assert statuses == ["upcoming", "running", "running", "ended"]


def test_intakes_table_is_plain_text_with_every_intake(cli: Cli, imported: Path):
    out = cli("intakes", "--as-of", "2024-08-01")
    assert not ANSI.search(out.stdout)
    header = next(line for line in out.stdout.splitlines() if "Intake" in line)
    for title in ("Intake", "Start", "End", "Weeks", "Pilot weeks", "Trainees", "Status"):
        assert title in header
    line_2567 = next(line for line in out.stdout.splitlines() if " 2567 " in f" {line} ")
    for text in (EXAMPLE_TITLE, "2024-07-01", "2024-11-29", "running", *EXAMPLE_PILOTS):
        assert text in line_2567
    assert "ended" in next(line for line in out.stdout.splitlines() if "2566" in line)
    # `-f table` is the same as no --format
    assert cli("intakes", "--as-of", "2024-08-01", "-f", "table").stdout == out.stdout


def test_intakes_csv_has_the_json_keys_and_values(cli: Cli, imported: Path):
    out = cli("intakes", "-f", "csv", "--as-of", "2024-12-02")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == JSON_KEYS
    assert [r["name"] for r in rows] == ["2566", "2567"]
    row = rows[1]
    assert row["title"] == EXAMPLE_TITLE  # the comma inside is quoted, not a new column
    assert (row["start"], row["end"], row["weeks"], row["pilot_weeks"]) == (
        "2024-07-01", "2024-11-29", "22", "2",
    )  # fmt: skip
    assert re.split(r"[;\s]+", row["pilot_districts"]) == EXAMPLE_PILOTS
    assert (row["trainees"], row["status"]) == ("0", "ended")


def test_intakes_markdown_is_a_table_with_a_row_per_intake(cli: Cli, imported: Path):
    out = cli("intakes", "-f", "markdown", "--as-of", "2024-06-01")
    lines = [line for line in out.stdout.splitlines() if line.startswith("|")]
    assert lines[0].startswith("| Intake |")
    assert set(lines[1]) <= set("|:- ")
    assert len(lines) == 4
    assert lines[3].startswith("| 2567 |") and "upcoming" in lines[3]
    assert not ANSI.search(out.stdout)


# ---- importing an intake ------------------------------------------------------------------


def test_importing_the_example_creates_the_intake_its_mentors_and_its_calendar(
    cli: Cli, database: Any, imported: Path
):
    assert by_name(intakes_json(cli))["2567"]["pilot_districts"] == EXAMPLE_PILOTS
    mentors = {
        code: (name, email, capacity)
        for code, name, email, capacity in database.query(
            "SELECT district_code, name, email, capacity FROM mentor WHERE intake = '2567'"
        )
    }
    assert mentors == {
        "4001": ("นายสมชาย ใจดี", "chief.4001@example.go.th", 30),
        "5007": (None, "chief.maerim@example.go.th", None),
        "3209": (None, None, None),
        "5015": (None, None, None),
    }
    weeks = database.query(
        "SELECT number, phase, start, \"end\" FROM week WHERE intake = '2567' ORDER BY number"
    )
    assert [(n, phase) for n, phase, *_ in weeks] == [(1, "pilot"), (2, "pilot")] + [
        (n, "target") for n in range(3, 23)
    ]
    assert [str(weeks[0][2]), str(weeks[0][3])] == ["2024-07-01", "2024-07-05"]
    assert [str(weeks[-1][2]), str(weeks[-1][3])] == ["2024-11-25", "2024-11-29"]
    closure = database.query("SELECT week FROM holiday WHERE intake = '2567' AND date = :d", {
        "d": "2024-11-15"
    })  # fmt: skip
    assert closure == [(20,)]  # Friday 15 November 2024 is in week 20 (11-15 November)
    # The built-in intake is untouched.
    assert database.count("mentor") == len(BUILTIN_PILOTS) + len(EXAMPLE_PILOTS)


def test_the_same_file_twice_changes_nothing(cli: Cli, database: Any, imported: Path):
    before = database.dump()
    assert import_line(cli, imported) == "intake 2567: 0 added, 0 updated, 1 unchanged"
    assert database.dump() == before


def test_the_same_intake_written_differently_is_unchanged(cli: Cli, database: Any, imported: Path):
    """Pilot districts in another order and by another spelling are the same intake."""
    moved = example_with(
        imported.parent,
        ('  - district: "4001"                   # เมืองขอนแก่น, by code',
         '  - district: "Mueang Khon Kaen"'),
        ("  - district: Hang Dong                # by English name", '  - district: "5015"'),
    )  # fmt: skip
    before = database.dump()
    assert import_line(cli, moved) == "intake 2567: 0 added, 0 updated, 1 unchanged"
    assert database.dump() == before


def test_dry_run_writes_nothing(cli: Cli, database: Any, tmp_path: Path):
    path = write(tmp_path, EXAMPLE.read_text("utf-8"))
    json_before, rows_before = intakes_json(cli), database.dump()
    line = import_line(cli, path, "--dry-run")
    assert line.startswith("intake 2567: 1 added, 0 updated, 0 unchanged")
    assert "dry run" in line
    assert intakes_json(cli) == json_before
    assert database.dump() == rows_before


def test_dry_run_of_an_update_writes_nothing(cli: Cli, database: Any, imported: Path):
    changed = example_with(imported.parent, (EXAMPLE_TITLE, "Intake 2 (renamed)"))
    rows_before = database.dump()
    line = import_line(cli, changed, "--dry-run")
    assert line.startswith("intake 2567: 0 added, 1 updated, 0 unchanged")
    assert database.dump() == rows_before


def test_changing_the_title_is_an_update(cli: Cli, imported: Path):
    changed = example_with(imported.parent, (EXAMPLE_TITLE, "รุ่นที่ 2 (MOI SMART Agent)"))
    assert import_line(cli, changed) == "intake 2567: 0 added, 1 updated, 0 unchanged"
    assert by_name(intakes_json(cli))["2567"]["title"] == "รุ่นที่ 2 (MOI SMART Agent)"
    assert import_line(cli, changed) == "intake 2567: 0 added, 0 updated, 1 unchanged"


ADD_PILOT = (
    "  - district: Hang Dong                # by English name",
    "  - district: Hang Dong                # by English name\n  - district: เมืองเชียงใหม่",
)
ADD_CLOSURE = (
    '    name: "ปิดสำนักงาน"',
    '    name: "ปิดสำนักงาน"\n  - date: 2024-09-20\n    name: "อบรมเจ้าหน้าที่"',
)


@pytest.mark.parametrize("started", [False, True], ids=["before-placements", "after-placements"])
def test_adding_a_pilot_district_and_a_closure_is_an_update(
    cli: Cli, database: Any, imported: Path, started: bool
):
    """Allowed at any time, also once trainees are placed and reporting."""
    if started:
        add_trainee(database, "T-1", pilot="4001")
        add_report(database, "T-1", 1)
    changed = example_with(imported.parent, ADD_PILOT, ADD_CLOSURE)
    assert import_line(cli, changed) == "intake 2567: 0 added, 1 updated, 0 unchanged"
    assert by_name(intakes_json(cli))["2567"]["pilot_districts"] == sorted(
        [*EXAMPLE_PILOTS, "5001"]
    )
    # Friday 20 September 2024 (week 12: 16-20 September, no public holiday) is now a day off.
    assert database.query(
        "SELECT name_th FROM holiday WHERE intake = '2567' AND date = :d", {"d": "2024-09-20"}
    ) == [("อบรมเจ้าหน้าที่",)]
    assert database.query(
        "SELECT working_days FROM week WHERE intake = '2567' AND number = 12"
    ) == [(4,)]
    if started:  # the report still points at its week
        assert database.query("SELECT week FROM report WHERE intake = '2567'") == [(1,)]
    assert import_line(cli, changed) == "intake 2567: 0 added, 0 updated, 1 unchanged"


def test_the_length_may_change_before_any_placement_or_report(
    cli: Cli, database: Any, imported: Path
):
    add_trainee(database, "T-1")  # enrolled but not placed: the intake has not started
    changed = example_with(
        imported.parent,
        ("start: 2024-07-01 ", "start: 2024-07-08 "),
        ("weeks: 22 ", "weeks: 24 "),
        ("pilot_weeks: 2 ", "pilot_weeks: 3 "),
    )
    assert import_line(cli, changed) == "intake 2567: 0 added, 1 updated, 0 unchanged"
    row = by_name(intakes_json(cli))["2567"]
    assert (row["start"], row["end"], row["weeks"], row["pilot_weeks"]) == (
        "2024-07-08", "2024-12-20", 24, 3,
    )  # fmt: skip
    phases = database.query("SELECT number, phase FROM week WHERE intake = '2567' ORDER BY number")
    assert phases == [(n, "pilot" if n <= 3 else "target") for n in range(1, 25)]


def test_dropping_a_pilot_district_nobody_is_placed_at_is_fine(
    cli: Cli, database: Any, imported: Path
):
    add_trainee(database, "T-1", pilot="4001")
    add_trainee(database, "T-2", pilot="5015", status="withdrawn")  # withdrawn: not placed
    dropped = example_with(
        imported.parent, ("  - district: Hang Dong                # by English name\n", "")
    )
    assert import_line(cli, dropped) == "intake 2567: 0 added, 1 updated, 0 unchanged"
    assert by_name(intakes_json(cli))["2567"]["pilot_districts"] == ["3209", "4001", "5007"]


def test_another_intake_with_its_own_name_is_added_beside(cli: Cli, imported: Path):
    other = example_with(imported.parent, ('name: "2567"', 'name: "2568"'))
    assert import_line(cli, other) == "intake 2568: 1 added, 0 updated, 0 unchanged"
    assert [row["name"] for row in intakes_json(cli)] == ["2566", "2567", "2568"]


# ---- bad files: exit 1, one Error line, nothing written -------------------------------------


BAD_FILES = {
    "start-not-a-monday": (
        [("start: 2024-07-01 ", "start: 2024-07-02 ")],
        ["start: 2024-07-02 is a Tuesday", "Monday", "2024-07-01"],
    ),
    "weeks-too-few": ([("weeks: 22 ", "weeks: 2 ")], ["weeks: 2 is not from 3 to 52"]),
    "weeks-too-many": ([("weeks: 22 ", "weeks: 53 ")], ["weeks: 53 is not from 3 to 52"]),
    "weeks-not-a-number": ([("weeks: 22 ", "weeks: many ")], ["weeks: expected a whole number"]),
    "pilot-weeks-zero": ([("pilot_weeks: 2 ", "pilot_weeks: 0 ")], ["pilot_weeks: 0 is not"]),
    "pilot-weeks-all": (
        [("pilot_weeks: 2 ", "pilot_weeks: 22 ")],
        ["pilot_weeks: 22 is not from 1 to 21"],
    ),
    "unknown-district": (
        [("district: Hang Dong ", "district: Hang Dongg ")],
        ["pilot_districts[4]: unknown district 'Hang Dongg'", "did you mean 'Hang Dong'"],
    ),
    "repeated-district": (
        [("district: Hang Dong ", 'district: "4001"  ')],
        ["pilot_districts[4]", "4001", "already given as pilot_districts[1]"],
    ),
    "repeated-district-by-code-and-name": (
        [("district: Hang Dong ", "district: Mueang Khon Kaen ")],
        ["pilot_districts[4]", "'Mueang Khon Kaen' is district 4001", "pilot_districts[1]"],
    ),
    "repeated-district-by-thai-name": (
        [("district: Hang Dong ", "district: เมืองขอนแก่น ")],
        ["pilot_districts[4]", "4001", "already given as pilot_districts[1]"],
    ),
    "unknown-top-key": ([("title:", "titel:")], ["titel: unknown key; did you mean 'title'?"]),
    "unknown-pilot-key": (
        [("    capacity: 30 ", "    capacty: 30 ")],
        ["pilot_districts[1].capacty: unknown key; did you mean 'capacity'?"],
    ),
    "missing-name": ([('name: "2567" ', "")], ["name: required"]),
    "empty-name": ([('name: "2567" ', 'name: "" ')], ["name: required"]),
    "bad-name": ([('name: "2567" ', 'name: "25 67" ')], ["name: '25 67' may hold only"]),
    "closure-not-a-date": (
        [("date: 2024-11-15", "date: next friday")],
        ["closures[1].date", "not a date", "YYYY-MM-DD"],
    ),
    "closure-impossible-date": (
        [("date: 2024-11-15", "date: 2024-11-31")],
        ["closures[1].date", "2024-11-31"],
    ),
    "closure-on-a-saturday": (
        [("date: 2024-11-15", "date: 2024-11-16")],
        ["closures[1].date: 2024-11-16 is a Saturday"],
    ),
    "closure-outside-the-intake": (
        [("date: 2024-11-15", "date: 2025-01-06")],
        ["closures[1].date: 2025-01-06 is outside the intake"],
    ),
    "mentor-email-two-ats": (
        [("mentor_email: chief.maerim@example.go.th", "mentor_email: chief@maerim@example.go.th")],
        ["pilot_districts[2].mentor_email: not a valid email address"],
    ),
    "mentor-email-two-in-one": (
        [("mentor_email: chief.maerim@", "mentor_email: a@example.go.th,chief.maerim@")],
        ["pilot_districts[2].mentor_email: holds more than one address"],
    ),
    "mentor-email-in-a-list": (
        [("mentor_email: chief.maerim@example.go.th", "mentor_email: [a@x.go.th, 'b c@x.go.th']")],
        ["pilot_districts[2].mentor_email[2]: not a valid email address"],
    ),
    "no-pilot-districts": (
        [("pilot_districts:\n", "pilot_districts: []\nunused:\n")],
        ["pilot_districts: needs at least one district", "unused: unknown key"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_file_is_refused_naming_its_key(cli: Cli, database: Any, tmp_path: Path, case: str):
    replacements, expected = BAD_FILES[case]
    path = example_with(tmp_path, *replacements)
    lines = assert_refused(cli, database, ["intakes", "import", path], *expected)
    assert re.fullmatch(r"Error: the intake file has \d+ problems?", lines[0])


@pytest.mark.parametrize("case", ["weeks-too-many", "unknown-district", "closure-not-a-date"])
def test_a_bad_file_is_refused_in_a_dry_run_too(cli: Cli, database: Any, tmp_path: Path, case: str):
    replacements, expected = BAD_FILES[case]
    path = example_with(tmp_path, *replacements)
    assert_refused(cli, database, ["intakes", "import", path, "--dry-run"], *expected)


def test_a_bad_update_of_a_known_intake_writes_nothing(cli: Cli, database: Any, imported: Path):
    bad = example_with(imported.parent, (EXAMPLE_TITLE, "new title"), ("weeks: 22 ", "weeks: 60 "))
    assert_refused(cli, database, ["intakes", "import", bad], "weeks: 60 is not from 3 to 52")
    assert by_name(intakes_json(cli))["2567"]["title"] == EXAMPLE_TITLE


def test_every_problem_of_a_file_is_listed_at_once(cli: Cli, database: Any, tmp_path: Path):
    path = example_with(
        tmp_path,
        ("start: 2024-07-01 ", "start: 2024-07-03 "),
        ("title:", "titel:"),
        ("district: Hang Dong ", "district: Hang Dongg "),
    )
    lines = assert_refused(cli, database, ["intakes", "import", path], "start:", "titel:", "[4]")
    assert lines[0] == "Error: the intake file has 3 problems"
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # an unclosed quote is noticed at the end of the file: the message says where it began
        ('name: "2567\nstart: 2024-07-01\n', "starts at line 1)"),
        ("name: x\nstart: 2024-07-01\n  weeks: 22\n", "line 3,"),  # indented by mistake
        ("name: x\nstart: 2024-07-01\n\tweeks: 22\n", "line 3,"),  # a tab
        ("name: x\nweeks: [22\npilot_weeks: 2\n", "starts at line 2)"),  # an unclosed list
        ("name: x\nweeks: 22\nweeks: 23\n", "line 3,"),  # a key given twice
    ],
    ids=["unclosed-quote", "indentation", "tab", "unclosed-list", "key-twice"],
)
def test_malformed_yaml_says_the_line(
    cli: Cli, database: Any, tmp_path: Path, text: str, where: str
):
    path = write(tmp_path, text, "broken.yaml")
    lines = assert_refused(cli, database, ["intakes", "import", path], "broken.yaml", where)
    assert len(lines) == 1
    assert lines[0].startswith("Error: broken.yaml is not valid YAML: line ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("- name: x\n", "must hold a mapping"),
        (None, "no such file"),
    ],
    ids=["empty", "a-list", "missing"],
)
def test_a_file_that_is_no_intake_is_refused(
    cli: Cli, database: Any, tmp_path: Path, content: str | None, expected: str
):
    path = tmp_path / "intake.yaml"
    if content is not None:
        path.write_text(content, "utf-8")
    lines = assert_refused(cli, database, ["intakes", "import", path], expected)
    assert len(lines) == 1


# ---- updates blocked once an intake has placements or reports ------------------------------

LENGTH_CHANGES = {
    "start": (("start: 2024-07-01 ", "start: 2024-07-08 "), "start: cannot change from 2024-07-01"),
    "weeks": (("weeks: 22 ", "weeks: 20 "), "weeks: cannot change from 22 to 20"),
    "pilot_weeks": (("pilot_weeks: 2 ", "pilot_weeks: 3 "), "pilot_weeks: cannot change from 2"),
}


@pytest.mark.parametrize("use", ["placement", "report"])
@pytest.mark.parametrize("key", list(LENGTH_CHANGES))
def test_the_length_is_fixed_once_there_are_placements_or_reports(
    cli: Cli, database: Any, imported: Path, key: str, use: str
):
    if use == "placement":
        add_trainee(database, "T-1", pilot="4001")
    else:
        add_trainee(database, "T-1")
        add_report(database, "T-1", 1)
    replacement, expected = LENGTH_CHANGES[key]
    changed = example_with(imported.parent, replacement, (EXAMPLE_TITLE, "new title"))
    lines = assert_refused(
        cli, database, ["intakes", "import", changed], expected, "placements or reports"
    )
    held = "1 placement and 0 reports" if use == "placement" else "0 placements and 1 report"
    assert lines[0] == (
        f"Error: intake 2567 cannot change that way: it already has {held}; nothing was written"
    )
    assert len(lines) == 2
    assert by_name(intakes_json(cli))["2567"]["title"] == EXAMPLE_TITLE  # not half-applied


def test_placements_in_another_intake_do_not_fix_this_ones_length(
    cli: Cli, database: Any, imported: Path
):
    add_trainee(database, "T-1", intake="2566", pilot="4001")
    changed = example_with(imported.parent, ("weeks: 22 ", "weeks: 20 "))
    assert import_line(cli, changed) == "intake 2567: 0 added, 1 updated, 0 unchanged"


def test_a_pilot_district_with_placed_trainees_cannot_be_dropped(
    cli: Cli, database: Any, imported: Path
):
    add_trainee(database, "T-1", pilot="5015")
    dropped = example_with(
        imported.parent, ("  - district: Hang Dong                # by English name\n", "")
    )
    lines = assert_refused(
        cli, database, ["intakes", "import", dropped], "5015", "cannot be dropped", "placed"
    )
    assert len(lines) == 2
    assert by_name(intakes_json(cli))["2567"]["pilot_districts"] == EXAMPLE_PILOTS


# ---- choosing the intake: --intake, CASTCTL_INTAKE, the as-of date ------------------------
# `timeline` is a command that works on one intake; its JSON carries "intake": NAME.


def timeline(cli: Cli, *global_args: str, as_of: str | None = None) -> Any:
    """``castctl *global_args timeline [--as-of D] -f json`` as parsed JSON (a short message if
    it fails: until ``timeline`` is intake-aware the document would fill the screen)."""
    dated = ("--as-of", as_of) if as_of else ()
    out = cli(*global_args, "timeline", *dated, "-f", "json", code=None)
    assert out.exit_code == 0, f"exit {out.exit_code}: {out.stderr}"
    doc = out.json()
    assert "intake" in doc, f"timeline -f json has no 'intake' key: {sorted(doc)}"
    return doc


def test_intake_option_chooses_the_intake(cli: Cli, imported: Path):
    doc = timeline(cli, "--intake", "2567")
    assert (doc["intake"], doc["start"], doc["end"]) == ("2567", "2024-07-01", "2024-11-29")
    assert timeline(cli, "--intake", "2566")["intake"] == "2566"


def test_the_environment_chooses_the_intake_and_the_option_wins(
    cli: Cli, imported: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CASTCTL_INTAKE", "2567")
    assert timeline(cli)["intake"] == "2567"
    assert timeline(cli, "--intake", "2566")["intake"] == "2566"


def test_an_unknown_intake_name_is_an_error_with_did_you_mean(
    cli: Cli, database: Any, imported: Path
):
    lines = assert_refused(cli, database, ["--intake", "2576", "timeline", "-f", "json"], "2576")
    assert len(lines) == 1
    assert "did you mean" in lines[0] and "'2567'" in lines[0]


def test_an_unknown_intake_in_the_environment_is_an_error_naming_it(
    cli: Cli, database: Any, imported: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CASTCTL_INTAKE", "2657")
    lines = assert_refused(cli, database, ["timeline", "-f", "json"], "2657", "CASTCTL_INTAKE")
    assert len(lines) == 1
    assert "did you mean" in lines[0]


@pytest.mark.parametrize(
    ("as_of", "chosen"),
    [
        ("2024-08-01", "2567"),  # 2567 is running
        ("2024-06-30", "2566"),  # nothing running: the one that ended most recently
        ("2024-12-01", "2567"),  # the Sunday after 2567's last Friday: still running
        ("2025-03-03", "2567"),  # both ended: 2567 ended last
    ],
)
def test_without_a_name_the_as_of_date_chooses(cli: Cli, imported: Path, as_of: str, chosen: str):
    assert timeline(cli, as_of=as_of)["intake"] == chosen


def test_two_intakes_running_on_the_date_need_a_name(cli: Cli, database: Any, imported: Path):
    overlap = example_with(
        imported.parent,
        ('name: "2567"', 'name: "2567-east"'),
        ("start: 2024-07-01 ", "start: 2024-08-05 "),
        ("2024-11-15", "2024-12-20"),
    )
    assert import_line(cli, overlap) == "intake 2567-east: 1 added, 0 updated, 0 unchanged"
    lines = assert_refused(
        cli, database, ["timeline", "--as-of", "2024-09-02", "-f", "json"], "2567", "2567-east"
    )
    assert len(lines) == 1 and "--intake" in lines[0]
    # Named, each works; before the second one starts only the first is running.
    doc = timeline(cli, "--intake", "2567-east")
    assert (doc["intake"], doc["start"]) == ("2567-east", "2024-08-05")
    assert timeline(cli, as_of="2024-07-15")["intake"] == "2567"


def test_a_mentor_with_several_addresses_in_the_file(cli: Cli, tmp_path: Path):
    two = "mentor_email: [chief.maerim@example.go.th, deputy.maerim@Example.GO.th]"
    path = example_with(tmp_path, ("mentor_email: chief.maerim@example.go.th", two))
    assert import_line(cli, path).endswith("1 added, 0 updated, 0 unchanged")
    mentors = cli("--intake", "2567", "mentors", "-f", "json").json()
    mae_rim = next(m for m in mentors if m["district_code"] == "5007")
    assert mae_rim["emails"] == ["chief.maerim@example.go.th", "deputy.maerim@example.go.th"]
    assert import_line(cli, path).endswith("0 added, 0 updated, 1 unchanged")


def test_a_bad_mentor_email_is_not_repeated(cli: Cli, database: Any, tmp_path: Path):
    path = example_with(tmp_path, ("chief.maerim@example.go.th", "chief maerim@example.go.th"))
    lines = assert_refused(cli, database, ["intakes", "import", path], "mentor_email")
    assert "chief maerim" not in "\n".join(lines)
