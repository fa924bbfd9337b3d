"""PostgreSQL bulk loads check foreign keys once, after the rows are in (``PostgresTx.BULK_ROWS``).

A COPY of at least ``BULK_ROWS`` rows drops the table's foreign keys and adds them back, as the
catalog defines them, in the same transaction. These tests check what that must never change:
every constraint is there afterwards, exactly as before and validated; a row that breaks one
fails the whole import and writes nothing; and when the table's locks are taken by another
session, or the user does not own the tables, the import still succeeds with the row-by-row
checks and leaves the constraints untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from castctl.db.postgres_store import PostgresTx
from castctl.db.store import open_store
from castctl.errors import DatabaseError
from tests.cohort_files import make_cohort, write_csv

pytestmark = pytest.mark.postgresql_only

BULK = PostgresTx.BULK_ROWS


def foreign_keys(db: Any) -> dict[tuple[str, str], tuple[str, bool, int]]:
    """(table, constraint) -> (definition, validated, oid) of every foreign key in the schema."""
    rows = db.query(
        "SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid), "
        "con.convalidated, con.oid::bigint FROM pg_constraint con "
        "JOIN pg_class c ON c.oid = con.conrelid "
        "WHERE con.contype = 'f' AND c.relnamespace = current_schema()::regnamespace"
    )
    return {(table, name): (definition, ok, oid) for table, name, definition, ok, oid in rows}


def definitions(keys: dict[tuple[str, str], tuple[str, bool, int]]) -> dict[Any, Any]:
    return {key: (definition, ok) for key, (definition, ok, _) in keys.items()}


def connect(db: Any) -> psycopg.Connection[Any]:
    """A second session on the test's database, as another office's castctl would have."""
    store = open_store(db.url)
    try:
        args = store._connect_args()  # type: ignore[attr-defined]
    finally:
        store.close()
    return psycopg.connect(**args)


def test_a_large_import_keeps_every_foreign_key_as_it_was(cli, database, tmp_path: Path):
    before = foreign_keys(database)
    assert ("trainee", "trainee_intake_fkey") in before  # the schema has the keys to keep
    people = make_cohort(BULK + 10)
    cli("trainees", "import", write_csv(tmp_path / "cohort.csv", people))

    after = foreign_keys(database)
    assert definitions(after) == definitions(before)
    assert all(ok for _, ok, _ in after.values())
    # The trainee table's keys were added back (new constraints), the untouched tables' not.
    for key, (_, _, oid) in after.items():
        assert (oid != before[key][2]) == (key[0] in ("trainee", "trainee_status_change")), key
    assert database.count("trainee") == len(people)
    # The constraints work: a status change of a trainee that does not exist is refused.
    with pytest.raises(DatabaseError, match="foreign key"):
        database.execute(
            "INSERT INTO trainee_status_change (intake, trainee_id, status, effective_on, "
            "reason, changed_at, os_user) VALUES ('2566', 'NOBODY', 'active', '2023-07-03', "
            "'x', '2023-07-03 00:00:00', 'x')"
        )


def test_a_bulk_load_that_breaks_a_foreign_key_writes_nothing(database):
    before, dump = foreign_keys(database), database.dump()
    rows = [
        ("2566", f"T{i:05d}", "นายสมชาย ใจดี", "DOPA", "10", "", "", "", "active",
         "2023-07-01 00:00:00", "2023-07-01 00:00:00")
        for i in range(BULK + 10)
    ]  # fmt: skip
    rows[-1] = (*rows[-1][:4], "99", *rows[-1][5:])  # no province 99
    store = open_store(database.url)
    try:
        with (
            pytest.raises(DatabaseError, match='violates foreign key constraint "trainee_home'),
            store.transaction() as tx,
        ):
            tx.insert_rows(
                "trainee",
                ("intake", "trainee_id", "full_name", "department", "home_province", "email",
                 "pilot_preferences", "target_preferences", "status", "created_at",
                 "updated_at"),
                rows,
            )  # fmt: skip
    finally:
        store.close()
    assert database.dump() == dump
    assert foreign_keys(database) == before


def test_tables_another_session_reads_are_loaded_with_row_checks(cli, database, tmp_path: Path):
    before = foreign_keys(database)
    people = make_cohort(BULK + 10)
    with connect(database) as reader:
        # An open transaction that has read the intakes holds a lock that dropping the trainee
        # table's key to them must wait for: the import does not wait, it checks row by row.
        reader.execute("SELECT count(*) FROM intake").fetchone()
        cli("trainees", "import", write_csv(tmp_path / "cohort.csv", people))
        assert reader.execute("SELECT count(*) FROM intake").fetchone() == (1,)
    after = foreign_keys(database)
    assert definitions(after) == definitions(before)
    # The trainee table's keys are the very same constraints, never dropped. (The status
    # changes' key refers to no table the reader holds: that one was checked once.)
    trainee_keys = [key for key in before if key[0] == "trainee"]
    assert len(trainee_keys) == 2
    assert all(after[key] == before[key] for key in trainee_keys)
    assert database.count("trainee") == len(people)


def test_a_user_who_does_not_own_the_tables_imports_with_row_checks(cli, database, tmp_path: Path):
    """A ministry DBA may own the tables and grant castctl's user only reading and writing."""
    name = database.url.split("@/", 1)[1].split("?", 1)[0]
    clerk = f"clerk_{name}"
    database.execute(f"CREATE ROLE {clerk} LOGIN")
    database.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {clerk}"
    )
    database.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {clerk}")
    before = foreign_keys(database)
    people = make_cohort(BULK + 10)
    as_clerk = database.url.replace("://postgres@", f"://{clerk}@", 1)
    assert as_clerk != database.url
    cli("--db", as_clerk, "trainees", "import", write_csv(tmp_path / "cohort.csv", people))
    assert foreign_keys(database) == before
    assert database.count("trainee") == len(people)
