"""Upgrading a database made by castctl 0.1.0 (schema 0003, one programme) to intakes (0004).

The fixture database was made by that release, and ``tests/fixtures/castctl-0.1.0/`` holds what
the release printed for it. Opened with this castctl (on SQLite the file itself; on PostgreSQL
its rows loaded into a schema built by alembic up to 0003, see ``tests.release_db``), it is
backed up, upgraded in one transaction so that everything belongs to intake 2566, and prints
what it printed before: the only difference allowed is the intake's name (an ``"intake"`` key
of a JSON object, a line of the text digest).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from castctl.db import migrations
from castctl.db.store import HEAD_REVISION, open_store
from castctl.db.transfer import table_rows
from tests.release_db import (
    RELEASE_OUTPUT,
    RELEASE_REVISION,
    RELEASE_TABLES,
    SECOND_INTAKE_YAML,
    SERIAL_TABLES,
    release_database,
    release_rows,
    sqlite_rows,
)
from tests.test_migrations import backups, revision_of, schema_differences

BUILT_IN = "2566"
SHARED = ("province", "district", "pilot_district")  # the reference data: no intake
BACKUP_NAME = re.compile(r"^castctl(-\d+)?\.db\.backup-\d{8}-\d{6}-rev0003$")
# The commands of tests/fixtures/castctl-0.1.0/README.md and the files holding their output.
COMMANDS = {
    "assignments.json": ["assignments", "-f", "json"],
    "progress-district.json": ["progress", "-f", "json", "--as-of", "2023-09-20"],
    "progress-trainee.json": ["progress", "--by", "trainee", "-f", "json", "--as-of", "2023-09-20"],
    "progress-week.json": ["progress", "--by", "week", "-f", "json", "--as-of", "2023-09-20"],
    "summary-week6.json": ["summary", "weekly", "-f", "json", "--week", "6"],
    "summary-week6.txt": ["summary", "weekly", "-f", "text", "--week", "6"],
    "timeline.json": ["timeline", "-f", "json", "--as-of", "2023-10-18"],
    "mentors.json": ["mentors", "-f", "json"],
}


@pytest.fixture
def release(backend: str, make_database: Any) -> Any:
    """A database as castctl 0.1.0 left it, on this test's backend; castctl has not opened it."""
    return release_database(make_database(backend, empty=True))


def columns_of(table: str) -> list[str]:
    """The table's columns at schema 0003 (the fixture's own)."""
    import sqlite3

    from tests.release_db import RELEASE_DB

    conn = sqlite3.connect(f"file:{RELEASE_DB}?mode=ro&immutable=1", uri=True)
    try:
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    finally:
        conn.close()


def rows_as_0003(db: Any, *, with_intake: bool) -> dict[str, list[tuple[Any, ...]]]:
    """Every 0003 table's rows with the 0003 columns (and, ``with_intake``, the intake column
    first), through castctl's read path: ISO dates and UTC timestamps as text on any backend,
    as the fixture's SQLite file stores them."""
    out = {}
    for table in RELEASE_TABLES:
        columns = ", ".join(f'"{c}"' for c in columns_of(table))
        select = f"intake, {columns}" if with_intake and table not in SHARED else columns
        out[table] = sorted(db.query(f'SELECT {select} FROM "{table}"'), key=repr)
    return out


# What intakes add to a JSON object of intake 2566: its name, and (in the weekly summary) how
# many pilot weeks it has, which a digest of an intake with its own length needs. (Mentors
# also gain ``emails``, the list form of their one ``email``.)
ADDED = {"intake": BUILT_IN, "pilot_weeks": 2}


def without_intake(document: Any) -> Any:
    """A JSON document with the keys intakes add (``ADDED``, with exactly those values) taken
    out of its top-level object (or of each object of a top-level list), nothing else changed."""
    if isinstance(document, dict):
        # mentors: the list of a mentor's addresses (issue 12) beside its one ``email``
        one = document.get("email")
        emails = [one] if one else []
        return {
            k: v
            for k, v in document.items()
            if not (k in ADDED and v == ADDED[k]) and not (k == "emails" and v == emails)
        }
    if isinstance(document, list):
        return [without_intake(d) if isinstance(d, dict) else d for d in document]
    return document


def same_text_but_an_intake_line(actual: str, expected: str) -> bool:
    """``actual`` is ``expected``, or ``expected`` with exactly one added line naming intake
    2566 (a heading such as "Intake 2566 …")."""
    if actual == expected:
        return True
    got, want = actual.splitlines(keepends=True), expected.splitlines(keepends=True)
    if len(got) != len(want) + 1:
        return False
    return any(BUILT_IN in line and got[:i] + got[i + 1 :] == want for i, line in enumerate(got))


def upgrade_by_opening(cli: Any, db: Any) -> Any:
    """Open the database with this castctl (any command upgrades it); return that run."""
    return cli("--db", db.url, "intakes", "-f", "json")


# ---- the upgrade ------------------------------------------------------------------------------


def test_a_release_database_is_backed_up_then_every_row_becomes_intake_2566(cli, release):
    before = rows_as_0003(release, with_intake=False)
    assert all(before.values()), "every table of the fixture holds rows"
    original = release_rows() if release.is_sqlite else None

    r = upgrade_by_opening(cli, release)
    assert revision_of(release) == [HEAD_REVISION]
    upgraded = f"upgraded the database from schema revision {RELEASE_REVISION} to {HEAD_REVISION}"
    if release.path is not None:  # the file is copied beside itself first, as it was
        [backup] = backups(release.path.parent)
        assert BACKUP_NAME.match(backup.name), backup.name
        assert sqlite_rows(backup) == original  # every table, alembic_version included
        assert r.stderr.strip().splitlines() == [
            f"{upgraded}; the previous file is kept as {backup}"
        ]
    else:
        assert r.stderr.strip().splitlines() == [upgraded]
    # the upgraded rows are the old rows with intake 2566 added; nothing else changed
    after = rows_as_0003(release, with_intake=True)
    for table in RELEASE_TABLES:
        if table in SHARED:
            assert after[table] == before[table], table
        else:
            assert after[table] == sorted(((BUILT_IN, *r) for r in before[table]), key=repr), table
    [intake] = release.query("SELECT name, title, start, weeks, pilot_weeks FROM intake")
    assert intake == (BUILT_IN, "MOI SMART Agent for CAST", "2023-07-03", 22, 2)
    assert release.count("intake_closure") == 0
    assert json.loads(r.stdout)[0]["trainees"] == 60
    assert schema_differences(release) == []  # what autogenerate sees: the models exactly


def test_every_release_output_is_unchanged_after_the_upgrade(cli, release):
    """Every command of the fixture's README prints what castctl 0.1.0 printed (apart from the
    intake's name). Runs them all and reports every difference at once."""
    upgrade_by_opening(cli, release)
    differences = []
    for name, args in COMMANDS.items():
        expected = (RELEASE_OUTPUT / name).read_text(encoding="utf-8")
        r = cli("--db", release.url, *args, code=None)
        if r.exit_code != 0:
            differences.append(f"{name}: exit {r.exit_code}: {r.stderr.strip()[:300]}")
        elif name.endswith(".json"):
            if without_intake(json.loads(r.stdout)) != json.loads(expected):
                differences.append(f"{name}: differs")
        elif not same_text_but_an_intake_line(r.stdout, expected):
            differences.append(f"{name}: differs")
    assert differences == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_release_output_after_the_upgrade(cli, release, name: str):
    """One command at a time (so a failure names the command)."""
    upgrade_by_opening(cli, release)
    expected = (RELEASE_OUTPUT / name).read_text(encoding="utf-8")
    r = cli("--db", release.url, *COMMANDS[name])
    if name.endswith(".json"):
        assert without_intake(json.loads(r.stdout)) == json.loads(expected)
    else:
        assert same_text_but_an_intake_line(r.stdout, expected), r.stdout


def test_the_comparisons_tolerate_the_intake_name_and_nothing_else():
    assert without_intake({"intake": "2566", "week": 6}) == {"week": 6}
    assert without_intake({"intake": "2567", "week": 6}) == {"intake": "2567", "week": 6}
    assert without_intake([{"intake": "2566", "a": 1}]) == [{"a": 1}]
    assert without_intake({"weeks": [{"intake": "2566"}]}) == {"weeks": [{"intake": "2566"}]}
    text = "Weekly summary: week 6 of 22\n====\nReports 1\n"
    assert same_text_but_an_intake_line(text, text)
    assert same_text_but_an_intake_line(
        "Weekly summary: week 6 of 22\nIntake 2566\n====\nReports 1\n", text
    )
    assert not same_text_but_an_intake_line("Intake 2566\nIntake 2566\n" + text, text)
    assert not same_text_but_an_intake_line("Intake 2567\n" + text, text)
    assert not same_text_but_an_intake_line(text.replace("1", "2"), text)


# ---- after the upgrade: ids go on, the schema is the models' ------------------------------------


def test_ids_continue_after_the_copied_ones(cli, release):
    """The tables with a serial id were recreated and refilled with their ids: a new row gets
    the next id (on PostgreSQL the migration moved each sequence past the copied ids)."""
    upgrade_by_opening(cli, release)
    before = {t: max(r[0] for r in release.query(f"SELECT id FROM {t}")) for t in SERIAL_TABLES}
    release.execute(
        "INSERT INTO report (intake, trainee_id, week, submitted_on, mechanisms, networks, sdgs, "
        "note, updated_at) VALUES ('2566', 'DEMO-00005', 22, '2023-12-01', '', '', '', 'late', "
        "'2023-12-01 09:00:00')"
    )
    release.execute(
        "INSERT INTO trainee_status_change (intake, trainee_id, status, effective_on, reason, "
        "changed_at, os_user) VALUES ('2566', 'DEMO-00005', 'active', '2023-12-01', 'back', "
        "'2023-12-01 09:00:00', 'coord')"
    )
    release.execute(
        "INSERT INTO assignment_change (intake, changed_at, os_user, trainee_id, stage, "
        "old_code, new_code, reason) VALUES ('2566', '2023-12-01 09:00:00', 'coord', "
        "'DEMO-00005', 'pilot', NULL, '4001', 'back')"
    )
    release.execute(
        "INSERT INTO sent_log (intake, week, format, destination, sent_at) VALUES "
        "('2566', 22, 'text', '/srv/w22.txt', '2023-12-02 01:00:00')"
    )
    after = {t: max(r[0] for r in release.query(f"SELECT id FROM {t}")) for t in SERIAL_TABLES}
    assert after == {t: n + 1 for t, n in before.items()}
    [(week,)] = release.query("SELECT week FROM report WHERE note = 'late'")
    assert week == 22


# ---- one transaction; the way back ---------------------------------------------------------------


def test_an_upgrade_that_fails_midway_leaves_the_release_database_unchanged(cli, release):
    """A table in the way of the migration's work tables (made here on purpose) stops it after
    it has created the intake tables and set several tables aside: everything is rolled back."""
    release.execute("CREATE TABLE _old_trainee (keep TEXT)")  # the 6th table it sets aside
    release.execute("INSERT INTO _old_trainee VALUES ('mine')")
    before = release.dump()

    r = cli("--db", release.url, "assignments", "-f", "json", code=1)
    assert r.stdout == ""
    assert r.stderr.startswith("Error:") and "_old_trainee" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert release.dump() == before  # schema 0003, every row, no intake table
    assert revision_of(release) == [RELEASE_REVISION]
    assert "intake" not in release.tables()

    release.execute("DROP TABLE _old_trainee")
    upgrade_by_opening(cli, release)  # with the obstacle gone, the upgrade goes through
    assert revision_of(release) == [HEAD_REVISION]
    assert release.count("trainee") == 60


def downgrade_to(db: Any, revision: str) -> None:
    engine = create_engine(db.sa_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), revision)
    finally:
        engine.dispose()


def test_a_downgrade_to_0003_keeps_intake_2566(cli, release, tmp_path: Path):
    """Back at 0003 the database holds exactly what castctl 0.1.0 left (another intake's rows
    cannot be kept: that schema has no intakes), and upgrades again as before."""
    before = rows_as_0003(release, with_intake=False)
    upgrade_by_opening(cli, release)
    yaml = tmp_path / "2567.yaml"
    yaml.write_text(
        SECOND_INTAKE_YAML.format(mentor_name="x", mentor_email="x@example.go.th"),
        encoding="utf-8",
    )
    cli("--db", release.url, "intakes", "import", str(yaml))
    release.execute(
        "INSERT INTO trainee (intake, trainee_id, full_name, department, home_province, "
        "pilot_preferences, target_preferences, status, created_at, updated_at) VALUES "
        "('2567', 'DEMO-00001', 'x', 'OPS', '10', '', '', 'active', '2024-06-01 00:00:00', "
        "'2024-06-01 00:00:00')"
    )
    downgrade_to(release, RELEASE_REVISION)
    assert revision_of(release) == [RELEASE_REVISION]
    assert not {"intake", "intake_closure"} & set(release.tables())
    assert rows_as_0003(release, with_intake=False) == before

    upgrade_by_opening(cli, release)
    expected = json.loads((RELEASE_OUTPUT / "assignments.json").read_text(encoding="utf-8"))
    r = cli("--db", release.url, "assignments", "-f", "json")
    assert without_intake(r.json()) == expected
    assert schema_differences(release) == []


# ---- an export made by castctl 0.1.0 ------------------------------------------------------------


def test_a_release_export_imports_as_intake_2566(cli, backend, make_database, release):
    """``db import`` of an export written by castctl 0.1.0 (schema 0003) loads it as intake
    2566: the same rows as the upgraded database (but for the intake's timestamps)."""
    upgrade_by_opening(cli, release)
    new = make_database(backend)  # a new database: reference data and intake 2566
    r = cli("--db", new.url, "db", "import", str(RELEASE_OUTPUT / "export.json"))
    assert "made at schema 0003, before intakes" in r.stderr and "intake 2566" in r.stderr
    assert "1 intake, 60 trainees, 1165 reports" in r.stderr

    def rows(db: Any) -> dict[str, list[tuple[Any, ...]]]:
        store = open_store(db.url)
        try:
            out = table_rows(store)
        finally:
            store.close()
        out["intake"] = [r[:5] for r in out["intake"]]  # created_at, updated_at: when it ran
        return out

    assert rows(new) == rows(release)
    expected = json.loads((RELEASE_OUTPUT / "assignments.json").read_text(encoding="utf-8"))
    assert without_intake(cli("--db", new.url, "assignments", "-f", "json").json()) == expected


def test_an_export_of_an_unknown_older_shape_is_refused(cli, database, tmp_path: Path):
    doc = json.loads((RELEASE_OUTPUT / "export.json").read_text(encoding="utf-8"))
    doc["tables"]["trainee"]["columns"][1] = "name"  # not the 0003 column
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    before = database.dump()
    r = cli("db", "import", str(bad), "--yes", code=1)
    assert r.stderr.startswith("Error: bad.json: 1 problem found; nothing was written")
    assert "table trainee: columns" in r.stderr
    assert database.dump() == before
