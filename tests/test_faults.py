"""Faults: a process killed in the middle of an import, places where no database can be,
files that are not castctl databases, an unreachable server, and personal data in messages.

Every failure must be one ``Error: …`` line and exit 1, never a traceback, and must leave every
file as it was.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cohort_files import make_cohort, write_csv, write_targets

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
PG_PASSWORD = "S3cr3t-Pa55word"
UNREACHABLE_PG = f"postgresql+psycopg://castctl:{PG_PASSWORD}@127.0.0.1:1/castctl"


def castctl(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "castctl", *args], capture_output=True, text=True, timeout=timeout
    )


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_one_error(stderr: str, stdout: str = "") -> None:
    assert stderr.startswith("Error: "), stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    assert stdout == ""


# ---- killed in the middle -----------------------------------------------------------------------


def _writing_has_begun(database: Any, wal: Path | None, start_size: int) -> bool:
    """The import's transaction is under way (and not committed: the import is still running).

    SQLite: its pages are spilling into the WAL. PostgreSQL: its COPY (or INSERT) is running."""
    if wal is not None:
        return wal.exists() and wal.stat().st_size > start_size + 1_000_000
    return bool(
        database.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND datname = current_database() "
            # insert_rows quotes the table: COPY "trainee" (…), INSERT INTO "trainee" (…)
            "AND (query LIKE 'COPY \"trainee\" %' OR query LIKE 'INSERT INTO \"trainee\" %')"
        )[0][0]
    )


def _wait_for_no_other_session(database: Any) -> None:
    """PostgreSQL: the killed client's server process has noticed and rolled back."""
    if database.is_sqlite:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        others = database.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND datname = current_database()"
        )[0][0]
        if not others:
            return
        time.sleep(0.05)
    raise AssertionError("the killed import's session never ended")


@pytest.mark.long
def test_an_import_killed_halfway_leaves_the_database_as_before(cli, database, tmp_path):
    first = make_cohort(100, seed=1)
    cli("trainees", "import", str(write_csv(tmp_path / "first.csv", first)))
    before = database.dump()
    before_sql = dump(database.path) if database.is_sqlite else None
    # 60,000 rows: the first 100 changed (updates), the rest new
    big = write_csv(tmp_path / "big.csv", make_cohort(60_000, seed=2))
    wal = Path(f"{database.path}-wal") if database.is_sqlite else None
    start_size = wal.stat().st_size if wal is not None and wal.exists() else 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "castctl", "trainees", "import", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    started = time.monotonic()
    try:
        while proc.poll() is None and time.monotonic() - started < 60:
            if _writing_has_begun(database, wal, start_size):
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the import finished before it could be killed"
        assert _writing_has_begun(database, wal, start_size)  # really half-way through
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    _wait_for_no_other_session(database)
    # opened again, the database recovers: the unfinished transaction is gone
    assert database.dump() == before
    if database.is_sqlite:
        assert dump(database.path) == before_sql  # every table, as SQL text
    trainees = cli("trainees", "-f", "json").json()
    assert sorted(t["trainee_id"] for t in trainees) == sorted(r["trainee_id"] for r in first)
    # and the same import, run to the end now, works
    cli("trainees", "import", str(big))
    assert database.count("trainee") == 60_000


# ---- places where no database can be ------------------------------------------------------------


def _unwritable_directory(tmp_path: Path) -> tuple[Path, str]:
    """A directory nobody may create files in, and what it is.

    As root, permissions do not stop writes (chmod 0555 is ignored), so a root test run uses a
    directory of the kernel's: /sys, where even root cannot create a file.
    """
    if not IS_ROOT:
        ro = tmp_path / "read-only"
        ro.mkdir()
        ro.chmod(0o555)
        return ro, "chmod 0555"
    return Path("/sys"), "/sys (running as root)"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("where", ["unwritable", "missing", "file-as-directory"])
def test_a_database_where_none_can_be_is_one_error(cli, tmp_path: Path, where: str):
    if where == "unwritable":
        directory, _ = _unwritable_directory(tmp_path)
    elif where == "missing":
        directory = tmp_path / "no" / "such" / "dir"
    else:
        directory = tmp_path / "a-file"
        directory.write_text("a file where a directory is expected\n")
    location = directory / "castctl-test.db"
    cohort = write_csv(tmp_path / "cohort.csv", make_cohort(5))
    for args in (["timeline", "-f", "json"], ["trainees", "import", str(cohort)], ["trainees"]):
        r = cli("--db", str(location), *args, code=1)
        assert_one_error(r.stderr, r.stdout)
    assert not location.exists()
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("where", ["unwritable", "missing", "file-as-directory"])
def test_backup_and_export_where_no_file_can_be_written(cli, tmp_path: Path, where: str):
    if where == "unwritable":
        directory, _ = _unwritable_directory(tmp_path)
    elif where == "missing":
        directory = tmp_path / "missing"
    else:
        directory = tmp_path / "a-file"
        directory.write_text("x")
    for args in (["db", "backup", str(directory / "copy.db")],
                 ["db", "export", str(directory / "out.json")],
                 ["assignments", "-f", "csv", "-o", str(directory / "out.csv")],
                 ["assignments", "-f", "xlsx", "-o", str(directory / "out.xlsx")]):  # fmt: skip
        r = cli(*args, code=1)
        assert_one_error(r.stderr, r.stdout)
        assert not (directory / "copy.db").exists()


@pytest.mark.sqlite_only
def test_a_read_only_database_file_is_refused_for_writes(cli, db_file: Path, tmp_path: Path):
    if IS_ROOT:
        pytest.skip("root can write to a 0444 file; the directory faults above cover root")
    cli("mentors", "set", "5607", "--name", "x")
    db_file.chmod(0o444)
    before = db_file.read_bytes()
    r = cli("trainees", "import", str(write_csv(tmp_path / "c.csv", make_cohort(3))), code=1)
    assert_one_error(r.stderr)
    assert db_file.read_bytes() == before


# ---- files that are not castctl databases -------------------------------------------------------


def _not_a_castctl_database(path: Path, kind: str) -> Path:
    if kind == "random-bytes":
        path.write_bytes(os.urandom(64 * 1024))
    elif kind == "sqlite-header-then-garbage":
        path.write_bytes(b"SQLite format 3\x00" + os.urandom(64 * 1024))
    elif kind == "empty-table-of-another-program":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
        conn.commit()
        conn.close()
    elif kind == "truncated-castctl":
        template = Path(os.environ["CASTCTL_DB"]).read_bytes()
        path.write_bytes(template[: len(template) // 3])
    return path


KINDS = ["random-bytes", "sqlite-header-then-garbage", "empty-table-of-another-program",
         "truncated-castctl"]  # fmt: skip


@pytest.mark.sqlite_only
@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_not_a_castctl_database_is_never_changed(cli, tmp_path: Path, kind):
    bad = _not_a_castctl_database(tmp_path / "bad.db", kind)
    before = bad.read_bytes()
    cohort = write_csv(tmp_path / "cohort.csv", make_cohort(5))
    targets = write_targets(tmp_path / "targets.csv", [("1001", 2)])
    export = tmp_path / "good.json"
    cli("db", "export", str(export))
    commands = [
        ["timeline", "-f", "json"],
        ["trainees", "-f", "json"],
        ["trainees", "import", str(cohort)],
        ["targets", "import", str(targets)],
        ["assign", "-f", "json"],
        ["mentors", "set", "5607", "--capacity", "3"],
        ["db", "backup", str(tmp_path / "copy.db")],
        ["db", "export", str(tmp_path / "out.json")],
        ["db", "import", str(export), "--yes"],
    ]
    for args in commands:
        r = cli("--db", str(bad), *args, code=1)
        assert_one_error(r.stderr, r.stdout)
    assert bad.read_bytes() == before
    assert not Path(f"{bad}-wal").exists() or Path(f"{bad}-wal").stat().st_size == 0
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "out.json").exists()


def test_a_database_of_another_program_is_refused_on_any_backend(
    cli, backend, make_database, tmp_path: Path
):
    other = make_database(backend, empty=True)
    if backend == "sqlite":
        sqlite3.connect(other.path).close()  # an empty file, as SQLite creates one
    other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    other.execute("INSERT INTO notes (id, body) VALUES (1, 'keep me')")
    before = other.dump()
    cohort = write_csv(tmp_path / "cohort.csv", make_cohort(3))
    for args in (["timeline", "-f", "json"], ["trainees", "import", str(cohort)],
                 ["db", "export", str(tmp_path / "out.json")]):  # fmt: skip
        r = cli("--db", other.url, *args, code=1)
        assert_one_error(r.stderr, r.stdout)
        assert "not a castctl database" in r.stderr
    assert other.dump() == before
    assert not (tmp_path / "out.json").exists()


def test_a_corrupt_database_in_a_real_process(tmp_path: Path):
    bad = _not_a_castctl_database(tmp_path / "bad.db", "random-bytes")
    before = bad.read_bytes()
    for args in (["timeline"], ["trainees", "import", str(tmp_path / "x.csv")]):
        proc = castctl("--db", str(bad), *args)
        assert proc.returncode == 1
        assert_one_error(proc.stderr, proc.stdout)
    assert bad.read_bytes() == before


# ---- an unreachable PostgreSQL ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "-f", "json"],
        ["trainees", "-f", "json"],
        ["db", "export", "out.json"],
        ["assign", "--dry-run", "-f", "json"],
    ],  # fmt: skip
    ids=["timeline", "trainees", "export", "assign"],
)
def test_an_unreachable_postgresql_is_one_error_without_the_password(tmp_path: Path, args):
    pytest.importorskip("psycopg")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "--db", UNREACHABLE_PG, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert time.monotonic() - started < 15
    assert proc.returncode == 1
    assert_one_error(proc.stderr, proc.stdout)
    assert "127.0.0.1" in proc.stderr  # says where it tried
    assert PG_PASSWORD not in proc.stderr + proc.stdout
    assert not (tmp_path / "out.json").exists()


@pytest.mark.backend_independent
def test_db_path_does_not_print_the_password(cli):
    out = cli("--db", UNREACHABLE_PG, "db", "path").stdout
    assert PG_PASSWORD not in out
    assert out.strip() == "postgresql+psycopg://castctl:***@127.0.0.1:1/castctl"


@pytest.mark.backend_independent
def test_a_bad_database_url_never_shows_the_password(cli):
    for url in (
        f"nosuchdialect://castctl:{PG_PASSWORD}@127.0.0.1/x",
        f"postgresql+nosuchdriver://castctl:{PG_PASSWORD}@127.0.0.1/x",
    ):
        r = cli("--db", url, "timeline", "-f", "json", code=1)
        assert_one_error(r.stderr, r.stdout)
        assert PG_PASSWORD not in r.stderr


# ---- personal data never in messages ------------------------------------------------------------

DISTINCT_NAME = "Wanchalerm Quixotically-Unique"
DISTINCT_EMAIL = "wanchalerm.unique@private.example"


@pytest.mark.parametrize(
    "bad",
    [
        {"department": "XYZ"},
        {"home_province": "Atlantis"},
        {"email": DISTINCT_EMAIL.replace("@", " at ")},
        {"pilot_preferences": "9999"},
        {"trainee_id": "T001"},  # the id of the row above: a duplicate
        {"full_name": DISTINCT_NAME + " " + "x" * 10_001},
    ],
    ids=["department", "province", "email", "preference", "duplicate-id", "huge-name"],
)
def test_import_errors_never_show_names_or_emails(cli, database, tmp_path: Path, bad):
    rows = make_cohort(3)
    rows[1] |= {"full_name": DISTINCT_NAME, "email": DISTINCT_EMAIL} | bad
    before = database.dump()
    r = cli("trainees", "import", str(write_csv(tmp_path / "cohort.csv", rows)), code=1)
    assert r.stderr.startswith("Error: cohort.csv: 1 problem found; nothing was written")
    assert "row 3, column " in r.stderr
    for secret in (DISTINCT_NAME, DISTINCT_EMAIL, DISTINCT_EMAIL.split("@")[0], "Quixotically"):
        assert secret not in r.stderr, r.stderr
    for row in rows:  # nor anyone else's
        assert row["full_name"] not in r.stderr and row["email"] not in r.stderr
    assert database.dump() == before


def test_report_and_command_errors_never_show_names(cli, tmp_path: Path):
    rows = make_cohort(3)
    rows[0] |= {"full_name": DISTINCT_NAME, "email": DISTINCT_EMAIL}
    cli("trainees", "import", str(write_csv(tmp_path / "cohort.csv", rows)))
    tid = rows[0]["trainee_id"]
    cli("trainees", "withdraw", tid, "--on", "2023-08-01", "--reason", "moved")
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "trainee_id,week,submitted_on,mechanisms\n"
        f"{tid},3,2023-07-21,coordinate\n"
        f"{tid},99,2023-07-21,coordinate\n"
        "NOBODY,3,2023-07-21,pray\n",
        encoding="utf-8",
    )
    outputs = [
        cli("reports", "import", str(reports), code=1).stderr,
        cli("reports", "add", tid, "--week", "3", "--on", "2023-07-21", code=1).stderr,
        cli("trainees", "withdraw", tid, "--on", "2023-08-02", "--reason", "x", code=1).stderr,
        cli("trainees", "show", "NOBODY", code=1).stderr,
    ]
    for err in outputs:
        assert err.startswith("Error:")
        assert DISTINCT_NAME not in err and DISTINCT_EMAIL not in err, err
