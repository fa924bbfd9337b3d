"""The database: where it is, how it is created, first-use initialisation, backups, bad files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest

TABLES = ("province", "district", "pilot_district", "mentor", "week", "holiday")
# Facts: 77 provinces, 928 districts, 10 pilot districts and mentors, 22 weeks, 7 holidays.
EXPECTED_COUNTS = {
    "province": 77, "district": 928, "pilot_district": 10, "mentor": 10, "week": 22, "holiday": 7,
}  # fmt: skip


def counts(db: Any) -> dict[str, int]:
    """Rows per reference table of a SQLite file (read only) or a ``database`` fixture."""
    if hasattr(db, "count"):
        return {t: db.count(t) for t in TABLES}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def castctl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """castctl in its own process (as a user or cron runs it)."""
    return subprocess.run(
        [sys.executable, "-m", "castctl", *args],
        capture_output=True,
        text=True,
        env=os.environ | (env or {}),
        timeout=180,
    )


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: a file created without an explicit mode would come out world-readable."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# ---- location ---------------------------------------------------------------------------------


@pytest.mark.backend_independent
def test_db_option_beats_the_environment(cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CASTCTL_DB", str(tmp_path / "from-env.db"))
    out = cli("--db", str(tmp_path / "from-option.db"), "db", "path").stdout
    assert out.strip() == str(tmp_path / "from-option.db")


@pytest.mark.backend_independent
def test_environment_beats_the_default(cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CASTCTL_DB", str(tmp_path / "from-env.db"))
    assert cli("db", "path").stdout.strip() == str(tmp_path / "from-env.db")


@pytest.mark.backend_independent
def test_default_is_the_user_data_dir(cli, tmp_path: Path, monkeypatch):
    data_home = tmp_path / "xdg-data"
    monkeypatch.delenv("CASTCTL_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    out = cli("db", "path").stdout.strip()
    assert Path(out).parts[-2:] == ("castctl", "castctl.db")
    assert Path(out) == Path(platformdirs.user_data_dir("castctl", appauthor=False)) / "castctl.db"
    if sys.platform.startswith("linux"):
        assert Path(out) == data_home / "castctl" / "castctl.db"


@pytest.mark.sqlite_only
def test_the_default_location_is_created_on_first_use(cli, tmp_path: Path, monkeypatch):
    data_home = tmp_path / "xdg-data"
    monkeypatch.delenv("CASTCTL_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    cli("timeline", "-f", "json")
    path = Path(cli("db", "path").stdout.strip())
    assert path.is_file()
    assert mode(path) == 0o600
    assert counts(path) == EXPECTED_COUNTS


@pytest.mark.backend_independent
def test_empty_environment_variable_means_the_default(cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CASTCTL_DB", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    assert cli("db", "path").stdout.strip().endswith(os.path.join("castctl", "castctl.db"))


# ---- creation ---------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_new_sqlite_file_is_private(cli, tmp_path: Path, open_umask):
    new = tmp_path / "new.db"
    cli("--db", str(new), "timeline", "-f", "json")
    assert new.is_file()
    assert mode(new) == 0o600, oct(mode(new))


def test_a_new_file_in_a_real_process_is_private(tmp_path: Path, open_umask):
    new = tmp_path / "proc.db"
    proc = castctl("--db", str(new), "timeline", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert mode(new) == 0o600, oct(mode(new))


def test_first_use_initialisation_is_idempotent(backend, make_database):
    new = make_database(backend, empty=True)
    first = castctl("--db", new.url, "timeline", "-f", "json")
    assert first.returncode == 0, first.stderr
    after_first = counts(new)
    assert after_first == EXPECTED_COUNTS
    version_row = new.query("SELECT * FROM alembic_version")
    assert len(version_row) == 1

    second = castctl("--db", new.url, "districts", "-f", "json")
    assert second.returncode == 0, second.stderr
    assert counts(new) == after_first
    assert new.query("SELECT * FROM alembic_version") == version_row
    assert first.stdout == castctl("--db", new.url, "timeline", "-f", "json").stdout


def test_two_processes_initialising_at_once_both_succeed(backend, make_database):
    new = make_database(backend, empty=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "castctl", "--db", new.url, "districts", "-f", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    assert counts(new) == EXPECTED_COUNTS


# ---- backup -----------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_is_a_private_readable_copy(cli, db_file: Path, tmp_path: Path, open_umask):
    cli("mentors", "set", "5607", "--name", "Backed Up")
    target = tmp_path / "copy.db"
    r = cli("db", "backup", str(target))
    assert r.stdout == ""  # the message goes to stderr
    assert target.is_file()
    assert mode(target) == 0o600, oct(mode(target))
    assert counts(target) == counts(db_file) == EXPECTED_COUNTS
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT name FROM mentor WHERE district_code = '5607'").fetchone() == (
        "Backed Up",
    )
    conn.close()
    # castctl itself can use the copy
    mentors = cli("--db", str(target), "mentors", "-f", "json").json()
    assert any(m["name"] == "Backed Up" for m in mentors)


def test_backup_refuses_to_overwrite(cli, tmp_path: Path):
    target = tmp_path / "exists.db"
    target.write_bytes(b"precious")
    r = cli("db", "backup", str(target), code=1)
    assert r.stderr.startswith("Error:")
    assert target.read_bytes() == b"precious"


# ---- bad locations and files ------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_db_in_a_missing_directory_is_an_error(cli, tmp_path: Path):
    missing = tmp_path / "no" / "such" / "dir" / "castctl.db"
    r = cli("--db", str(missing), "timeline", "-f", "json", code=1)
    assert r.stdout == ""
    assert r.stderr.startswith("Error:")
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "no").exists()


def _assert_refused(cli, path: Path) -> None:
    before = path.read_bytes()
    for args in (["timeline", "-f", "json"], ["mentors", "set", "5607", "--name", "x"]):
        r = cli("--db", str(path), *args, code=1)
        assert r.stdout == ""
        assert r.stderr.startswith("Error:"), r.stderr
        assert "Traceback" not in r.stderr
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


@pytest.mark.sqlite_only
def test_a_sqlite_file_of_another_program_is_refused(cli, tmp_path: Path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    _assert_refused(cli, other)


@pytest.mark.sqlite_only
def test_a_text_file_is_refused(cli, tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database\n" * 100)
    _assert_refused(cli, text)


def test_a_newer_schema_is_refused(cli, database):
    database.execute("UPDATE alembic_version SET version_num = '9999'")  # a newer castctl's
    r = cli("timeline", "-f", "json", code=1)
    assert r.stderr.startswith("Error:")
    assert "upgrade" in r.stderr.lower() or "newer" in r.stderr.lower()


def test_a_newer_schema_is_refused_in_a_real_process(database):
    database.execute("UPDATE alembic_version SET version_num = '0999'")
    proc = castctl("timeline")
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error:")
    assert "Traceback" not in proc.stderr


# ---- PostgreSQL: an unreachable server, a missing driver ----------------------------------------

UNREACHABLE = "postgresql+psycopg://u:secret@127.0.0.1:1/x"


@pytest.mark.backend_independent
@pytest.mark.parametrize("args", [["timeline", "-f", "json"], ["db", "current"], ["assign"]])
def test_an_unreachable_postgresql_is_one_error_line_without_the_password(cli, args):
    started = time.monotonic()
    r = cli("--db", UNREACHABLE, *args, code=1)
    assert time.monotonic() - started < 10
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert line.startswith("Error: cannot connect to the database postgresql+psycopg://u:***@")
    assert "secret" not in r.stderr


@pytest.mark.backend_independent
def test_an_unreachable_postgresql_in_a_real_process(monkeypatch):
    monkeypatch.setenv("CASTCTL_DB", UNREACHABLE)
    started = time.monotonic()
    proc = castctl("progress", "-f", "json")
    assert time.monotonic() - started < 15  # the connect timeout is 5 s; refused is instant
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("Error:")
    assert "secret" not in proc.stderr and "Traceback" not in proc.stderr
    assert castctl("db", "path").stdout.strip() == "postgresql+psycopg://u:***@127.0.0.1:1/x"


@pytest.mark.backend_independent
def test_a_missing_postgresql_driver_says_how_to_install_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails, as if absent
    r = cli("--db", UNREACHABLE, "timeline", code=1)
    assert r.stderr == (
        "Error: cannot use database URL postgresql+psycopg://u:***@127.0.0.1:1/x: the "
        "PostgreSQL driver (psycopg) is not installed: pip install 'castctl[postgres]'\n"
    )


# ---- which URLs, and the store's bulk operations -----------------------------------------------


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "url", ["mysql://u:secret@db.example.org/castctl", "sqlite+pysqlite:///x.db", "oracle://x"]
)
def test_a_url_of_another_database_is_refused_naming_the_supported_forms(cli, url):
    r = cli("--db", url, "timeline", "-f", "json", code=1)
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert line.startswith("Error: cannot use database URL ")
    assert "sqlite:///PATH, postgresql://… or postgresql+psycopg://…" in line
    assert "secret" not in r.stderr


@pytest.mark.sqlite_only
def test_a_sqlite_url_is_the_same_file_as_its_path(cli, tmp_path: Path):
    path = tmp_path / "by-url.db"
    by_url = cli("--db", f"sqlite:///{path}", "timeline", "-f", "json").stdout
    assert mode(path) == 0o600
    assert cli("--db", str(path), "timeline", "-f", "json").stdout == by_url


@pytest.mark.postgresql_only
def test_a_bare_postgresql_url_means_psycopg(cli, make_database):
    """``postgresql://`` (libpq's spelling) and ``postgresql+psycopg://`` are one backend."""
    db = make_database("postgresql")
    bare = "postgresql://" + db.url.split("://", 1)[1]
    assert cli("--db", bare, "districts", "-f", "json").stdout == (
        cli("--db", db.url, "districts", "-f", "json").stdout
    )


def test_insert_rows_and_executemany_on_a_real_database(database):
    """insert_rows: every row in (COPY on PostgreSQL); with skip_conflicts_on, rows whose key is
    stored are left out (batched INSERTs, a remainder batch included); executemany runs an
    UPDATE once per row. Values read back the same on both backends."""
    from castctl.db.store import open_store

    codes = [d for (d,) in database.query("SELECT code FROM district ORDER BY code")]
    store = open_store(database.url)
    try:
        with store.transaction() as tx:
            columns = ("intake", "district_code", "capacity")
            tx.insert_rows("target_district", columns, [("2566", codes[0], 3)])
            tx.insert_rows(
                "target_district",
                columns,
                [("2566", c, 1) for c in codes[:333]],  # 333 = three batches and a remainder
                skip_conflicts_on=("intake", "district_code"),
            )
            tx.executemany(
                "UPDATE target_district SET capacity = capacity + :more "
                "WHERE intake = '2566' AND district_code = :c",
                [{"c": c, "more": 1} for c in codes[1:11]],
            )
    finally:
        store.close()
    rows = dict(database.query("SELECT district_code, capacity FROM target_district"))
    assert len(rows) == 333
    assert rows[codes[0]] == 3  # kept: the conflicting row was skipped
    assert [rows[c] for c in codes[1:11]] == [2] * 10
    assert rows[codes[332]] == 1


def test_insert_rows_with_constants_stores_them_in_every_row(database):
    """Columns given once as ``constants`` (numbered parameters on SQLite, bound once a
    statement; written into each row on PostgreSQL) read back in every row, None included,
    across full batches and a remainder, with and without skip_conflicts_on; rows keep their
    order."""
    from castctl.db.store import open_store

    store = open_store(database.url)
    try:
        with store.transaction() as tx:
            tx.insert_rows(
                "assignment_change",
                ("trainee_id", "new_code"),
                ((f"T{i:04d}", f"{i:04d}") for i in range(1200)),  # 3 batches on SQLite
                constants={"intake": "2566", "changed_at": "2026-01-01T00:00:00",
                           "os_user": "me", "stage": "pilot", "old_code": None,
                           "reason": "first placement"},
            )  # fmt: skip
            tx.insert_rows(
                "assignment_change",
                ("trainee_id", "old_code", "new_code"),
                [("T0001", "0001", "0002")],
                constants={"intake": "2566", "changed_at": "2026-01-02T00:00:00",
                           "os_user": "me", "stage": "target", "reason": "moved"},
            )  # fmt: skip
            tx.insert_rows("target_district", ("district_code", "capacity"), [("1001", 3)],
                           constants={"intake": "2566"})  # fmt: skip
            tx.insert_rows(
                "target_district",
                ("district_code", "capacity"),
                [("1001", 9), ("1002", 4)],
                skip_conflicts_on=("intake", "district_code"),
                constants={"intake": "2566"},
            )
    finally:
        store.close()
    rows = database.query(
        "SELECT intake, os_user, trainee_id, stage, old_code, new_code, reason "
        "FROM assignment_change ORDER BY id"
    )
    assert len(rows) == 1201
    assert rows[0] == ("2566", "me", "T0000", "pilot", None, "0000", "first placement")
    assert rows[1199] == ("2566", "me", "T1199", "pilot", None, "1199", "first placement")
    assert rows[1200] == ("2566", "me", "T0001", "target", "0001", "0002", "moved")
    assert [r[2] for r in rows[:1200]] == [f"T{i:04d}" for i in range(1200)]
    assert database.query("SELECT COUNT(DISTINCT changed_at) FROM assignment_change") == [(2,)]
    targets = database.query(
        "SELECT intake, district_code, capacity FROM target_district ORDER BY district_code"
    )
    assert targets == [("2566", "1001", 3), ("2566", "1002", 4)]


def test_numbered_insert_binds_the_shared_values_once():
    from castctl.db.sqlite_store import numbered_insert

    assert numbered_insert("t", ("a", "b", "c", "d"), 2, 2, None) == (
        'INSERT INTO "t" ("a", "b", "c", "d") VALUES (?1, ?2, ?3, ?4), (?1, ?2, ?5, ?6)'
    )


def test_a_duplicate_in_insert_rows_rolls_back_with_one_error_line(database):
    from castctl.db.store import open_store
    from castctl.errors import DatabaseError

    store = open_store(database.url)
    try:
        with pytest.raises(DatabaseError) as caught, store.transaction() as tx:
            tx.insert_rows("target_district", ("intake", "district_code"), [("2566", "1001")] * 2)
    finally:
        store.close()
    assert "\n" not in str(caught.value)
    assert database.count("target_district") == 0
