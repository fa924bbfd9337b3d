"""Moving a whole dataset: reading it from a store, loading it into one (any backend), and
restoring a SQLite backup.

A dataset (``castctl.core.dataset.Dataset``) holds every table of the data model (bookkeeping
tables such as ``alembic_version`` excepted: its ``schema`` says which schema the rows belong
to), rows sorted by primary key in Python, dates and timestamps as ISO text. It is read in one
snapshot, so it is consistent while others write. Files are not this module's business:
``castctl.io.export_file`` writes and reads the JSON, ``castctl.app.maintenance`` joins both.

A dataset holds every intake (``intake``, its closures, and every intake-owned table with its
``intake`` column); ``--redact`` blanks the same personal columns and free text in every
intake. Loading
replaces every table of the dataset in one transaction (reference data included, so a round
trip leaves every table equal). An export made before intakes (schemas 0001-0003, castctl
0.1.0: one programme) is upgraded on the way in, as the 0004 migration upgrades a database:
every row belongs to the built-in intake 2566. Columns derived from others when a row is written
(``DERIVED``: a report's coverage words) are neither exported nor read: loading computes them,
so an export made at schema 0004, before they existed, loads as it is. On SQLite a database
that already holds a cohort is first copied to the backup file the caller names. Plain
portable SQL through ``Store.transaction``; the only PostgreSQL-specific step is moving the id
sequences past the loaded ids.

Restore (SQLite only) checks that a file is a castctl database, copies the current database to
the backup file the caller names and copies the file in through SQLite's online backup API, so
processes that have the database open see either the old or the restored data, never a mix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castctl.core.dataset import Dataset
from castctl.core.progress import COVERAGE_KINDS, COVERAGE_WORDS, coverage_words
from castctl.db.store import HEAD_REVISION, Store, now_text, plain_row
from castctl.errors import CastError, DatabaseError, InputError

if TYPE_CHECKING:
    from sqlalchemy import Table

Query = Callable[..., list[tuple[Any, ...]]]

# Tables that describe the database rather than hold data: never exported or replaced.
BOOKKEEPING = frozenset({"schema_version", "alembic_version"})
# Personal data dropped by ``--redact`` (PDPA): column -> redacted value. Names, addresses and
# login names, and free text someone typed (a report's note), which may name people or hold
# phone numbers.
REDACTED_COLUMNS: dict[str, dict[str, Any]] = {
    "trainee": {"full_name": "", "email": None},
    "mentor": {"name": None, "email": None},
    "trainee_status_change": {"os_user": ""},
    "assignment_change": {"os_user": ""},
    "report": {"note": ""},
}
# Reasons that castctl itself writes are codes and are kept; any other text in these columns was
# typed by a person (``trainees withdraw --reason``) and becomes "". A code added elsewhere and
# not here is blanked too: safe, and tests/test_pdpa.py names it.
KEPT_CODES: dict[str, dict[str, frozenset[str]]] = {
    "trainee_status_change": {"reason": frozenset({"imported"})},
    "assignment_change": {
        "reason": frozenset(
            {"first placement", "moved", "rematch-all", "freed by withdrawal", "demo"}
        )
    },
}
# Not redacted, as not personal: codes (departments, districts, vocabulary), dates, counts,
# intake titles and office-closure names (they name days, as the holidays do) and the
# reference data.
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_PROBLEMS = 200


def quote(name: str) -> str:
    """A quoted identifier: columns such as ``end``, ``date`` and ``format`` are SQL keywords."""
    return '"' + name.replace('"', '""') + '"'


# The dataset's tables in foreign-key order (parents first): the shared reference data, then
# the intakes, then what belongs to an intake. Exported and loaded in this order, deleted in the
# reverse one; tests/test_transfer.py checks it against the models' foreign keys.
DATASET_ORDER = (
    "province", "district", "pilot_district",
    "intake", "intake_closure", "mentor", "week", "holiday",
    "trainee", "trainee_status_change", "target_district", "assignment", "assignment_change",
    "report", "sent_log",
)  # fmt: skip
# Revisions before intakes (0004): the same data tables, without an ``intake`` column.
ONE_PROGRAMME_REVISIONS = ("0001", "0002", "0003")
# Revisions whose datasets have the head's shape (0005 added only derived columns).
HEAD_SHAPED_REVISIONS = ("0004",)
# Columns computed from a row's other columns when it is written, never in a dataset: table ->
# (derived columns, the columns they are computed from, the computation).
DERIVED: dict[str, tuple[tuple[str, ...], tuple[str, ...], Callable[..., tuple[Any, ...]]]] = {
    "report": (COVERAGE_WORDS, COVERAGE_KINDS, coverage_words),
}


def dataset_tables() -> list[Table]:
    """The tables of the data model, parents before children (foreign-key order)."""
    from castctl.db.models import SQLModel

    tables = SQLModel.metadata.tables
    unordered = sorted(set(tables) - set(DATASET_ORDER) - BOOKKEEPING)
    # A table added to the models but not to DATASET_ORDER still travels (after the others).
    return [tables[name] for name in (*DATASET_ORDER, *unordered) if name in tables]


def data_columns(table: Table) -> list[Any]:
    """The columns of ``table`` that a dataset holds (all but the derived ones)."""
    derived = DERIVED[table.name][0] if table.name in DERIVED else ()
    return [c for c in table.columns if c.name not in derived]


def _with_derived(
    table: str, columns: list[str], rows: Iterable[list[Any]]
) -> tuple[list[str], Iterable[list[Any]]]:
    """The columns to write and ``rows`` with the derived columns' values appended."""
    if table not in DERIVED:
        return columns, rows
    derived, sources, compute = DERIVED[table]
    at = [columns.index(c) for c in sources]
    return [*columns, *derived], ([*row, *compute(*(row[i] or "" for i in at))] for row in rows)


def schema_of(db: Store) -> str:
    """The schema revision of a castctl database (a new, empty one has none: an error here)."""
    revision = db.current_revision()
    if revision is None:
        raise DatabaseError(f"{db.display_location} holds no castctl schema yet")
    return revision


def _is_known_revision(revision: str) -> bool:
    from castctl.db import migrations

    return revision in migrations.revisions()


# ---- values -------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A database value as JSON: the same plain form every command prints (ISO dates and
    timestamps, ints for whole decimals), binary as hex."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return plain_row((value,))[0]


def _kind(column: Any) -> str:
    """int | date | datetime | text: what the import accepts for a column."""
    from sqlalchemy import Date, DateTime, Integer

    if isinstance(column.type, Integer):
        return "int"
    if isinstance(column.type, DateTime):
        return "datetime"
    if isinstance(column.type, Date):
        return "date"
    return "text"


def _checked_kind(column: Any) -> str:
    """What a value of the column must look like in a file: ``_kind`` of the type a wrapper
    such as sqlmodel's ``UTCDateTime`` stores (timestamps are checked as ISO timestamps)."""
    impl = getattr(column.type, "impl_instance", None)
    if impl is not None:
        return _kind(type("Column", (), {"type": impl}))
    return _kind(column)


def _parse_datetime(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _check_value(kind: str, value: Any) -> str | None:
    """Why ``value`` cannot go into a column of this kind, or None."""
    if value is None:
        return None
    if kind == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else "not an integer"
    if not isinstance(value, str):
        return "not text"
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "datetime":
            _parse_datetime(value)
    except ValueError:
        return f"not an ISO {kind}"
    return None


def _db_value(kind: str, value: Any, *, sqlite: bool) -> Any:
    """ISO text stays text on SQLite (stored as it was); other backends get date objects."""
    if value is None or sqlite:
        return value
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return _parse_datetime(value)
    return value


# ---- export -------------------------------------------------------------------------------


def _redact(tables: dict[str, dict[str, Any]]) -> None:
    for table, replacements in REDACTED_COLUMNS.items():
        block = tables.get(table)
        if not block:
            continue
        positions = [(block["columns"].index(c), v) for c, v in replacements.items()]
        for row in block["rows"]:
            for i, value in positions:
                row[i] = value
    for table, kept in KEPT_CODES.items():
        block = tables.get(table)
        if not block:
            continue
        codes = [(block["columns"].index(c), allowed) for c, allowed in kept.items()]
        for row in block["rows"]:
            for i, allowed in codes:
                if row[i] not in allowed:
                    row[i] = ""
    # Summary recipients are mail addresses: keep them distinct (a unique key) but anonymous.
    sent = tables.get("sent_log")
    if sent:
        i = sent["columns"].index("destination")
        addresses = sorted({r[i] for r in sent["rows"] if "@" in str(r[i])})
        alias = {a: f"recipient-{n}" for n, a in enumerate(addresses, start=1)}
        for row in sent["rows"]:
            row[i] = alias.get(row[i], row[i])


def read_dataset(db: Store, *, redact: bool = False) -> Dataset:
    """The whole dataset, read in one consistent snapshot; ``redact`` leaves out personal data
    (names, emails, login names, report notes, typed reasons; summary recipients become
    recipient-1, -2, …)."""
    tables: dict[str, dict[str, Any]] = {}
    with db.snapshot() as query:
        schema = schema_of(db)
        for table in dataset_tables():
            columns = [c.name for c in data_columns(table)]
            key = operator.itemgetter(*(columns.index(c.name) for c in table.primary_key.columns))
            sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(table.name)}"
            rows = [[_json_value(v) for v in row] for row in query(sql)]
            # Sorted in Python, never by a database collation: the same file from any backend.
            rows.sort(key=key)
            tables[table.name] = {"columns": columns, "rows": rows}
    if redact:
        _redact(tables)
    return Dataset(schema, tables, redacted=redact)


@dataclass
class _Table:
    table: Any
    columns: list[str]
    kinds: list[str]
    rows: list[list[Any]]


def _validate(dataset: Dataset, name: str) -> list[_Table]:
    """Every table present with the model's columns and well-typed values, or an InputError."""
    tables = dataset.tables
    problems: list[str] = []
    known = {t.name for t in dataset_tables()}
    for extra in sorted(set(tables) - known - BOOKKEEPING):
        problems.append(f"table {extra}: not a castctl table")
    out: list[_Table] = []
    for table in dataset_tables():
        block = tables.get(table.name)
        if not isinstance(block, dict):
            problems.append(f"table {table.name}: missing")
            continue
        columns, rows = block.get("columns"), block.get("rows")
        model = {c.name: c for c in data_columns(table)}
        if not isinstance(columns, list) or sorted(map(str, columns)) != sorted(model):
            problems.append(
                f"table {table.name}: columns {columns!r} differ from {sorted(model)!r}"
            )
            continue
        if not isinstance(rows, list):
            problems.append(f"table {table.name}: rows is not a list")
            continue
        kinds = [_kind(model[c]) for c in columns]
        checks = [_checked_kind(model[c]) for c in columns]
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(columns):
                problems.append(f"table {table.name}, row {n}: expected {len(columns)} values")
                continue
            for column, kind, value in zip(columns, checks, row, strict=True):
                why = _check_value(kind, value)
                if why:
                    problems.append(f"table {table.name}, row {n}, column {column}: {why}")
        out.append(_Table(table, list(columns), kinds, rows))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more")
        raise InputError(
            f"{name}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found; "
            "nothing was written",
            shown,
        )
    return out


@dataclass
class ImportResult:
    rows: dict[str, int]
    replaced_trainees: int
    backup: Path | None = None
    redacted: bool = False
    upgraded_from: str | None = None  # the schema of an export made before intakes

    def __str__(self) -> str:
        total = sum(self.rows.values())
        intakes = self.rows.get("intake", 0)
        text = (
            f"imported {total} rows in {len(self.rows)} tables ({intakes} "
            f"intake{'s' if intakes != 1 else ''}, {self.rows.get('trainee', 0)} "
            f"trainees, {self.rows.get('report', 0)} reports)"
        )
        if self.replaced_trainees:
            text += f", replacing a cohort of {self.replaced_trainees} trainees"
        return text


def _count(query: Query, table: str) -> int:
    return int(query(f"SELECT COUNT(*) FROM {quote(table)}")[0][0])


def _holds_data(query: Query) -> bool:
    """Anything a coordinator entered (not only the reference data first use loads)."""
    for table in (
        "trainee", "target_district", "report", "assignment_change", "sent_log", "intake_closure",
    ):  # fmt: skip
        if _count(query, table):
            return True
    if _count(query, "intake") > 1:  # an intake beside the built-in one
        return True
    return bool(
        query(
            "SELECT COUNT(*) FROM mentor WHERE name IS NOT NULL OR email IS NOT NULL "
            "OR capacity IS NOT NULL"
        )[0][0]
    )


def _reset_sequences(tx: Any, tables: Iterable[_Table]) -> None:
    """PostgreSQL: move each serial id past the imported ids (SQLite needs nothing)."""
    for t in tables:
        pk = list(t.table.primary_key.columns)
        if len(pk) != 1 or _kind(pk[0]) != "int":
            continue
        name, column = t.table.name, pk[0].name
        tx.query(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
            f"COALESCE(MAX({quote(column)}), 1), MAX({quote(column)}) IS NOT NULL) "
            f"FROM {quote(name)}"
        )


def _with_builtin_intake(dataset: Dataset) -> Dataset:
    """A dataset exported before intakes, as the 0004 migration would leave it: the built-in
    intake 2566 (no closures) owns every row. Tables or rows that are not of the expected shape
    are passed on as they are, for ``_validate`` to name."""
    from castctl.core.intakes import builtin_intake

    builtin = builtin_intake()
    now = now_text()
    tables: dict[str, Any] = dict(dataset.tables)
    for table in dataset_tables():
        name = table.name
        if name in ("intake", "intake_closure") and name not in tables:
            columns = [c.name for c in table.columns]
            values = {
                "name": builtin.name, "title": builtin.title, "start": builtin.start.isoformat(),
                "weeks": builtin.weeks, "pilot_weeks": builtin.pilot_weeks,
                "created_at": now, "updated_at": now,
            }  # fmt: skip
            rows = [[values[c] for c in columns]] if name == "intake" else []
            tables[name] = {"columns": columns, "rows": rows}
            continue
        block = tables.get(name)
        if "intake" not in table.columns or not isinstance(block, dict):
            continue
        old_columns, old_rows = block.get("columns"), block.get("rows")
        if (
            not isinstance(old_columns, list)
            or "intake" in old_columns
            or not isinstance(old_rows, list)
        ):
            continue
        tables[name] = {
            "columns": ["intake", *old_columns],
            "rows": [[builtin.name, *r] if isinstance(r, list) else r for r in old_rows],
        }
    return Dataset(HEAD_REVISION, tables, redacted=dataset.redacted)


def import_dataset(
    db: Store, dataset: Dataset, *, replace: bool, name: str, backup: Path | None
) -> ImportResult:
    """Load ``dataset`` into ``db`` in one transaction, replacing every table of the dataset.

    Refuses when the database already holds trainees unless ``replace``; on SQLite a database
    holding any data is first copied to ``backup`` (a new file name). ``name`` names the
    dataset in messages. A dataset from before intakes (``ONE_PROGRAMME_REVISIONS``) is loaded
    as intake 2566.
    """
    here = schema_of(db)
    there = dataset.schema
    upgraded_from = None
    if there in ONE_PROGRAMME_REVISIONS and here == HEAD_REVISION:
        dataset, upgraded_from = _with_builtin_intake(dataset), there
        there = dataset.schema
    if there in HEAD_SHAPED_REVISIONS and here == HEAD_REVISION:
        there = here
    if there != here:
        raise InputError(
            f"{name} was exported at schema {there}; this database is at schema {here}: "
            "upgrade the older side first (castctl db upgrade)"
        )
    tables = _validate(dataset, name)
    trainees = _count(db.read, "trainee")
    if trainees and not replace:
        raise InputError(
            f"the database already holds {trainees} trainees; importing {name} would replace "
            "its whole dataset: run again with --yes to do that"
        )
    result = ImportResult(
        rows={t.table.name: len(t.rows) for t in tables},
        replaced_trainees=trainees,
        redacted=dataset.redacted,
        upgraded_from=upgraded_from,
    )
    if backup is not None and db.is_sqlite and db.path is not None and _holds_data(db.read):
        db.backup_to(backup)
        result.backup = backup
    sqlite = db.is_sqlite
    try:
        with db.transaction() as tx:
            for t in reversed(tables):
                tx.execute(f"DELETE FROM {quote(t.table.name)}")
            for t in tables:
                columns, rows = _with_derived(
                    t.table.name,
                    t.columns,
                    (
                        [_db_value(k, v, sqlite=sqlite) for k, v in zip(t.kinds, row, strict=True)]
                        for row in t.rows
                    ),
                )
                tx.insert_rows(t.table.name, columns, rows)
            if not sqlite and db.url.startswith("postgresql"):
                _reset_sequences(tx, tables)
    except DatabaseError as exc:  # a constraint the rows break: the transaction rolled back
        raise DatabaseError(f"{name} could not be imported, nothing was written: {exc}") from None
    return result


# ---- restore (SQLite) -----------------------------------------------------------------------


@dataclass(frozen=True)
class SqliteFileInfo:
    path: Path
    schema: str
    trainees: int
    reports: int


def _check_castctl(conn: sqlite3.Connection, path: Path) -> SqliteFileInfo:
    """Integrity, the castctl tables and a schema this program can use; else DatabaseError."""
    label = str(path)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise DatabaseError(f"{label} is a damaged SQLite database ({check and check[0]})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        # Tables every castctl schema has had (a backup from an older castctl may lack newer
        # ones: it is upgraded on first use after the restore).
        if not {"district", "trainee", "report"} <= tables or not tables & {
            "schema_version",
            "alembic_version",
        }:
            raise DatabaseError(f"{label} is not a castctl database")
        if "alembic_version" in tables:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            schema = ",".join(sorted(str(r[0]) for r in rows)) or "?"
        else:  # castctl from before migrations: revision 0001 if its version is 1
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            schema = "0001" if row and int(row[0]) == 1 else f"version {row and row[0]}"
        if not _is_known_revision(schema):
            raise DatabaseError(
                f"{label} is at schema {schema}, newer than this castctl "
                f"({HEAD_REVISION}): upgrade castctl"
            )
        trainees = conn.execute("SELECT COUNT(*) FROM trainee").fetchone()[0]
        reports = conn.execute("SELECT COUNT(*) FROM report").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{label} is not a castctl database ({exc})") from None
    return SqliteFileInfo(path, schema, int(trainees), int(reports))


def inspect_backup(source: Path) -> SqliteFileInfo:
    """Check that a file is a castctl SQLite database and say what it holds; never writes it."""
    with verified_copy(source, None) as (info, _):
        return info


@contextlib.contextmanager
def verified_copy(source: Path, directory: Path | None) -> Iterator[tuple[SqliteFileInfo, Path]]:
    """A private copy of ``source`` (and its ``-wal``) in ``directory``, checked and checkpointed.

    The source itself is only read, byte for byte: checking it never changes it (opening it
    with SQLite could: a hot journal would be rolled back, a WAL checkpointed).
    """
    if not source.exists():
        raise InputError(f"{source} does not exist")
    if not source.is_file():
        raise InputError(f"{source} is not a file")
    try:
        with source.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}") from None
    if head != SQLITE_MAGIC:
        raise DatabaseError(f"{source} is not a castctl database (it is not SQLite)")
    try:
        fd, name = tempfile.mkstemp(prefix=".castctl-restore-", suffix=".db", dir=directory)
    except OSError as exc:
        raise DatabaseError(f"cannot write in {directory}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            shutil.copyfile(source, tmp)
            wal = Path(f"{source}-wal")
            if wal.is_file():
                shutil.copyfile(wal, f"{tmp}-wal")
        except OSError as exc:
            raise DatabaseError(f"cannot copy {source}: {exc.strerror}") from None
        conn = sqlite3.connect(tmp)
        try:
            info = _check_castctl(conn, source)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        yield info, tmp
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True)
class RestorePlan:
    target: Path
    source: SqliteFileInfo
    current_trainees: int | None  # None: no current database (or not readable)
    backup_pattern: str

    def describe(self) -> str:
        now = (
            "no database yet"
            if self.current_trainees is None
            else f"the current database ({self.current_trainees} trainees)"
        )
        return (
            f"restoring would replace {now} at {self.target} with {self.source.path} "
            f"({self.source.trainees} trainees, {self.source.reports} reports, schema "
            f"{self.source.schema}); the current one is first copied to {self.backup_pattern}"
        )


def restore_target(db: Store) -> Path:
    """The SQLite file a restore would replace; a CastError for any other backend."""
    if not db.is_sqlite or db.path is None:
        raise CastError(
            "db restore replaces a SQLite database file; for PostgreSQL use "
            "castctl db import FILE.json --yes"
        )
    return db.path


def _current_trainees(target: Path) -> int | None:
    if not target.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM trainee").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def plan_restore(db: Store, source: Path, backup_pattern: str) -> RestorePlan:
    """Check ``source`` and say what restoring it would do (writes nothing); the current
    database would first be copied to a file named like ``backup_pattern``."""
    target = restore_target(db)
    info = inspect_backup(source)
    return RestorePlan(target, info, _current_trainees(target), backup_pattern)


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    source: SqliteFileInfo
    backup: Path | None


def restore(db: Store, source: Path, backup: Path) -> RestoreResult:
    """Replace the SQLite database with ``source`` after checking it and copying the current
    one to ``backup`` (a new file name; not made when there is no current database).

    A healthy current database is overwritten through the online backup API (other connections
    keep working and see the restored data); a missing one is created from the copy; one that
    SQLite cannot open at all is kept aside byte for byte and replaced by the copy.
    """
    target = restore_target(db)
    if not target.parent.is_dir():
        raise DatabaseError(f"the directory {target.parent} does not exist")
    with verified_copy(source, target.parent) as (info, copy):
        if not target.exists():
            os.replace(copy, target)
            return RestoreResult(target, info, None)
        try:
            live = sqlite3.connect(target, timeout=30)
            live.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError:
            live = None
        if live is None:
            _keep_bytes(target, backup)
            os.replace(copy, target)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return RestoreResult(target, info, backup)
        try:
            db.backup_to(backup)
            db.close()  # the copy's connection: the restore writes through ``live`` only
            src = sqlite3.connect(copy)
            try:
                src.backup(live)
            finally:
                src.close()
        except sqlite3.Error as exc:
            raise DatabaseError(f"restoring {source} failed, nothing was changed: {exc}") from None
        finally:
            db.close()
            live.close()
    return RestoreResult(target, info, backup)


def _keep_bytes(target: Path, backup: Path) -> None:
    try:
        fd = os.open(backup, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        shutil.copyfile(target, backup)
        wal = Path(f"{target}-wal")
        if wal.is_file():
            shutil.copyfile(wal, f"{backup}-wal")
    except OSError as exc:
        backup.unlink(missing_ok=True)
        raise DatabaseError(f"cannot keep a copy of {target}: {exc.strerror}") from None


def table_rows(db: Store, names: Sequence[str] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the dataset's tables, sorted, in one canonical form whatever the backend
    (timestamps as ``YYYY-MM-DD HH:MM:SS[.ffffff]``): for comparing databases."""
    dataset = read_dataset(db)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in dataset_tables():
        if names is not None and table.name not in names:
            continue
        block = dataset.tables[table.name]
        kinds = [_kind(c) for c in data_columns(table)]
        out[table.name] = [
            tuple(
                _parse_datetime(v).isoformat(sep=" ") if k == "datetime" and v else v
                for k, v in zip(kinds, row, strict=True)
            )
            for row in block["rows"]
        ]
    return out
