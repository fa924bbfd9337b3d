"""Databases made by an earlier castctl, and a database holding two intakes, on either backend.

``tests/fixtures/castctl-0.1.0.db`` was made by castctl 0.1.0 (schema 0003, one programme; see
the README in ``tests/fixtures/castctl-0.1.0``). On SQLite it is copied as it is; on PostgreSQL
alembic builds the schema up to 0003 and the fixture's rows are copied in, so opening it with
the current castctl runs the real 0004 migration on either backend.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASE_DB = FIXTURES / "castctl-0.1.0.db"
RELEASE_OUTPUT = FIXTURES / "castctl-0.1.0"
RELEASE_REVISION = "0003"
# The 0003 tables, parents first.
RELEASE_TABLES = (
    "province", "district", "pilot_district", "mentor", "week", "holiday", "trainee",
    "trainee_status_change", "target_district", "assignment", "assignment_change", "report",
    "sent_log",
)  # fmt: skip
# Tables with a serial id: their sequences must continue after the copied ids.
SERIAL_TABLES = ("trainee_status_change", "assignment_change", "report", "sent_log")


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite file (bookkeeping included), sorted."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def release_rows() -> dict[str, list[tuple[Any, ...]]]:
    return sqlite_rows(RELEASE_DB)


def release_database(db: Any, source: Path = RELEASE_DB) -> Any:
    """``db`` (a ``TestDatabase`` castctl has not used yet) holding ``source``'s rows at
    schema 0003, as castctl 0.1.0 left it."""
    if db.path is not None:
        db.path.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, db.path)
        os.chmod(db.path, 0o600)
        return db
    from tests.test_migrations import upgrade_to

    upgrade_to(db, RELEASE_REVISION)
    conn_in = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
    engine = create_engine(db.sa_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))  # the stored timestamps are UTC
            for table in RELEASE_TABLES:
                cursor = conn_in.execute(f'SELECT * FROM "{table}"')
                names = [c[0] for c in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor]
                if not rows:
                    continue
                columns = ", ".join(f'"{n}"' for n in names)
                values = ", ".join(f"CAST(:{n} AS {_pg_type(conn, table, n)})" for n in names)
                conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'), rows)
    finally:
        engine.dispose()
        conn_in.close()
    return db


def _pg_type(conn: Any, table: str, column: str) -> str:
    return str(
        conn.execute(
            text(
                "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = CAST(:t AS regclass) AND a.attname = :c"
            ),
            {"t": table, "c": column},
        ).scalar_one()
    )


SECOND_INTAKE_YAML = """\
name: "2567"
title: "MOI SMART Agent for CAST, intake 2"
start: 2024-07-01
weeks: 22
pilot_weeks: 2
pilot_districts:
  - district: "4001"
    mentor_name: "{mentor_name}"
    mentor_email: {mentor_email}
    capacity: 30
  - district: "5607"
closures:
  - date: 2024-11-15
    name: "ปิดสำนักงาน"
"""

SECOND_INTAKE_ROWS = """
    INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, email,
        pilot_preferences, target_preferences, status, created_at, updated_at) VALUES
        ('2567', 'DEMO-00001', :name, 'DOPA', '40', :email, '4001;5607', '1001', 'active',
         '2024-06-01 08:00:00', '2024-06-02 08:00:00'),
        ('2567', 'X-0002', 'Boonmee Chai', 'CDD', '10', NULL, '', '', 'withdrawn',
         '2024-06-01 08:00:00', '2024-07-20 10:30:00');
    INSERT INTO trainee_status_change (intake, trainee_id, status, effective_on, reason,
        changed_at, os_user) VALUES
        ('2567', 'DEMO-00001', 'active', '2024-06-01', 'imported', '2024-06-01 08:00:00',
         'coord2'),
        ('2567', 'X-0002', 'withdrawn', '2024-07-20', 'illness', '2024-07-20 10:30:00',
         'coord2');
    INSERT INTO target_district (intake, district_code, capacity) VALUES ('2567', '1001', 2);
    INSERT INTO assignment (intake, trainee_id, pilot_district_code, target_district_code,
        pilot_cost, target_cost, updated_at) VALUES
        ('2567', 'DEMO-00001', '4001', '1001', 0, 0, '2024-06-05 12:00:00');
    INSERT INTO assignment_change (intake, changed_at, os_user, trainee_id, stage, old_code,
        new_code, reason) VALUES
        ('2567', '2024-06-05 12:00:00', 'coord2', 'DEMO-00001', 'pilot', NULL, '4001', 'placed'),
        ('2567', '2024-06-05 12:00:00', 'coord2', 'DEMO-00001', 'target', NULL, '1001', 'placed');
    INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, sdgs,
        note, updated_at, coverage_0, coverage_1, coverage_2) VALUES
        ('2567', 'DEMO-00001', 1, '2024-07-05', 'coordinate', 'people', '16', 'รุ่นที่สอง',
         '2024-07-05 17:00:00', :w0, :w1, :w2);
    INSERT INTO sent_log (intake, week, format, destination, sent_at) VALUES
        ('2567', 1, 'html', 'boss@example.go.th', '2024-07-08 01:00:00'),
        ('2566', 3, 'text', '/srv/digests/week3.txt', '2023-07-24 01:00:00');
    UPDATE trainee SET full_name = :name0, email = :email0
        WHERE intake = '2566' AND trainee_id = 'DEMO-00001'
"""


def add_second_intake(
    location: str, tmp: Path, *, names: tuple[str, str, str], emails: tuple[str, str, str]
) -> None:
    """Intake 2567 beside 2566 (through ``castctl intakes import``: two pilot districts, a
    mentor with a name and an email, a closure) with a little of everything in it: a trainee
    whose id is also 2566's (two enrolments), a withdrawal, a placement and its history, a
    report, a digest log entry. ``names``/``emails``: 2566's DEMO-00001, 2567's mentor and
    2567's DEMO-00001."""
    from typer.testing import CliRunner

    from castctl.cli import app
    from castctl.core.progress import coverage_words
    from castctl.db.store import open_store

    yaml = tmp / "intake-2567.yaml"
    yaml.write_text(
        SECOND_INTAKE_YAML.format(mentor_name=names[1], mentor_email=emails[1]), encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["--db", location, "intakes", "import", str(yaml)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    params = {"name0": names[0], "email0": emails[0], "name": names[2], "email": emails[2]}
    # The report's coverage words, as castctl derives them when it stores a report.
    words = coverage_words("coordinate", "people", "16")
    params.update(zip(("w0", "w1", "w2"), words, strict=True))
    db = open_store(location)
    try:
        with db.transaction() as tx:
            for statement in SECOND_INTAKE_ROWS.split(";\n"):
                used = {k: v for k, v in params.items() if f":{k}" in statement}
                tx.execute(statement, used)
    finally:
        db.close()
