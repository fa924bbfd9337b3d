"""The storage interface every use case takes: ``Store`` and its transaction ``Tx``, and
``open_store``, which picks the backend once, from the location.

- a plain path or ``sqlite:///PATH``: ``SqliteStore`` (``castctl.db.sqlite_store``, the standard
  library's ``sqlite3``);
- ``postgresql://…`` or ``postgresql+psycopg://…``: ``PostgresStore``
  (``castctl.db.postgres_store``, psycopg 3);
- anything else is refused: castctl's SQL, locks and tests cover these two only.

Every store runs plain SQL with ``:name`` parameters and returns rows as ``sqlite3`` gives them
(``plain_row``), so a command prints the same bytes on either backend. SQLAlchemy is imported
only to upgrade an older database through alembic (and by ``Store.session`` until its last
user moves to plain SQL); ``castctl timeline`` on an up-to-date database never imports it.

``Store.ensure_ready`` reads the schema revision (alembic's ``alembic_version``) and compares it
with ``HEAD_REVISION``. A new database is created from ``castctl.db.schema_ddl`` (the models'
DDL) and stamped at head, with the reference data, in one write transaction of the store's own
driver; an older one goes through the migrations (``castctl.db.migrations``) under the write
lock, after a backup of an older SQLite file; a revision this castctl does not know means a
newer castctl wrote the database: refused.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castctl.db.location import hide_password, is_url, url_passwords
from castctl.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

__all__ = [
    "HEAD_REVISION",
    "Query",
    "Store",
    "Tx",
    "Upgrade",
    "now_text",
    "open_store",
    "os_user",
    "plain_row",
]

# The newest revision in castctl.db.migrations (tests/test_migrations.py keeps the two equal).
# Start-up compares the database with it without importing alembic.
HEAD_REVISION = "0005"
# Serialises writers and migrations on PostgreSQL (pg_advisory_xact_lock); SQLite uses its
# write lock (BEGIN IMMEDIATE). One key, so a migration and a write never overlap either.
WRITE_LOCK_KEY = 0x63617374  # "cast"
MIGRATION_LOCK_KEY = WRITE_LOCK_KEY
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 5

SUPPORTED_FORMS = "a SQLite file path, sqlite:///PATH, postgresql://… or postgresql+psycopg://…"

Row = tuple[Any, ...]  # as sqlite3 returns a row
Query = Callable[..., list[Row]]  # query(sql, params=None) -> rows


def open_store(location: str, *, create_dirs: bool = False) -> Store:
    """The store for ``location``, not connected yet (``ensure_ready`` prepares the schema).

    ``create_dirs``: a new SQLite file's missing folders may be created (the default location).
    """
    scheme = location.split("://", 1)[0] if is_url(location) else None
    if scheme is None or scheme == "sqlite":
        from castctl.db.sqlite_store import SqliteStore

        return SqliteStore(location, create_dirs=create_dirs)
    if scheme in ("postgresql", "postgresql+psycopg"):
        from castctl.db.postgres_store import PostgresStore

        return PostgresStore(location)
    raise DatabaseError(
        f"cannot use database URL {hide_password(location)}: castctl supports {SUPPORTED_FORMS}"
    )


class Tx(ABC):
    """Plain SQL (``:name`` parameters) inside ``Store.transaction``."""

    @abstractmethod
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Rows of one statement, as ``plain_row`` gives them."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement (an UPDATE, an upsert) once per parameter mapping. New rows go in
        faster through ``insert_rows``."""

    @abstractmethod
    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_conflicts_on: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        """Insert many rows of ``columns`` values (each row in ``columns`` order), the fastest
        way the backend has. With ``skip_conflicts_on`` (a unique key), rows whose key is already
        stored are left out (``ON CONFLICT (key) DO NOTHING``); without it a duplicate fails.
        ``constants`` (column -> value) are columns with the same value in every row, given
        once here instead of in each row (SQLite binds each of them once a statement)."""


class Store(ABC):
    """An open database: reads, snapshots, write transactions, schema bookkeeping."""

    is_sqlite: bool
    dialect: str  # the key of castctl.db.schema_ddl.STATEMENTS
    # The tables of the current schema, one name a row (``_classify``).
    TABLES_SQL: str

    def __init__(self, location: str) -> None:
        self.location = location  # may hold a password: never print it
        self.display_location = hide_password(location)  # for messages
        self.path: Path | None = None  # the SQLite file; None on a server
        self.url = location  # the SQLAlchemy URL, for alembic
        self._engine: Engine | None = None

    # ---- plain SQL ----------------------------------------------------------------------
    @abstractmethod
    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only query with ``:name`` parameters and return all rows as tuples.

        Values come back as ``sqlite3`` gives them on every backend (``plain_row``), so that
        output is the same byte for byte on SQLite and PostgreSQL.
        """

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Tx]:
        """One write transaction, committed on success, rolled back on any error, under the
        write lock taken up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL an advisory lock):
        concurrent writers queue instead of interleaving a read-then-write or failing
        half-way."""

    @abstractmethod
    def snapshot(self) -> contextlib.AbstractContextManager[Query]:
        """A read-only transaction: every query inside sees the same committed state.
        Yields a ``query(sql, params)`` function."""

    @abstractmethod
    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database in the new file ``target``."""

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ---- schema revision ------------------------------------------------------------------
    @abstractmethod
    def current_revision(self) -> str | None:
        """The schema revision the database is at; None for a new (missing or empty) one.

        Reads only. A castctl database from before migrations counts as revision 0001.
        """

    def _classify(self, query: Callable[[str], list[Row]]) -> tuple[str | None, bool]:
        """Which castctl schema revision the database is at, and whether alembic has stamped it.

        Raises for a database of another program: tables, but not castctl's.
        """
        tables = {str(r[0]) for r in query(self.TABLES_SQL)}
        foreign = DatabaseError(f"{self.display_location} is not a castctl database")
        if "alembic_version" in tables:
            revisions = sorted(str(r[0]) for r in query("SELECT version_num FROM alembic_version"))
            if not revisions:  # every migration undone, or another program's empty stamp
                if tables - {"alembic_version"}:
                    raise foreign
                return None, True
            if "district" not in tables:  # castctl has had it since 0001
                raise foreign
            return ",".join(revisions), True
        if "schema_version" in tables:  # castctl before migrations: schema 0001, integer version
            rows = query("SELECT version FROM schema_version")
            if not rows:
                raise DatabaseError(
                    f"{self.display_location} is not a castctl database (no version)"
                )
            if int(rows[0][0]) != 1:
                raise DatabaseError(
                    f"the database is at schema version {rows[0][0]}, newer than this castctl "
                    f"({HEAD_REVISION}): upgrade castctl"
                )
            from castctl.db.migrations import PRE_ALEMBIC_REVISION

            return PRE_ALEMBIC_REVISION, False
        if tables:
            raise foreign
        return None, True

    def ensure_ready(self) -> Upgrade | None:
        """Bring the database to ``HEAD_REVISION``; say what was done (None: nothing was needed).

        Up to date (the usual case): one or two queries, no SQLAlchemy or alembic import. New:
        the schema from the models, the head stamp and the reference data in one transaction.
        Older: a SQLite file is first copied next to itself
        (``…backup-YYYYmmdd-HHMMSS-revNNNN``), then upgraded by the migrations. Newer (a
        revision this castctl does not know): ``DatabaseError``, and the database is not touched.
        """
        try:
            revision = self.current_revision()  # no lock: the usual answer is "up to date"
            if revision == HEAD_REVISION:
                return None
            self._refuse_newer(revision)  # before anything writes to the database
            self._prepare_for_writing()
            return self._create() if revision is None else self._migrate()
        except BaseException:
            self.close()  # a refused file is left as found: no -wal/-shm beside it
            raise

    @abstractmethod
    def _prepare_for_writing(self) -> None:
        """What must hold before the first write (SQLite: the file, 0600, in WAL mode)."""

    def _refused_race(self, revision: str) -> Upgrade | None:
        """An older schema appeared while this castctl was about to create a new one (another,
        older castctl created it): leave it to the next start, which upgrades it."""
        raise DatabaseError(
            f"{self.display_location} was just created at schema revision {revision} by "
            "another castctl; run the command again"
        )

    def _refuse_newer(self, revision: str | None) -> None:
        if revision is None or revision == HEAD_REVISION:
            return
        from castctl.db import migrations

        if revision not in migrations.revisions():
            raise DatabaseError(
                f"the database is at schema revision {revision}, newer than this castctl "
                f"({HEAD_REVISION}): upgrade castctl"
            )

    def _create(self) -> Upgrade | None:
        """A new database: the head schema, its stamp and the reference data, in one write
        transaction of the store's own driver (no alembic, no SQLAlchemy: twice as fast as
        replaying the migrations). The revision is read again under the write lock: when several
        processes open a new database at once, one creates it and the others find it done."""
        from castctl.db.reference import load_reference_data
        from castctl.db.schema_ddl import STATEMENTS

        with self.transaction() as tx:
            revision, _ = self._classify(lambda sql: tx.query(sql))
            if revision is not None:  # made meanwhile by another process
                return None if revision == HEAD_REVISION else self._refused_race(revision)
            for statement in STATEMENTS[self.dialect]:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO alembic_version (version_num) VALUES (:head)", {"head": HEAD_REVISION}
            )
            load_reference_data(tx)
        return Upgrade(None, HEAD_REVISION)

    # ---- SQLAlchemy: migrations, and the ORM session of the last ORM users ------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    @abstractmethod
    def _make_engine(self) -> Engine: ...

    @abstractmethod
    def _lock_for_migration(self, conn: Connection) -> None:
        """Take the write lock on a SQLAlchemy connection (SQLite: its BEGIN IMMEDIATE does)."""

    def _migrate(self) -> Upgrade | None:
        """Upgrade under the write lock, re-checking the revision there: when several processes
        open an older database at once, one migrates and the others find it done."""
        from sqlalchemy.exc import SQLAlchemyError

        self._upgrade_backup: Path | None = None
        try:
            # conn.begin() issues BEGIN IMMEDIATE on SQLite: the write lock, up front.
            bind = self.engine.execution_options(castctl_write=True)
            with bind.connect() as conn, conn.begin():
                self._lock_for_migration(conn)
                return self._migrate_locked(conn)
        except BaseException as exc:
            # The upgrade rolled back: the database is as the copy is, so the copy would only
            # be one more file of personal data per failed attempt.
            if self._upgrade_backup is not None:
                self._upgrade_backup.unlink(missing_ok=True)
            if isinstance(exc, SQLAlchemyError):
                raise DatabaseError(self._describe(exc)) from None
            raise

    def _migrate_locked(self, conn: Connection) -> Upgrade | None:
        from castctl.db import migrations

        revision, stamped = self._classify(
            lambda sql: [tuple(r) for r in conn.exec_driver_sql(sql)]
        )
        if revision == HEAD_REVISION:
            return None
        self._refuse_newer(revision)
        if revision is None:  # emptied since: create it as new, in this transaction
            migrations.upgrade(conn)
            from castctl.db.reference import load_reference_data

            load_reference_data(_SqlAlchemyTx(conn))
            return Upgrade(None, HEAD_REVISION)
        backup = self._upgrade_backup = self._backup_before_upgrade(revision)
        migrations.upgrade(conn, stamp=None if stamped else revision)
        return Upgrade(revision, HEAD_REVISION, backup)

    def _backup_before_upgrade(self, revision: str) -> Path | None:
        """A copy of the database before its schema changes (SQLite); None on a server."""
        return None

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A SQLModel session in one transaction: committed on success, rolled back on error.

        Transitional: kept for ``castctl mentors set`` until it is rewritten in plain SQL; use
        ``transaction`` in new code. ``write=True`` takes the write lock at BEGIN.
        """
        from sqlalchemy.exc import OperationalError
        from sqlmodel import Session

        bind = self.engine.execution_options(castctl_write=write)
        try:
            with Session(bind) as session, session.begin():
                if write:
                    self._lock_for_migration(session.connection())
                yield session
        except OperationalError as exc:
            raise DatabaseError(self._describe(exc.orig or exc)) from None

    # ---- messages -------------------------------------------------------------------------
    def _describe(self, exc: BaseException) -> str:
        """One line for the user: the driver's own first line, and never the URL's password."""
        exc = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
        lines = str(exc).strip().splitlines()
        text = lines[0].strip() if lines else type(exc).__name__
        for secret in url_passwords(self.location):
            text = text.replace(secret, "***")
        where = self.display_location
        if "file is not a database" in text or "malformed" in text:
            return f"{where} is not a castctl database (it is not SQLite or is damaged)"
        if "no such table" in text or "does not exist" in text and "relation" in text:
            return f"{where} is not a castctl database ({text})"
        if not self.is_sqlite and any(w in text.lower() for w in ("connect", "timeout", "resolve")):
            return f"cannot connect to the database {where}: {text}"
        return f"database error on {where}: {text}"


class _SqlAlchemyTx(Tx):
    """Plain SQL on a SQLAlchemy connection: only inside a migration's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        from sqlalchemy import text

        return int(self.conn.execute(text(sql), dict(params or {})).rowcount)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from sqlalchemy import text

        return [plain_row(r) for r in self.conn.execute(text(sql), dict(params or {}))]

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        from sqlalchemy import text

        if rows:
            self.conn.execute(text(sql), [dict(r) for r in rows])

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_conflicts_on: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        columns, rows = with_constants(columns, rows, constants)
        sql = insert_statement(table, columns, skip_conflicts_on, placeholder=":{}")
        self.executemany(sql, [dict(zip(columns, r, strict=True)) for r in rows])


def with_constants(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], constants: Mapping[str, Any] | None
) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """``insert_rows``' columns and rows with its ``constants`` written into every row (first),
    for a backend that takes them row by row."""
    if not constants:
        return columns, rows
    head = tuple(constants.values())
    return (*constants, *columns), (head + tuple(row) for row in rows)


def insert_in_batches(
    rows: Iterable[Sequence[Any]],
    per: int,
    statement: Callable[[int], str],
    executemany: Callable[[str, Iterable[list[Any]]], Any],
    execute: Callable[[str, list[Any]], Any],
    first: Sequence[Any] = (),
) -> None:
    """Insert ``rows`` with multi-row INSERTs of ``per`` rows each (``statement(n)``: the
    INSERT of n rows), in order, the shorter rest last. Streams: one batch in memory at a time.
    ``first``: values bound ahead of each batch's rows (constants the statement numbers once)."""
    short: list[tuple[int, list[Any]]] = []  # the last batch, when it is not full

    def full_batches() -> Iterator[list[Any]]:
        it = iter(rows)
        while batch := list(islice(it, per)):
            values = list(first)
            values.extend(chain.from_iterable(batch))
            if len(batch) == per:
                yield values
            else:
                short.append((len(batch), values))

    executemany(statement(per), full_batches())
    for n, values in short:
        execute(statement(n), values)


def insert_statement(
    table: str,
    columns: Sequence[str],
    skip_conflicts_on: Sequence[str] | None,
    *,
    placeholder: str,
    rows: int = 1,
) -> str:
    """``INSERT INTO table (columns) VALUES (…)``, ``rows`` value tuples of ``placeholder``
    (formatted with each column name), with ``ON CONFLICT (key) DO NOTHING`` when asked."""
    one = "(" + ", ".join(placeholder.format(c) for c in columns) + ")"
    return insert_sql(table, columns, [one] * rows, skip_conflicts_on)


def insert_sql(
    table: str,
    columns: Sequence[str],
    tuples: Sequence[str],
    skip_conflicts_on: Sequence[str] | None,
) -> str:
    """``INSERT INTO table (columns) VALUES tuple, …`` (each tuple written out, such as
    ``"(?, ?)"``), with ``ON CONFLICT (key) DO NOTHING`` when asked."""
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join(tuples)
    if skip_conflicts_on:
        sql += " ON CONFLICT (" + ", ".join(f'"{c}"' for c in skip_conflicts_on) + ") DO NOTHING"
    return sql


@dataclass(frozen=True)
class Upgrade:
    """What ``Store.ensure_ready`` did to the schema."""

    from_revision: str | None  # None: the database was new
    to_revision: str
    backup: Path | None = None

    @property
    def created(self) -> bool:
        return self.from_revision is None

    def describe(self) -> str:
        if self.from_revision is None:
            return f"created the database at schema revision {self.to_revision}"
        text = (
            f"upgraded the database from schema revision {self.from_revision} to {self.to_revision}"
        )
        if self.backup is not None:
            text += f"; the previous file is kept as {self.backup}"
        return text


# What a server's driver returns and sqlite3 never does (see ``plain_row``).
_CONVERTED = (_dt.date, Decimal)  # datetime is a date


def plain_row(row: Sequence[Any]) -> Row:
    """A row as ``sqlite3`` would return it, from any backend's driver.

    sqlite3 gives dates and timestamps as the ISO text castctl stored and integer sums as
    ``int``; PostgreSQL's driver gives ``date``, zone-aware ``datetime`` (in the session's time
    zone) and ``Decimal`` (``SUM`` of a ``bigint``). Converted here, once, every command prints
    the same on both backends: timestamps as UTC ``YYYY-MM-DD HH:MM:SS``, dates as
    ``YYYY-MM-DD``, whole decimals as ``int``.
    """
    return tuple(_plain(v) if isinstance(v, _CONVERTED) else v for v in row)


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    integral = value.to_integral_value()  # Decimal
    return int(integral) if integral == value else float(value)


def now_text() -> str:
    """UTC now as stored in timestamp columns ("YYYY-MM-DD HH:MM:SS")."""
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers, cron with odd UIDs)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def rows_as_dicts(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]
