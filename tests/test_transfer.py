"""Moving a whole dataset: ``db export`` / ``db import`` (JSON) on both backends and between
them, ``db restore`` (SQLite), and ``db backup`` while another process writes.

Comparisons go through ``castctl.db.transfer.table_rows`` (plain portable SQL, one canonical
form on any backend) and, on SQLite, also through the raw rows ``sqlite3`` returns, table by
table.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from castctl.db.store import HEAD_REVISION, open_store
from castctl.db.transfer import (
    BOOKKEEPING,
    DATASET_ORDER,
    data_columns,
    dataset_tables,
    table_rows,
)
from tests.cohort_files import dump
from tests.release_db import add_second_intake, release_database

ROOT = Path(__file__).resolve().parent.parent
# 2566's DEMO-00001, 2567's mentor of 4001 and 2567's DEMO-00001: personal data in two intakes.
NAMES = ("Chanida Distinctname", "Somchai Exportsson", "Wilaiwan Secondintake")
EMAILS = (
    "chanida.private@example.go.th", "somchai.private@example.go.th", "wilai.private@example.go.th",
)  # fmt: skip
COHORT = 60  # intake 2566's trainees (castctl 0.1.0's demo cohort)
TRAINEES = COHORT + 2  # and 2567's


def fill(db: Any, tmp: Path) -> None:
    """Two intakes with something in every table: castctl 0.1.0's database (a placed demo
    cohort with reports, a mentor with a name and a capacity, a withdrawal, a digest log),
    upgraded by opening it, and intake 2567 beside it (``tests.release_db``)."""
    release_database(db)
    store = open_store(db.url)
    try:
        store.ensure_ready()  # the 0004 migration: everything so far is intake 2566
    finally:
        store.close()
    add_second_intake(db.url, tmp, names=NAMES, emails=EMAILS)


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled SQLite file, made once and copied per test (SQLite tests stay fast)."""
    from tests.conftest import TestDatabase

    path = tmp_path_factory.mktemp("filled") / "filled.db"
    fill(TestDatabase("sqlite", str(path), path), path.parent)
    return path


@pytest.fixture
def filled(database, request: pytest.FixtureRequest, make_database, monkeypatch, tmp_path):
    """The test's own database (``$CASTCTL_DB``), filled; on SQLite ``filled.path`` is the file.

    On PostgreSQL a database castctl has not used yet is filled (from schema 0003, through the
    real migration) and ``$CASTCTL_DB`` points at it."""
    if database.is_sqlite:
        shutil.copyfile(request.getfixturevalue("filled_template"), database.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{database.path}{suffix}").unlink(missing_ok=True)
        return database
    new = make_database(database.backend, empty=True)
    fill(new, tmp_path)
    monkeypatch.setenv("CASTCTL_DB", new.url)
    return new


def withdraw(db: Any, trainee_id: str, intake: str = "2566") -> None:
    """A change after a backup or an export (plain SQL: not this file's commands)."""
    db.execute(
        "UPDATE trainee SET status = 'withdrawn' WHERE intake = :i AND trainee_id = :t",
        {"i": intake, "t": trainee_id},
    )


def raw_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every dataset table exactly as SQLite stores it, ordered by primary key."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in dataset_tables():
            keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            out[table.name] = conn.execute(
                f'SELECT * FROM "{table.name}" ORDER BY {keys}'
            ).fetchall()
        return out
    finally:
        conn.close()


def rows_of(location: Any) -> dict[str, list[tuple[Any, ...]]]:
    db = open_store(str(location))
    try:
        return table_rows(db)
    finally:
        db.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def export_doc(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("exported_at")
    return doc


# ---- export / import ----------------------------------------------------------------------------


def test_round_trip_to_a_new_database_leaves_every_table_equal(
    cli, filled, backend, make_database, tmp_path: Path
):
    export = tmp_path / "out.json"
    r = cli("db", "export", str(export))
    assert r.stdout == ""
    assert f"{TRAINEES} trainees" in r.stderr
    new = make_database(backend, empty=True)  # castctl has never opened it
    r = cli("--db", new.url, "db", "import", str(export))
    assert "imported" in r.stderr and f"2 intakes, {TRAINEES} trainees" in r.stderr
    before, after = rows_of(filled), rows_of(new)
    assert set(before) == {t.name for t in dataset_tables()}
    for name in before:  # table by table, so a failure names the table
        assert after[name] == before[name], name
        assert before[name], f"{name} is empty: the test would prove nothing for it"
    if backend == "sqlite":  # byte for byte what SQLite stored, too
        assert raw_tables(new.path) == raw_tables(filled.path)
    # the new database works: the same answers as the old one
    for args in (
        ["intakes", "-f", "json"],
        ["--intake", "2566", "assignments", "-f", "json"],
        ["--intake", "2567", "assignments", "-f", "json"],
        ["--intake", "2566", "progress", "--as-of", "2023-10-20", "-f", "json"],
        ["--intake", "2566", "trainees", "show", "DEMO-00003", "-f", "json"],
        ["--intake", "2567", "trainees", "show", "DEMO-00001", "-f", "json"],
    ):
        assert cli("--db", new.url, *args).stdout == cli(*args).stdout
    # and exporting the copy gives the same document, apart from its time
    again = tmp_path / "again.json"
    cli("--db", new.url, "db", "export", str(again))
    assert export_doc(again) == export_doc(export)
    # new rows get new ids after the imported ones (sequences moved on, on PostgreSQL)
    for intake, trainee in (("2566", "DEMO-00005"), ("2567", "DEMO-00001")):
        new.execute(
            "INSERT INTO trainee_status_change (intake, trainee_id, status, effective_on, "
            "reason, changed_at, os_user) VALUES (:i, :t, 'withdrawn', '2024-08-02', "
            "'r', '2024-08-02 00:00:00', 'x')",
            {"i": intake, "t": trainee},
        )
        new.execute(
            "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, "
            "sdgs, note, updated_at) VALUES (:i, :t, 22, '2024-11-29', '', '', '', "
            "'', '2024-11-29 00:00:00')",
            {"i": intake, "t": trainee},
        )
    for table in ("trainee_status_change", "report"):
        ids = [r[0] for r in new.query(f"SELECT id FROM {table}")]
        assert len(ids) == len(set(ids)) == len(before[table]) + 2, table
        assert max(ids) == max(r[0] for r in before[table]) + 2, table


def test_an_export_from_schema_0004_loads_with_its_coverage_computed(
    cli, filled, backend, make_database, tmp_path: Path
):
    # castctl at schema 0004 exported the same tables and columns: the reports' coverage words
    # (0005) are derived, never exported, so its file differs only in its "schema".
    export = tmp_path / "out.json"
    cli("db", "export", str(export))
    doc = json.loads(export.read_text(encoding="utf-8"))
    doc["schema"] = "0004"
    old = tmp_path / "from-0004.json"
    old.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    new = make_database(backend, empty=True)
    r = cli("--db", new.url, "db", "import", str(old))
    assert "imported" in r.stderr
    for args in (
        ["--intake", "2566", "progress", "--by", "district", "--as-of", "2023-10-20"],
        ["--intake", "2566", "progress", "--by", "trainee", "--as-of", "2023-10-20"],
        ["--intake", "2567", "progress", "--as-of", "2024-07-08"],
    ):
        assert cli("--db", new.url, *args, "-f", "json").stdout == cli(*args, "-f", "json").stdout
    mentions = cli("--db", new.url, *args, "-f", "json").json()
    assert sum(sum(row["networks"].values()) for row in mentions) >= 1  # counts, not all zero


def test_the_dataset_tables_are_every_model_table_parents_first():
    from castctl.db.models import SQLModel

    tables = dataset_tables()
    assert [t.name for t in tables] == list(DATASET_ORDER)
    assert set(DATASET_ORDER) == set(SQLModel.metadata.tables) - BOOKKEEPING
    seen: set[str] = set()
    for table in tables:
        parents = {fk.column.table.name for fk in table.foreign_keys}
        assert parents <= seen, (table.name, parents - seen)
        seen.add(table.name)


def test_a_dataset_moves_between_backends_and_back(
    cli, filled, backend, other_backend, make_database, tmp_path: Path
):
    there = make_database(other_backend(backend), empty=True)
    back = make_database(backend, empty=True)
    first, second, third = (tmp_path / f"{n}.json" for n in ("first", "second", "third"))
    cli("db", "export", str(first))
    cli("--db", there.url, "db", "import", str(first))
    cli("--db", there.url, "db", "export", str(second))
    cli("--db", back.url, "db", "import", str(second))
    cli("--db", back.url, "db", "export", str(third))
    original = rows_of(filled)
    for moved in (there, back):
        rows = rows_of(moved)
        for name in original:
            assert rows[name] == original[name], (moved.backend, name)
    assert export_doc(third) == export_doc(second)
    for intake in ("2566", "2567"):
        args = ("--intake", intake, "assignments", "-f", "json")
        assert cli("--db", there.url, *args).stdout == cli(*args).stdout


def test_export_document_is_complete_sorted_private_and_atomic(cli, filled, tmp_path: Path):
    export = tmp_path / "out.json"
    export.write_text("old contents")
    os.chmod(export, 0o644)
    cli("db", "export", str(export))
    assert mode(export) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    doc = json.loads(export.read_text(encoding="utf-8"))
    assert doc["castctl_export"] == 1
    db = open_store(filled.url)
    assert doc["schema"] == db.current_revision()
    db.close()
    assert doc["exported_at"].endswith("Z")
    assert doc["redacted"] is False
    assert set(doc["tables"]) == {t.name for t in dataset_tables()}
    assert not set(doc["tables"]) & BOOKKEEPING
    for table in dataset_tables():
        block = doc["tables"][table.name]
        assert block["columns"] == [c.name for c in data_columns(table)]
        key = [block["columns"].index(c.name) for c in table.primary_key.columns]
        keys = [tuple(r[i] for i in key) for r in block["rows"]]
        assert keys == sorted(keys), table.name
    # A report's coverage words are derived from its lists: the export's report columns are the
    # ones castctl 0.2 exported.
    assert doc["tables"]["report"]["columns"] == [
        "id", "intake", "trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs",
        "note", "updated_at",
    ]  # fmt: skip
    week = doc["tables"]["week"]
    assert week["rows"][0][week["columns"].index("start")] == "2023-07-03"
    holiday = doc["tables"]["holiday"]
    day = holiday["columns"].index("date")
    assert all(len(r[day]) == 10 for r in holiday["rows"])  # ISO dates as text
    assert list(doc["tables"]) == list(DATASET_ORDER)  # parents first, as they are loaded
    assert len(doc["tables"]["trainee"]["rows"]) == TRAINEES
    intake = doc["tables"]["intake"]
    assert [r[0] for r in intake["rows"]] == ["2566", "2567"]
    assert doc["tables"]["intake_closure"]["rows"] == [["2567", "2024-11-15", "ปิดสำนักงาน"]]
    for table in dataset_tables():  # every intake-owned row names its intake
        if "intake" in table.columns:
            block = doc["tables"][table.name]
            i = block["columns"].index("intake")
            assert {r[i] for r in block["rows"]} <= {"2566", "2567"}, table.name
    text = export.read_text(encoding="utf-8")
    assert all(secret in text for secret in (*NAMES, *EMAILS))


def test_redacted_export_holds_no_names_or_emails(cli, filled, backend, make_database, tmp_path):
    export = tmp_path / "redacted.json"
    r = cli("db", "export", str(export), "--redact")
    assert "redacted" in r.stderr
    text = export.read_text(encoding="utf-8")
    names = [r[0] for r in filled.query("SELECT full_name FROM trainee")]
    emails = [r[0] for r in filled.query("SELECT email FROM trainee WHERE email IS NOT NULL")]
    users = [r[0] for r in filled.query("SELECT os_user FROM assignment_change")]
    mentors = [r for r in filled.query("SELECT name, email FROM mentor WHERE name IS NOT NULL")]
    assert len(names) == TRAINEES and len(emails) >= 1 and users and len(mentors) == 2
    names += [n for n, _ in mentors]
    emails += [e for _, e in mentors]
    for secret in (*names, *emails, *NAMES, *EMAILS, "boss@example.go.th"):
        assert secret not in text, secret
    assert "@" not in text
    doc = json.loads(text)
    assert doc["redacted"] is True
    trainee = doc["tables"]["trainee"]
    cols = trainee["columns"]
    assert {r[cols.index("full_name")] for r in trainee["rows"]} == {""}
    assert {r[cols.index("email")] for r in trainee["rows"]} == {None}
    mentor = doc["tables"]["mentor"]
    cols = mentor["columns"]
    name, email, capacity = (cols.index(c) for c in ("name", "email", "capacity"))
    assert {(r[name], r[email]) for r in mentor["rows"]} == {(None, None)}
    capacities = {(r[0], r[1]): r[capacity] for r in mentor["rows"] if r[capacity] is not None}
    assert capacities == {("2566", "5607"): 9, ("2567", "4001"): 30}  # not personal
    assert [r[0] for r in doc["tables"]["intake"]["rows"]] == ["2566", "2567"]
    assert len(doc["tables"]["intake_closure"]["rows"]) == 1
    for table in ("assignment_change", "trainee_status_change"):
        block = doc["tables"][table]
        assert {r[block["columns"].index("os_user")] for r in block["rows"]} == {""}
    sent = doc["tables"]["sent_log"]
    destinations = sorted(r[sent["columns"].index("destination")] for r in sent["rows"])
    assert destinations == ["/srv/digests/week3.txt", "/tmp/w5.md", "recipient-1"]
    # the reports and placements are all there
    assert len(doc["tables"]["report"]["rows"]) == filled.count("report")
    # and a redacted file still imports (names empty)
    new = make_database(backend, empty=True)
    r = cli("--db", new.url, "db", "import", str(export))
    assert "redacted" in r.stderr
    assert rows_of(new)["assignment"] == rows_of(filled)["assignment"]  # both intakes
    assert rows_of(new)["intake"] == rows_of(filled)["intake"]


def test_import_refuses_a_database_with_trainees_unless_yes(
    cli, filled, backend, make_database, template_db, tmp_path: Path
):
    from tests.test_migrations import first_schema_db

    export = tmp_path / "other.json"
    other = first_schema_db(make_database(backend, empty=True), template_db)  # 2 trainees
    cli("--db", other.url, "db", "export", str(export))  # upgraded first: one intake
    before, original = filled.dump(), rows_of(filled)
    r = cli("db", "import", str(export), code=1)
    assert r.stderr.startswith("Error:")
    assert f"{TRAINEES} trainees" in r.stderr and "--yes" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert filled.dump() == before

    r = cli("db", "import", str(export), "--yes")
    assert f"replacing a cohort of {TRAINEES} trainees" in r.stderr
    assert rows_of(filled) == rows_of(other)  # intake 2567 is gone with the rest
    if backend == "sqlite":  # the replaced database is kept beside it
        path = filled.path
        [backup] = path.parent.glob(f"{path.stem}.before-import-*.db")
        assert str(backup) in r.stderr
        assert mode(backup) == 0o600
        assert rows_of(backup) == original


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\x00\xff garbage", "not a castctl export"),
        (b"[1, 2, 3]", "not a castctl export"),
        (b'{"hello": "world"}', "not a castctl export"),
        (b'{"castctl_export": 2, "tables": {}}', "format 2"),
        (b'{"castctl_export": 1, "schema": "9999", "tables": {}}', "schema 9999"),
        (b"{" * 100_000, "castctl export"),
    ],
    ids=["bytes", "list", "other-json", "future-format", "other-schema", "deep"],
)
def test_import_of_a_bad_file_is_one_error_and_writes_nothing(
    cli, filled, tmp_path, content, error
):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    before = filled.dump()
    r = cli("db", "import", str(bad), "--yes", code=1)
    assert r.stderr.startswith("Error:") and error in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert filled.dump() == before


def _tampered(cli, tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    export = tmp_path / "good.json"
    cli("db", "export", str(export))
    doc = json.loads(export.read_text(encoding="utf-8"))
    change(doc["tables"])
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    return bad


def test_import_checks_every_value_and_lists_the_problems(cli, filled, tmp_path: Path):
    def change(tables: dict[str, Any]) -> None:
        report, week = tables["report"], tables["week"]
        report["rows"][0][report["columns"].index("week")] = "week three"  # an integer
        week["rows"][1][week["columns"].index("start")] = "03/07/2023"  # an ISO date
        tables["trainee"]["rows"][2].pop()
        del tables["holiday"]
        tables["mystery"] = {"columns": [], "rows": []}

    bad = _tampered(cli, tmp_path, change)
    before = filled.dump()
    r = cli("db", "import", str(bad), "--yes", code=1)
    assert r.stderr.startswith("Error: tampered.json: 5 problems found; nothing was written")
    for text in ("table report, row 1, column week: not an integer",
                 "table week, row 2, column start: not an ISO date",
                 "table trainee, row 3: expected", "table holiday: missing",
                 "table mystery: not a castctl table"):  # fmt: skip
        assert text in r.stderr, r.stderr
    assert filled.dump() == before


def test_an_import_that_breaks_a_constraint_writes_nothing(
    cli, filled, backend, make_database, tmp_path: Path
):
    def change(tables: dict[str, Any]) -> None:
        report = tables["report"]
        report["rows"][-1][report["columns"].index("trainee_id")] = "NO-SUCH-TRAINEE"

    bad = _tampered(cli, tmp_path, change)
    target = make_database(backend)
    target.execute(
        "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, "
        "pilot_preferences, target_preferences, status, created_at, updated_at) VALUES "
        "('2566', 'T1', 'x', 'OPS', '10', '', '', 'active', '2023-06-01 00:00:00', "
        "'2023-06-01 00:00:00')"
    )
    before = target.dump()
    r = cli("--db", target.url, "db", "import", str(bad), "--yes", code=1)
    assert r.stderr.startswith("Error: tampered.json could not be imported, nothing was written")
    assert "foreign key" in r.stderr.lower()
    assert len(r.stderr.strip().splitlines()) == 1
    assert target.dump() == before


def test_export_errors_are_one_line(cli, filled, tmp_path: Path):
    cases = [
        (tmp_path / "missing" / "out.json", "does not exist"),
        (tmp_path, "is a directory"),
    ]
    if filled.is_sqlite:
        cases.append((filled.path, "is the database itself"))
    for target, text in cases:
        r = cli("db", "export", str(target), code=1)
        assert r.stderr.startswith("Error:") and text in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    if filled.is_sqlite:
        assert filled.path.read_bytes()[:16] == b"SQLite format 3\x00"


# ---- restore ------------------------------------------------------------------------------------


def test_a_backup_brings_the_data_back_on_either_backend(cli, filled, tmp_path: Path):
    """SQLite: a database file, restored with db restore. PostgreSQL: a JSON export (db restore
    says to use db import, which loads it)."""
    backup = tmp_path / "backup.db"
    cli("db", "backup", str(backup))
    assert mode(backup) == 0o600
    original = rows_of(filled)
    withdraw(filled, "DEMO-00004")
    assert rows_of(filled) != original
    if filled.is_sqlite:
        assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
        cli("db", "restore", str(backup), "--yes")
    else:
        assert json.loads(backup.read_text(encoding="utf-8"))["castctl_export"] == 1
        r = cli("db", "restore", str(backup), "--yes", code=1)
        assert "db import" in r.stderr
        cli("db", "import", str(backup), "--yes")
    assert rows_of(filled) == original
    r = cli("db", "backup", str(backup), code=1)  # never overwrites
    assert "already exists" in r.stderr


@pytest.mark.sqlite_only
def test_restore_without_yes_says_what_would_happen(cli, filled, tmp_path: Path):
    backup = tmp_path / "copy.db"
    cli("db", "backup", str(backup))
    withdraw(filled, "DEMO-00004")
    before, backup_bytes = dump(filled.path), backup.read_bytes()
    r = cli("db", "restore", str(backup), code=1)
    assert r.stderr.startswith(
        f"Error: restoring would replace the current database ({TRAINEES} trainees)"
    )
    assert str(backup) in r.stderr and "--yes" in r.stderr and "before-restore" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert dump(filled.path) == before
    assert backup.read_bytes() == backup_bytes


@pytest.mark.sqlite_only
def test_restore_brings_back_the_backup_and_keeps_the_current(cli, filled, tmp_path: Path):
    backup = tmp_path / "copy.db"
    cli("db", "backup", str(backup))
    expected = raw_tables(backup)
    backup_bytes = backup.read_bytes()
    withdraw(filled, "DEMO-00004")
    changed = raw_tables(filled.path)
    assert changed != expected

    # another connection keeps the database open throughout: it sees the restored data
    other = sqlite3.connect(filled.path)
    assert other.execute("SELECT status FROM trainee WHERE trainee_id = 'DEMO-00004'").fetchone()
    r = cli("db", "restore", str(backup), "--yes")
    assert "restored" in r.stderr
    assert raw_tables(filled.path) == expected
    assert other.execute(
        "SELECT status FROM trainee WHERE trainee_id = 'DEMO-00004'"
    ).fetchone() == ("active",)
    other.close()
    assert backup.read_bytes() == backup_bytes
    [kept] = filled.path.parent.glob(f"{filled.path.stem}.before-restore-*.db")
    assert str(kept) in r.stderr
    assert raw_tables(kept) == changed
    assert mode(kept) == 0o600 and mode(filled.path) == 0o600
    conn = sqlite3.connect(filled.path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert len(cli("--intake", "2566", "trainees", "-f", "json").json()) == COHORT
    assert [p for p in filled.path.parent.iterdir() if p.name.startswith(".castctl")] == []


@pytest.mark.sqlite_only
def test_restore_replaces_a_damaged_database(cli, filled, tmp_path: Path):
    backup = tmp_path / "copy.db"
    cli("db", "backup", str(backup))
    expected = raw_tables(backup)
    filled.path.write_bytes(os.urandom(8192))
    damaged = filled.path.read_bytes()
    cli("trainees", code=1)
    cli("db", "restore", str(backup), "--yes")
    assert raw_tables(filled.path) == expected
    [kept] = filled.path.parent.glob(f"{filled.path.stem}.before-restore-*.db")
    assert kept.read_bytes() == damaged


@pytest.mark.sqlite_only
def test_restore_into_a_new_location(cli, filled, tmp_path: Path):
    backup = tmp_path / "copy.db"
    cli("db", "backup", str(backup))
    new = tmp_path / "fresh" / "castctl.db"
    new.parent.mkdir()
    r = cli("--db", str(new), "db", "restore", str(backup), code=1)
    assert "no database yet" in r.stderr
    assert not new.exists()
    cli("--db", str(new), "db", "restore", str(backup), "--yes")
    assert raw_tables(new) == raw_tables(filled.path)
    assert mode(new) == 0o600


def _other_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("kind", ["random", "sqlite-header-then-garbage", "other-sqlite", "text"])
@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_castctl_database(cli, filled, tmp_path, kind):
    bad = tmp_path / "bad.db"
    if kind == "random":
        bad.write_bytes(os.urandom(20_000))
    elif kind == "sqlite-header-then-garbage":
        bad.write_bytes(b"SQLite format 3\x00" + os.urandom(20_000))
    elif kind == "other-sqlite":
        _other_sqlite(bad)
    else:
        bad.write_text("not a database\n")
    before, bad_bytes = dump(filled.path), bad.read_bytes()
    for yes in ([], ["--yes"]):
        r = cli("db", "restore", str(bad), *yes, code=1)
        assert r.stderr.startswith("Error:") and "castctl database" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert bad.read_bytes() == bad_bytes
    assert dump(filled.path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bad")) == ["bad.db"]
    assert not list(filled.path.parent.glob("*.before-restore-*"))


@pytest.mark.sqlite_only
def test_restore_refuses_a_database_from_a_newer_castctl(cli, filled, tmp_path: Path):
    backup = tmp_path / "copy.db"
    cli("db", "backup", str(backup))
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    r = cli("db", "restore", str(backup), "--yes", code=1)
    assert "newer than this castctl" in r.stderr


@pytest.mark.sqlite_only
@pytest.mark.parametrize("stamped", [True, False], ids=["revision-0001", "before-migrations"])
def test_restore_of_a_backup_from_an_older_castctl(
    cli, filled, make_database, template_db, stamped
):
    """An older schema is restored as it is, then upgraded (after its own backup) on next use."""
    from tests.test_migrations import first_schema_db

    old = first_schema_db(make_database("sqlite", empty=True), template_db, stamped=stamped)
    old_bytes = old.path.read_bytes()
    r = cli("db", "restore", str(old.path), code=1)
    assert "schema 0001" in r.stderr and "2 trainees" in r.stderr
    cli("db", "restore", str(old.path), "--yes")
    assert old.path.read_bytes() == old_bytes
    trainees = cli("trainees", "-f", "json").json()  # first use: upgraded to the head
    assert [t["trainee_id"] for t in trainees] == ["T001", "T002"]
    db = open_store(filled.url)
    assert db.current_revision() == HEAD_REVISION
    db.close()


@pytest.mark.sqlite_only
def test_restore_of_the_database_onto_itself_is_refused(cli, filled):
    r = cli("db", "restore", str(filled.path), "--yes", code=1)
    assert "is the database itself" in r.stderr


# ---- backup while another process writes --------------------------------------------------------

WRITER = """
import sys, datetime as dt
from castctl.db.store import HEAD_REVISION, open_store
db = open_store(sys.argv[1])
trainees = sys.argv[2].split(",")
print("ready", flush=True)
batch = 0
while True:
    batch += 1
    week = (batch - 1) % 22 + 1
    with db.transaction() as tx:  # one batch: every trainee's report for one week, replaced
        tx.execute("DELETE FROM report WHERE intake = '2566' AND week = :w", {"w": week})
        tx.executemany(
            "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, "
            "sdgs, note, updated_at) "
            "VALUES ('2566', :t, :w, :on, 'coordinate', '', '', :note, :now)",
            [{"t": t, "w": week, "on": "2023-12-01", "note": f"batch {batch}",
              "now": dt.datetime.now().isoformat()} for t in trainees],
        )
"""


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_snapshot_while_another_process_writes(cli, filled, tmp_path):
    conn = sqlite3.connect(filled.path)
    trainees = [
        r[0]
        for r in conn.execute(
            "SELECT trainee_id FROM trainee WHERE intake = '2566' AND status = 'active'"
        )
    ]
    conn.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(filled.path), ",".join(trainees)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        backups = []
        for n in range(4):
            target = tmp_path / f"during-{n}.db"
            proc = subprocess.run(
                [sys.executable, "-m", "castctl", "db", "backup", str(target)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert proc.returncode == 0, proc.stderr
            backups.append(target)
            time.sleep(0.05)
        assert writer.poll() is None, writer.communicate()[1]  # still writing all along
    finally:
        writer.kill()
        writer.wait()
    latest = []
    for target in backups:
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        notes = conn.execute(
            "SELECT week, note, COUNT(*) FROM report WHERE note LIKE 'batch %' GROUP BY week, note"
        ).fetchall()
        conn.close()
        # a consistent snapshot: every batch (week) is all there or not at all, one per week,
        # and the batches present are the last ones committed, without a gap
        assert len({week for week, _, _ in notes}) == len(notes), notes
        assert all(count == len(trainees) for _, _, count in notes), notes
        numbers = sorted(int(note.split()[1]) for _, note, _ in notes)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
        latest.append(numbers[-1])
        assert cli("--db", str(target), "trainees", "-f", "json").json()
    assert latest == sorted(latest) and latest[0] < latest[-1], latest  # written all along
