"""Schema migrations (alembic): upgrade on open with a backup first, `db upgrade`, `db current`,
a database newer than the program, models and migrations agreeing, and the fast start-up path.

Every test runs on SQLite and on PostgreSQL unless it is about SQLite files (the backup copy
beside the file, file modes, the start-up path that reads SQLite without SQLAlchemy). A database
"at the first schema" is made by alembic itself (``upgrade 0001``), given the reference data of
the session template, and filled with plain SQL.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from castctl.core.progress import COVERAGE_WORDS, coverage_words
from castctl.db import migrations
from castctl.db.store import HEAD_REVISION

REFERENCE_TABLES = ("province", "district", "pilot_district", "mentor", "week", "holiday")
BOOKKEEPING = ("alembic_version", "schema_version")
BUILT_IN = "2566"
BACKUP_NAME = re.compile(r"^castctl(-\d+)?\.db\.backup-\d{8}-\d{6}-rev0001$")


# ---- helpers ----------------------------------------------------------------------------------


def sql(db: Any, *statements: str) -> None:
    for statement in statements:
        db.execute(statement)


def tables(db: Any) -> set[str]:
    return set(db.tables())


def revision_of(db: Any) -> list[str]:
    return [r for (r,) in db.query("SELECT version_num FROM alembic_version")]


def all_rows(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, sorted (the test's view of "unchanged")."""
    return {t: db.rows(t) for t in sorted(tables(db) - set(BOOKKEEPING))}


def named_rows(db: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every data table as ``{column: value}``, sorted: column order apart (the
    0004 migration recreates tables with ``intake`` among their columns)."""
    from sqlalchemy import inspect

    engine = create_engine(db.sa_url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            columns = {
                t: [c["name"] for c in inspector.get_columns(t)]
                for t in sorted(tables(db) - set(BOOKKEEPING))
            }
    finally:
        engine.dispose()
    out = {}
    for table, names in columns.items():
        select = ", ".join(f'"{n}"' for n in names)
        rows = db.query(f'SELECT {select} FROM "{table}"')
        out[table] = sorted((dict(zip(names, r, strict=True)) for r in rows), key=repr)
    return out


def derived(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The columns a later migration derives from ``row``: a report's coverage words (0005,
    computed there in SQL, here by castctl's own Python)."""
    if table != "report":
        return {}
    words = coverage_words(row["mechanisms"], row["networks"], row["sdgs"])
    return dict(zip(COVERAGE_WORDS, words, strict=True))


def as_upgraded(before: dict[str, list[dict[str, Any]]], db: Any) -> dict[str, list[Any]]:
    """``before`` (rows of a database from before intakes) as the upgrades leave them: every
    row of an intake-owned table with ``intake`` = 2566 added (0004) and a report's coverage
    words (0005), the rest as it was; the
    upgraded database's ``intake`` and ``intake_closure`` rows as they are (checked apart)."""
    after = named_rows(db)
    expected: dict[str, list[Any]] = {}
    for table, rows in before.items():
        owned = bool(after.get(table)) and "intake" in after[table][0]
        expected[table] = sorted(
            ({"intake": BUILT_IN, **r, **derived(table, r)} if owned else r for r in rows),
            key=repr,
        )
    for table in ("intake", "intake_closure"):
        expected[table] = after[table]
    return expected


def unchanged_view(db: Any) -> Any:
    """What must not change when castctl refuses a database: a SQLite file's every byte, or
    every row of every table (bookkeeping included) on a server."""
    return db.path.read_bytes() if db.path is not None else db.dump()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def backups(directory: Path | None) -> list[Path]:
    if directory is None:  # a server database: castctl makes no copies of it
        return []
    return sorted(p for p in directory.iterdir() if ".backup-" in p.name)


def upgrade_to(db: Any, revision: str) -> None:
    """What a castctl that stopped at ``revision`` would have left: alembic's own upgrade
    (``base``: every migration undone)."""
    engine = create_engine(db.sa_url)
    try:
        with engine.begin() as conn:
            if revision == "base":
                command.downgrade(migrations.config(conn), revision)
            else:
                command.upgrade(migrations.config(conn), revision)
    finally:
        engine.dispose()


def schema_differences(db: Any) -> list[Any]:
    """What alembic's autogenerate would change to make the database match the models."""
    engine = create_engine(db.sa_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


FIRST_SCHEMA_ROWS = """
    INSERT INTO schema_version (id, version, applied_at) VALUES (1, 1, '2023-06-30 09:00:00');
    UPDATE mentor SET name = 'Somchai Jaidee', email = 'somchai@example.org', capacity = 4
        WHERE district_code = '5607';
    INSERT INTO trainee (trainee_id, full_name, department, home_province, email,
        pilot_preferences, target_preferences, status, created_at, updated_at) VALUES
        ('T001', 'Anong Srisuk', 'DOPA', '32', 'anong@example.org', '5607;3209', '1001',
         'active', '2023-06-01 08:00:00', '2023-06-02 08:00:00'),
        ('T002', 'Boonmee Chai', 'CDD', '10', NULL, '', '', 'withdrawn',
         '2023-06-01 08:00:00', '2023-07-20 10:30:00');
    INSERT INTO trainee_status_change (trainee_id, status, effective_on, reason, changed_at,
        os_user) VALUES
        ('T001', 'active', '2023-06-01', 'imported', '2023-06-01 08:00:00', 'coord'),
        ('T002', 'withdrawn', '2023-07-20', 'illness', '2023-07-20 10:30:00', 'coord');
    INSERT INTO target_district (district_code, capacity) VALUES ('1001', 2), ('3209', 1);
    INSERT INTO assignment (trainee_id, pilot_district_code, target_district_code,
        pilot_cost, target_cost, updated_at) VALUES
        ('T001', '5607', '1001', 0, 1, '2023-06-05 12:00:00');
    INSERT INTO assignment_change (changed_at, os_user, trainee_id, stage, old_code, new_code,
        reason) VALUES
        ('2023-06-05 12:00:00', 'coord', 'T001', 'pilot', NULL, '5607', 'placed'),
        ('2023-06-05 12:00:00', 'coord', 'T001', 'target', NULL, '1001', 'placed');
    INSERT INTO report (trainee_id, week, submitted_on, mechanisms, networks, sdgs, note,
        updated_at) VALUES
        ('T001', 1, '2023-07-07', 'coordinate;monitor', 'government;people', '1;16',
         'ประชุมประชาคม', '2023-07-07 17:00:00'),
        ('T001', 2, '2023-07-14', 'knowledge', 'academic', '4', '', '2023-07-14 17:00:00');
    INSERT INTO sent_log (week, format, destination, sent_at) VALUES
        (1, 'markdown', '/srv/digest/week-01.md', '2023-07-08 07:00:00')
"""


def first_schema_db(db: Any, template: Path, *, stamped: bool = True) -> Any:
    """``db`` (not used yet) at revision 0001, holding the reference data and a row in every
    data table.

    ``stamped=False`` drops ``alembic_version``: a database made by castctl before it had
    migrations (``schema_version`` = 1 and nothing else).
    """
    if db.path is not None:
        db.path.parent.mkdir(exist_ok=True)
    upgrade_to(db, "0001")
    source = sqlite3.connect(template)
    engine = create_engine(db.sa_url)
    try:
        with engine.begin() as conn:
            for t in REFERENCE_TABLES:
                # The template is at the head: the built-in intake's rows, without the column.
                cursor = source.execute(f"SELECT * FROM {t}")
                names = [c[0] for c in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor]
                if "intake" in names:
                    names.remove("intake")
                    rows = [r for r in rows if r.pop("intake") == BUILT_IN]
                columns = ", ".join(f'"{n}"' for n in names)
                values = ", ".join(f":{n}" for n in names)
                conn.execute(text(f"INSERT INTO {t} ({columns}) VALUES ({values})"), rows)
            for statement in FIRST_SCHEMA_ROWS.split(";\n"):
                conn.execute(text(statement))
            if not stamped:
                conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()
        source.close()
    if db.path is not None:
        os.chmod(db.path, 0o600)
    return db


@pytest.fixture
def new_db(backend: str, make_database: Callable[..., Any]) -> Any:
    """A database of this test's backend that castctl has not used yet."""
    return make_database(backend, empty=True)


@pytest.fixture
def newer_db(database: Any) -> Any:
    """The test's database as a newer castctl would leave it: a revision we do not know."""
    sql(database, "UPDATE alembic_version SET version_num = '9999'")
    return database


def castctl(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *kwargs.pop("python_options", []), "-m", "castctl", *args],
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


# ---- the revisions ----------------------------------------------------------------------------


def test_the_head_constant_is_alembics_head():
    assert migrations.head() == HEAD_REVISION
    assert migrations.revisions() == ["0001", "0002", "0003", "0004", "0005"]  # one line, in order


def test_a_new_database_is_at_head_with_reference_data(database):
    assert revision_of(database) == [HEAD_REVISION]
    assert "schema_version" not in tables(database)  # retired by 0003
    counts = {t: len(r) for t, r in all_rows(database).items() if r}
    assert counts == {
        "province": 77, "district": 928, "pilot_district": 10, "intake": 1, "mentor": 10,
        "week": 22, "holiday": 7,
    }  # fmt: skip
    assert database.query("SELECT name, start, weeks, pilot_weeks FROM intake") == [
        (BUILT_IN, "2023-07-03", 22, 2)
    ]
    for table in ("mentor", "week", "holiday"):  # all of them the built-in intake's
        assert database.query(f"SELECT DISTINCT intake FROM {table}") == [(BUILT_IN,)], table


def test_models_and_the_latest_migration_agree(new_db):
    """Autogenerate finds nothing to do on a database made by the migrations alone."""
    upgrade_to(new_db, "head")
    assert schema_differences(new_db) == []


def test_every_migration_can_be_undone_and_redone(new_db):
    upgrade_to(new_db, "head")
    upgrade_to(new_db, "base")
    assert tables(new_db) == {"alembic_version"}
    upgrade_to(new_db, "head")
    assert revision_of(new_db) == [HEAD_REVISION]
    assert schema_differences(new_db) == []


# ---- upgrade on open --------------------------------------------------------------------------


@pytest.mark.parametrize("stamped", [True, False], ids=["alembic-0001", "before-migrations"])
def test_an_old_database_is_backed_up_then_upgraded_keeping_every_row(
    cli, new_db, template_db: Path, stamped: bool
):
    old = first_schema_db(new_db, template_db, stamped=stamped)
    before, before_named = all_rows(old), named_rows(old)
    assert set(before) >= {
        "trainee", "trainee_status_change", "target_district", "assignment",
        "assignment_change", "report", "sent_log", *REFERENCE_TABLES,
    }  # fmt: skip
    assert all(before.values()), "every table holds rows"

    r = cli("--db", old.url, "timeline", "-f", "json")
    assert r.json()["weeks"][0]["week"] == 1  # stdout holds the document and nothing else

    assert revision_of(old) == [HEAD_REVISION]
    # every row kept: the old rows with intake 2566 added (0004), in intake 2566 alone
    assert named_rows(old) == as_upgraded(before_named, old)
    assert old.query("SELECT name FROM intake") == [(BUILT_IN,)]
    assert old.count("intake_closure") == 0
    assert "schema_version" not in tables(old)
    upgraded = f"upgraded the database from schema revision 0001 to {HEAD_REVISION}"
    if old.path is not None:  # a SQLite file is copied beside itself first
        [backup] = backups(old.path.parent)
        assert BACKUP_NAME.match(backup.name), backup.name
        assert mode(backup) == 0o600
        copy = type(old)("sqlite", str(backup), backup)
        assert all_rows(copy) == before
        assert ("alembic_version" in tables(copy)) is stamped
        # one line on stderr says what happened and where the copy is
        assert r.stderr.strip().splitlines() == [
            f"{upgraded}; the previous file is kept as {backup}"
        ]
    else:
        assert r.stderr.strip().splitlines() == [upgraded]
    assert schema_differences(old) == []  # the upgraded database is what a new one would be
    # and is used as is from then on: no second upgrade, no second backup
    again = cli("--db", old.url, "assignments", "-f", "json")
    assert again.stderr == ""
    assert [a["trainee_id"] for a in again.json()] == ["T001"]
    assert len(backups(old.path.parent if old.path else None)) == (1 if old.path else 0)


def test_processes_opening_an_old_database_at_once_migrate_it_once(new_db, template_db: Path):
    """Four processes open a database at revision 0001 together: one migrates it (SQLite's
    write lock; PostgreSQL's advisory lock), the others wait and find it done."""
    old = first_schema_db(new_db, template_db)
    before = named_rows(old)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "castctl", "--db", old.url, "districts", "-f", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    assert sum("upgraded the database" in e for e in errors) == 1, errors
    assert len(backups(old.path.parent if old.path else None)) == (1 if old.path else 0)
    assert revision_of(old) == [HEAD_REVISION]
    assert named_rows(old) == as_upgraded(before, old)


# ---- a database newer than this castctl -------------------------------------------------------


def test_a_newer_database_is_refused_and_left_unchanged(cli, newer_db):
    before = unchanged_view(newer_db)
    for args in (
        ["timeline", "-f", "json"],
        ["mentors", "set", "5607", "--name", "x"],
        ["db", "upgrade"],
    ):
        r = cli(*args, code=1)
        assert r.stdout == ""
        assert r.stderr.strip().splitlines() == [
            f"Error: the database is at schema revision 9999, newer than this castctl "
            f"({HEAD_REVISION}): upgrade castctl"
        ]
    assert unchanged_view(newer_db) == before
    if newer_db.path is not None:
        assert not Path(f"{newer_db.path}-wal").exists()
        assert backups(newer_db.path.parent) == []


def test_a_newer_database_is_refused_in_a_real_process(newer_db):
    before = unchanged_view(newer_db)
    proc = castctl("--db", newer_db.url, "timeline")
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: the database is at schema revision 9999")
    assert "Traceback" not in proc.stderr
    assert unchanged_view(newer_db) == before


def test_another_programs_alembic_database_is_not_castctls(cli, new_db):
    sql(
        new_db,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
    )
    before = unchanged_view(new_db)
    r = cli("--db", new_db.url, "timeline", "-f", "json", code=1)
    assert r.stderr == f"Error: {new_db.url} is not a castctl database\n"  # no password here
    assert cli("--db", new_db.url, "db", "current", code=1).stderr.startswith("Error:")
    assert unchanged_view(new_db) == before


def test_a_newer_database_from_before_migrations_is_refused(cli, new_db, template_db):
    old = first_schema_db(new_db, template_db, stamped=False)
    sql(old, "UPDATE schema_version SET version = 2")
    before = unchanged_view(old)
    r = cli("--db", old.url, "timeline", "-f", "json", code=1)
    assert r.stderr.startswith("Error: the database is at schema version 2, newer than this")
    assert unchanged_view(old) == before


def test_a_database_with_every_migration_undone_is_made_again(cli, new_db):
    upgrade_to(new_db, "head")
    upgrade_to(new_db, "base")  # alembic_version is left, empty
    assert tables(new_db) == {"alembic_version"}
    assert len(cli("--db", new_db.url, "districts", "-f", "json").json()) == 928
    assert revision_of(new_db) == [HEAD_REVISION]


def test_an_empty_alembic_stamp_beside_other_tables_is_not_castctls(cli, new_db):
    sql(
        new_db,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
    )
    r = cli("--db", new_db.url, "db", "upgrade", code=1)
    assert r.stderr == f"Error: {new_db.url} is not a castctl database\n"


# ---- db current, db upgrade -------------------------------------------------------------------


def test_db_current_at_head(cli):
    assert cli("db", "current", "-f", "json").json() == {
        "revision": HEAD_REVISION, "head": HEAD_REVISION, "is_head": True,
        "state": "up_to_date", "pending": [],
    }  # fmt: skip
    table = cli("db", "current").stdout
    assert HEAD_REVISION in table and "up to date" in table
    assert "\x1b" not in table


def test_db_upgrade_at_head_says_so(cli, database):
    before = database.dump()
    r = cli("db", "upgrade")
    assert r.stdout == ""
    assert r.stderr == f"already at head (schema revision {HEAD_REVISION})\n"
    assert database.dump() == before
    assert backups(database.path.parent if database.path else None) == []


def test_db_current_then_db_upgrade_on_an_old_database(cli, new_db, template_db: Path):
    old = first_schema_db(new_db, template_db)
    before = unchanged_view(old)
    current = cli("--db", old.url, "db", "current", "-f", "json").json()
    assert current == {
        "revision": "0001", "head": HEAD_REVISION, "is_head": False, "state": "older",
        "pending": ["0002", "0003", "0004", "0005"],
    }  # fmt: skip
    assert "db upgrade" in cli("--db", old.url, "db", "current", "-f", "markdown").stdout
    assert unchanged_view(old) == before  # db current only reads

    r = cli("--db", old.url, "db", "upgrade")
    assert r.stdout == ""
    assert r.stderr.startswith(
        f"upgraded the database from schema revision 0001 to {HEAD_REVISION}"
    )
    assert len(backups(old.path.parent if old.path else None)) == (1 if old.path else 0)
    assert cli("--db", old.url, "db", "current", "-f", "json").json()["is_head"] is True
    assert cli("--db", old.url, "db", "upgrade").stderr.startswith("already at head")


def test_db_current_on_a_newer_database_reports_it(cli, newer_db):
    current = cli("db", "current", "-f", "json").json()
    assert current["revision"] == "9999"
    assert current["state"] == "newer"
    assert current["is_head"] is False
    assert "upgrade castctl" in cli("db", "current").stdout


def test_db_current_does_not_create_a_database(cli, new_db):
    current = cli("--db", new_db.url, "db", "current", "-f", "json").json()
    assert current["revision"] is None
    assert current["state"] == "new"
    assert current["pending"] == migrations.revisions()
    if new_db.path is not None:
        assert not new_db.path.exists()
    else:
        assert tables(new_db) == set()


def test_db_upgrade_creates_a_new_database(cli, new_db):
    r = cli("--db", new_db.url, "db", "upgrade")
    assert r.stderr == f"created the database at schema revision {HEAD_REVISION}\n"
    assert revision_of(new_db) == [HEAD_REVISION]
    if new_db.path is not None:
        assert mode(new_db.path) == 0o600
        assert backups(new_db.path.parent) == []


# ---- a new database: the models' DDL, stamped at head ------------------------------------------


def schema_of(db: Any) -> dict[str, Any]:
    """Every table's columns (type, nullability), primary key, indexes, unique constraints and
    foreign keys, as SQLAlchemy's inspector reads them back from the database."""
    from sqlalchemy import inspect

    engine = create_engine(db.sa_url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            return {
                table: {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"])
                        for c in inspector.get_columns(table)
                    ],
                    "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                    "indexes": sorted(
                        (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in inspector.get_indexes(table)
                    ),
                    "unique": sorted(
                        (u["name"], tuple(u["column_names"]))
                        for u in inspector.get_unique_constraints(table)
                    ),
                    "foreign_keys": sorted(
                        (
                            tuple(f["constrained_columns"]),
                            f["referred_table"],
                            tuple(f["referred_columns"]),
                        )
                        for f in inspector.get_foreign_keys(table)
                    ),  # fmt: skip
                }
                for table in sorted(inspector.get_table_names())
            }
    finally:
        engine.dispose()


def test_the_schema_made_from_the_models_is_the_one_the_migrations_make(database, new_db):
    """``database`` was created by first use (the models' DDL); ``new_db`` by every revision."""
    upgrade_to(new_db, "head")
    by_models, by_revisions = schema_of(database), schema_of(new_db)
    assert set(by_models) == set(by_revisions)
    for table in by_models:
        assert by_models[table] == by_revisions[table], table
    assert revision_of(database) == revision_of(new_db) == [HEAD_REVISION]


@pytest.mark.backend_independent
def test_the_shipped_ddl_is_compiled_from_the_models():
    """After changing the models: python -m castctl.db.schema (and a new revision)."""
    from castctl.db import schema, schema_ddl

    for dialect in schema.DIALECTS:
        assert schema_ddl.STATEMENTS[dialect] == tuple(schema.compile_statements(dialect))


@pytest.mark.sqlite_only
def test_first_use_imports_neither_sqlalchemy_nor_alembic(tmp_path: Path):
    proc = castctl(
        "--db", str(tmp_path / "new.db"), "timeline", "-f", "json",
        python_options=["-X", "importtime"],
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "castctl.db.schema_ddl" in imported  # it did create the database
    heavy = sorted(
        m for m in imported if m.split(".")[0] in {"sqlalchemy", "alembic", "sqlmodel", "mako"}
    )
    assert heavy == []


# ---- start-up stays light ---------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_timeline_on_an_up_to_date_database_imports_neither_sqlalchemy_nor_alembic(db_file: Path):
    proc = castctl(
        "--db", str(db_file), "timeline", "-f", "json", python_options=["-X", "importtime"]
    )
    assert proc.returncode == 0, proc.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "castctl.db.store" in imported  # the measurement saw castctl's own imports
    heavy = sorted(
        m for m in imported if m.split(".")[0] in {"sqlalchemy", "alembic", "sqlmodel", "mako"}
    )
    assert heavy == []


# ---- the developer's entry point --------------------------------------------------------------


def test_alembic_commands_run_on_castctls_migrations(database, capsys):
    from castctl.db.migrations.__main__ import main

    main(["--db", database.url, "current"])
    assert capsys.readouterr().out.split() == [HEAD_REVISION, "(head)"]
    main(["--db", database.url, "upgrade", "0001:head", "--sql"])  # offline: SQL, no database
    sql_text = capsys.readouterr().out
    assert "CREATE INDEX ix_assignment_pilot_district_code" in sql_text
    assert "DROP TABLE schema_version" in sql_text
    assert revision_of(database) == [HEAD_REVISION]
