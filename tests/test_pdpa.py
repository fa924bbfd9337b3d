"""Personal data and secrets (Thailand's PDPA, issue 12), found by grepping every output.

A database on each backend holds trainees, a mentor, a report note and a withdrawal reason with
distinctive markers (a Thai name, an address, a phone number). ``db export --redact`` must hold
none of them and still import; the import commands, fed rows with those markers in columns that
hold codes, numbers or dates, must name the row and column and never print the marker; a
PostgreSQL URL's password, in its user part or its query string, must never be printed, against
an unreachable server and against the test server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from castctl.db.transfer import KEPT_CODES
from tests.cohort_files import write_csv

NAME = "สมหญิง ทดสอบลับ"
EMAIL = "leak.marker@example.go.th"
PHONE = "081-234-5678"
MENTOR_NAME = "นายลับมาก ผู้ทดสอบ"
MENTOR_EMAIL = "mentor.marker@example.go.th"
NOTE = f"โทรหา {NAME} {PHONE} หรือ {EMAIL}"
REASON = f"ย้ายตามครอบครัว แจ้งโดย {NAME} โทร {PHONE}"
# Every marker and its telling parts: none may appear in a shared file or a message.
MARKERS = (
    NAME, *NAME.split(), EMAIL, "leak.marker", PHONE, PHONE.replace("-", ""), "234-5678",
    MENTOR_NAME, "ลับมาก", MENTOR_EMAIL, "mentor.marker", "ตามครอบครัว", "โทรหา",
)  # fmt: skip

USER_SECRET = "Us3r-Secret/pa55"  # "/" is %2F in the URL: neither form may be shown
QUERY_SECRET = "Qu3ry-Secret-pa55"
SECRETS = (USER_SECRET, quote(USER_SECRET, safe=""), QUERY_SECRET)


def assert_clean(*texts: str, markers: tuple[str, ...] = MARKERS) -> None:
    for text in texts:
        for marker in markers:
            assert marker not in text, f"{marker!r} in:\n{text[:2000]}"


def _column(doc: dict[str, Any], table: str, column: str) -> list[Any]:
    block = doc["tables"][table]
    i = block["columns"].index(column)
    return [row[i] for row in block["rows"]]


@pytest.fixture
def marked(cli: Callable[..., Any], tmp_path: Path) -> None:
    """A placed demo cohort, two trainees with markers, a report note and a withdrawal reason
    that repeat them, a mentor with a marked name and address, then a rematch."""
    cli("demo", "--trainees", "20", "--no-reports")
    cohort = write_csv(
        tmp_path / "marked.csv",
        [
            {
                "trainee_id": "LEAK-1",
                "full_name": NAME,
                "department": "DOPA",
                "home_province": "40",
                "email": EMAIL,
            },
            {
                "trainee_id": "LEAK-2",
                "full_name": "Zyx Markerperson",
                "department": "CDD",
                "home_province": "50",
            },
        ],  # fmt: skip
    )
    cli("trainees", "import", cohort)
    cli("assign")
    cli("reports", "add", "LEAK-1", "--week", "3", "--on", "2023-07-21", "--note", NOTE)
    cli("reports", "add", "LEAK-2", "--week", "3", "--on", "2023-07-21", "--note", NOTE)
    cli("trainees", "withdraw", "LEAK-1", "--on", "2023-08-01", "--reason", REASON)
    cli("assign", "--rematch-all")
    cli("mentors", "set", "2506", "--name", MENTOR_NAME, "--email", MENTOR_EMAIL)


# ---- db export --redact ---------------------------------------------------------------------


def test_a_redacted_export_holds_no_personal_data_and_imports(
    cli, marked, database, backend, make_database, tmp_path: Path
):
    full = tmp_path / "full.json"
    cli("db", "export", full)
    text = full.read_text(encoding="utf-8")
    for marker in (NAME, EMAIL, PHONE, NOTE, REASON, MENTOR_NAME, MENTOR_EMAIL):
        assert marker in text, marker  # the markers are really in the database

    shared = tmp_path / "shared.json"
    r = cli("db", "export", shared, "--redact")
    text = shared.read_text(encoding="utf-8")
    assert_clean(text, r.stdout, r.stderr)
    assert "@" not in text
    doc = json.loads(text)
    assert set(_column(doc, "report", "note")) == {""}
    assert set(_column(doc, "trainee_status_change", "os_user")) == {""}
    # castctl's own reason codes stay; the typed withdrawal reason is gone
    statuses = list(zip(_column(doc, "trainee_status_change", "status"),
                        _column(doc, "trainee_status_change", "reason"), strict=True))  # fmt: skip
    assert ("withdrawn", "") in statuses
    assert {reason for status, reason in statuses if status == "active"} == {"imported"}
    reasons = set(_column(doc, "assignment_change", "reason"))
    assert {"first placement", "freed by withdrawal", "rematch-all"} <= reasons
    # every reason castctl writes is a code the redaction keeps (a new one must be added there)
    stored = {r[0] for r in database.query("SELECT DISTINCT reason FROM assignment_change")}
    assert stored <= KEPT_CODES["assignment_change"]["reason"]
    assert len(doc["tables"]["report"]["rows"]) == database.count("report")

    # the shareable file imports into an empty database, and nothing there shows a marker
    new = make_database(backend, empty=True)
    r = cli("--db", new.url, "db", "import", shared)
    assert "redacted" in r.stderr
    for table in ("trainee", "report", "assignment", "assignment_change", "mentor"):
        assert new.count(table) == database.count(table), table
    outputs = [r.stdout, r.stderr]
    for args in (
        ["trainees", "-f", "csv"], ["trainees", "show", "LEAK-1", "-f", "json"],
        ["reports", "list", "-f", "json"], ["mentors", "-f", "json"], ["assignments", "-f", "csv"],
    ):  # fmt: skip
        out = cli("--db", new.url, *args)
        outputs += [out.stdout, out.stderr]
    again = tmp_path / "again.json"
    cli("--db", new.url, "db", "export", again)
    assert_clean(*outputs, again.read_text(encoding="utf-8"))


# ---- import errors name the row and column, never the marker ---------------------------------

TRAINEES = (
    "trainee_id,full_name,department,home_province,email,pilot_preferences,target_preferences\n"
    f'N1,{NAME},{NAME},{EMAIL},{EMAIL},"{NOTE}",{PHONE}\n'
    f"{NAME},x,DOPA,40,,,\n"
    f"{NAME},y,DOPA,40,,,\n"
    f"{PHONE},z,DOPA,40,,,\n"
    f"{PHONE},z,DOPA,40,,,\n"
    f"N2,x,DOPA,40,{EMAIL.replace('@', ' at ')},,\n"
    f'N3,x,DOPA,40,"{EMAIL}, {MENTOR_EMAIL}",,\n'
)
REPORTS = (
    "trainee_id,week,submitted_on,mechanisms,networks,sdgs,note\n"
    f'DEMO-00002,"{NOTE}",{NAME},{EMAIL},{NAME},{PHONE},fine\n'
    f"{NAME},3,2023-07-21,,,,\n"
    f"{PHONE},3,2023-07-21,,,,\n"
    f'DEMO-00003,{PHONE},"{REASON}",,,,\n'
)
TARGETS = f'district_code,capacity\n{NAME},"{NOTE}"\n1001,{PHONE}\n{PHONE},{EMAIL}\n'
INTAKE = f"""\
name: "{NAME}"
title: "{NOTE}"
start: "{NOTE}"
weeks: "{PHONE}"
pilot_weeks: 2
pilot_districts:
  - district: "{NAME}"
    mentor_name: "{MENTOR_NAME}"
    capacity: "{PHONE}"
  - district: "4001"
    mentor_email: "{EMAIL.replace("@", " at ")}"
  - district: "1806"
    mentor_email: "{EMAIL}, {MENTOR_EMAIL}"
closures:
  - date: "{PHONE}"
    name: ปิดสำนักงาน
  - date: "{NAME}"
    name: ปิดสำนักงาน
"""

CASES = {
    "trainees": ("cohort.csv", TRAINEES, [
        "row 2, column department", "row 2, column home_province",
        "row 2, column pilot_preferences", "row 2, column target_preferences",
        "row 4, column trainee_id", "row 6, column trainee_id", "row 7, column email",
        "row 8, column email",
    ]),
    "reports": ("reports.csv", REPORTS, [
        "row 2, column week", "row 2, column submitted_on", "row 2, column mechanisms",
        "row 2, column networks", "row 2, column sdgs", "row 3, column trainee_id",
        "row 4, column trainee_id", "row 5, column week", "row 5, column submitted_on",
    ]),
    "targets": ("targets.csv", TARGETS, [
        "row 2, column district_code", "row 2, column capacity", "row 3, column capacity",
        "row 4, column district_code", "row 4, column capacity",
    ]),
    "intakes": ("intake.yaml", INTAKE, [
        "name:", "start:", "weeks:", "pilot_districts[1]:", "pilot_districts[1].capacity:",
        "pilot_districts[2].mentor_email:", "pilot_districts[3].mentor_email:",
        "closures[1].date:", "closures[2].date:",
    ]),
}  # fmt: skip


@pytest.mark.parametrize("command", list(CASES))
def test_import_errors_name_the_cell_but_never_print_it(cli, database, tmp_path: Path, command):
    cli("demo", "--trainees", "10", "--no-reports")
    name, body, expected = CASES[command]
    source = tmp_path / name
    source.write_text(body, encoding="utf-8")
    before = database.dump()
    r = cli(command, "import", source, code=1)
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and "Traceback" not in r.stderr
    for where in expected:
        assert where in r.stderr, f"{where!r} not in:\n{r.stderr}"
    assert_clean(r.stdout, r.stderr)
    assert database.dump() == before


def test_db_import_errors_name_the_cell_but_never_print_it(cli, database, tmp_path: Path):
    cli("demo", "--trainees", "10")
    export = tmp_path / "export.json"
    cli("db", "export", export)
    doc = json.loads(export.read_text(encoding="utf-8"))
    report = doc["tables"]["report"]
    report["rows"][0][report["columns"].index("week")] = NOTE
    report["rows"][1][report["columns"].index("submitted_on")] = NAME
    trainee = doc["tables"]["trainee"]
    trainee["rows"][0][trainee["columns"].index("created_at")] = PHONE
    export.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = database.dump()
    r = cli("db", "import", export, "--yes", code=1)
    for where in (
        "table report, row 1, column week", "table report, row 2, column submitted_on",
        "table trainee, row 1, column created_at",
    ):  # fmt: skip
        assert where in r.stderr, r.stderr
    assert_clean(r.stdout, r.stderr)
    assert database.dump() == before


# ---- passwords in a PostgreSQL URL -----------------------------------------------------------


def _with_passwords(url: str, *, user: bool = True, query: bool = True) -> str:
    """``url`` with ``USER_SECRET`` as its user part's password and/or ``QUERY_SECRET`` as a
    ``password`` query parameter."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user:
        who, at, where = netloc.rpartition("@")
        netloc = f"{who or 'postgres'}:{quote(USER_SECRET, safe='')}@{where}"
    q = parts.query
    if query:
        q = f"{q}&password={QUERY_SECRET}" if q else f"password={QUERY_SECRET}"
    return urlunsplit((parts.scheme, netloc, parts.path, q, parts.fragment))


def _every_command(cli: Callable[..., Any], url: str, tmp_path: Path) -> list[Any]:
    """Run what touches the database, successful or not; every result."""
    cohort = write_csv(tmp_path / "bad.csv", [{"trainee_id": "P1", "full_name": "x"}])
    export = tmp_path / "export.json"
    export.write_text('{"castctl_export": 1, "schema": "0000", "tables": {}}', encoding="utf-8")
    runs = [cli("--db", url, "db", "path")]
    for args in (
        ["db", "current"], ["db", "current", "-f", "json"], ["timeline", "-f", "json"],
        ["trainees", "import", str(cohort)], ["db", "import", str(export)],
        ["db", "export", str(tmp_path / "out.json")], ["db", "backup", str(tmp_path / "b.json")],
        ["db", "restore", str(tmp_path / "b.json")], ["db", "upgrade"],
    ):  # fmt: skip
        runs.append(cli("--db", url, *args, code=None))
    return runs


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "url",
    [
        _with_passwords("postgresql+psycopg://cast@127.0.0.1:1/cast?sslmode=disable"),
        _with_passwords("postgresql://cast@127.0.0.1:1/cast", query=False),
        _with_passwords("postgresql://127.0.0.1:1/cast?connect_timeout=5", user=False),
    ],
    ids=["both", "user-part", "query"],
)
def test_no_output_shows_the_password_of_an_unreachable_server(cli, tmp_path: Path, url):
    runs = _every_command(cli, url, tmp_path)
    assert "***" in runs[0].stdout
    for run in runs[1:]:
        assert run.exit_code == 1, (run.stdout, run.stderr)
    assert "cannot connect to the database" in runs[3].stderr  # timeline
    for run in runs:
        assert_clean(run.stdout, run.stderr, markers=SECRETS)
    assert not (tmp_path / "out.json").exists()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("user, query", [(True, False), (False, True)], ids=["user-part", "query"])
def test_no_output_shows_the_password_of_the_test_server(
    cli, make_database, tmp_path: Path, user, query
):
    """The test server trusts local connections, so it takes and ignores any password."""
    db = make_database("postgresql")
    url = _with_passwords(db.url, user=user, query=query)
    cli("--db", url, "demo", "--trainees", "10", "--no-reports")
    runs = _every_command(cli, url, tmp_path)
    assert "***" in runs[0].stdout
    assert runs[1].exit_code == 0 and runs[3].exit_code == 0  # db current, timeline: connected
    assert (tmp_path / "out.json").exists()
    # a database that is not castctl's names its location in the error: masked there too
    other = make_database("postgresql", empty=True)
    other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    other_url = _with_passwords(other.url, user=user, query=query)
    runs.append(cli("--db", other_url, "timeline", code=1))
    assert "not a castctl database" in runs[-1].stderr and "***" in runs[-1].stderr
    for run in runs:
        assert_clean(run.stdout, run.stderr, markers=SECRETS)
    # nor any file castctl wrote
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_clean(path.read_text(encoding="utf-8", errors="replace"), markers=SECRETS)
