"""What the hostile tester found about secrets, damaged files and file modes (issue 12)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

QUERY_SECRET = "hunter2-in-the-query"
USER_SECRET = "s3cret-user-part"


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://cast@127.0.0.1:1/cast?password={QUERY_SECRET}&sslmode=disable",
        f"postgresql+psycopg://cast:{USER_SECRET}@127.0.0.1:1/cast?password={QUERY_SECRET}",
        f"postgresql://127.0.0.1:1/cast?sslmode=disable&PASSWORD={QUERY_SECRET}",
    ],
)
def test_db_path_and_connection_errors_never_show_a_password(cli, url):
    shown = cli("--db", url, "db", "path")
    failed = cli("--db", url, "timeline", code=1)
    for out in (shown.stdout, shown.stderr, failed.stdout, failed.stderr):
        assert QUERY_SECRET not in out
        assert USER_SECRET not in out
    assert "***" in shown.stdout
    assert "sslmode=disable" in shown.stdout or "sslmode" not in url
    [line] = failed.stderr.splitlines()
    assert line.startswith("Error: cannot connect to the database")


@pytest.mark.backend_independent
def test_an_empty_db_option_is_an_error_not_the_default(cli):
    r = cli("--db", "", "timeline", code=1)
    assert r.stderr.strip() == "Error: --db is empty: give a SQLite file path or a database URL"
    assert r.stdout == ""


@pytest.mark.sqlite_only
def test_an_existing_file_used_as_the_database_becomes_private(cli, tmp_path: Path):
    path = tmp_path / "made-by-touch.db"
    path.touch()
    path.chmod(0o644)
    cli("--db", path, "timeline", "-f", "json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _damage(path: Path) -> None:
    """Overwrite the middle of every page after the schema's with 0xff (the tables' pages)."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        for offset in range(2 * 4096 + 1000, size, 4096):
            f.seek(offset)
            f.write(b"\xff" * 1000)


@pytest.mark.sqlite_only
def test_backup_of_a_damaged_database_fails_and_leaves_no_file(cli, db_file: Path, tmp_path):
    cli("demo", "--trainees", "60", "--no-reports")
    cli("db", "backup", tmp_path / "good.db")  # a sound database backs up fine
    assert (tmp_path / "good.db").exists()
    _damage(db_file)
    target = tmp_path / "copy.db"
    r = cli("db", "backup", target, code=1)
    [line] = r.stderr.splitlines()
    # Either opening the damaged file or checking the copy stops it: one line, no file.
    assert line.startswith("Error: ") and "damaged" in line
    assert not target.exists()


@pytest.mark.sqlite_only
def test_a_failed_upgrade_leaves_no_extra_backup(cli, tmp_path: Path):
    """Each failed attempt used to leave one more full copy of the personal data."""
    fixture = Path(__file__).parent / "fixtures" / "castctl-0.1.0.db"
    old = tmp_path / "old.db"
    old.write_bytes(fixture.read_bytes())
    os.chmod(old, 0o600)

    conn = sqlite3.connect(old)
    # A row the upgrade cannot carry over (a report for a week that does not exist): with the
    # foreign keys the new schema declares, the upgrade's copy of the reports fails.
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO report (trainee_id, week, submitted_on, mechanisms, networks, sdgs, note, "
        "updated_at) VALUES ('NOBODY', 99, '2023-07-07', '', '', '', '', '2023-07-07 00:00:00')"
    )
    conn.commit()
    conn.close()
    before = old.read_bytes()
    for _ in range(2):
        cli("--db", old, "timeline", "-f", "json", code=1)
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if ".backup-" in p.name) == []
