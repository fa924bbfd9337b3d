"""Where the database is, how to open it, and its first-use initialisation.

Two ways in, one module:
- ``Database.read`` runs plain SQL. On SQLite it uses the standard library's ``sqlite3`` and
  never imports SQLAlchemy, so ``castctl timeline`` starts in a fraction of a second.
- ``Database.session`` is a SQLModel session for commands that write or need the ORM.

``Database.ensure_ready`` checks the schema version with the light path and only falls back to
creating the schema and loading reference data when the database is new or older.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castctl.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

SCHEMA_VERSION = 1
ENV_VAR = "CASTCTL_DB"
BUSY_TIMEOUT_MS = 30_000


def default_location() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("castctl", appauthor=False)) / "castctl.db"


def resolve_location(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--db`` beats ``CASTCTL_DB`` beats the platformdirs user data dir."""
    environ = os.environ if environ is None else environ
    if option:
        return option
    if environ.get(ENV_VAR):
        return environ[ENV_VAR]
    return str(default_location())


def is_url(location: str) -> bool:
    return "://" in location


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers, cron with odd UIDs)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


class Database:
    def __init__(self, location: str, *, create_dirs: bool = False) -> None:
        self.location = location
        self._create_dirs = create_dirs
        self._engine: Engine | None = None
        self._conn: sqlite3.Connection | None = None
        self.path: Path | None = None
        if not is_url(location):
            self.path = Path(location).expanduser()
            self.url = f"sqlite:///{self.path}"
        elif location.startswith("sqlite:///"):
            raw = location.removeprefix("sqlite:///").split("?", 1)[0]
            self.path = Path(raw) if raw and raw != ":memory:" else None
            self.url = location
        else:
            self.url = location
        self.is_sqlite = self.url.startswith("sqlite")

    # ---- light path -------------------------------------------------------------------
    def _sqlite(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path is None:
                raise DatabaseError("an in-memory SQLite database cannot be shared; give a file")
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
                conn.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot open the database at {self.path}: {exc}") from None
            self._conn = conn
        return self._conn

    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only query with ``:name`` parameters and return all rows as tuples."""
        params = dict(params or {})
        if self.is_sqlite:
            try:
                return self._sqlite().execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(self._describe(exc)) from None
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def _describe(self, exc: Exception) -> str:
        text = str(exc)
        if "file is not a database" in text or "malformed" in text:
            return f"{self.location} is not a castctl database (it is not SQLite or is damaged)"
        if "no such table" in text:
            return f"{self.location} is not a castctl database ({text})"
        return f"database error on {self.location}: {text}"

    def schema_version(self) -> int | None:
        """The stored schema version, or None for a new/empty database."""
        if self.is_sqlite:
            if self.path is None or not self.path.exists() or self.path.stat().st_size == 0:
                return None
            try:
                conn = self._sqlite()
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(self._describe(exc)) from None
            if "schema_version" not in tables:
                if tables:
                    raise DatabaseError(f"{self.location} is not a castctl database")
                return None
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            return int(row[0]) if row else None
        from sqlalchemy import inspect

        if not inspect(self.engine).has_table("schema_version"):
            return None
        rows = self.read("SELECT version FROM schema_version")
        return int(rows[0][0]) if rows else None

    # ---- heavy path -------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        if not self.is_sqlite:
            try:
                return create_engine(self.url, pool_pre_ping=True)
            except Exception as exc:  # unknown dialect or driver not installed
                raise DatabaseError(f"cannot use database URL: {exc}") from None
        engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN, so writers can take the lock up front.
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA foreign_keys = ON")
            dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dbapi_conn.execute("PRAGMA synchronous = NORMAL")

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("castctl_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        ``write=True`` takes SQLite's write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers
        never interleave a read-then-write and no one fails half-way with "database is locked".
        """
        from sqlalchemy.exc import OperationalError
        from sqlmodel import Session

        bind = self.engine.execution_options(castctl_write=write)
        try:
            with Session(bind) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise DatabaseError(self._describe(exc.orig or exc)) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One write transaction in plain SQL (``:name`` parameters), committed on success.

        On SQLite this is the standard library's ``sqlite3`` under ``BEGIN IMMEDIATE`` (the write
        lock is taken up front, so concurrent writers queue instead of failing half-way) and it
        imports no SQLAlchemy: bulk imports stay fast. Elsewhere it is a SQLAlchemy connection.
        """
        if self.is_sqlite:
            conn = self._sqlite()
            previous = conn.isolation_level
            conn.isolation_level = None
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                conn.isolation_level = previous
                raise DatabaseError(self._describe(exc)) from None
            try:
                yield _SqliteTx(conn)
                conn.execute("COMMIT")
            except BaseException as exc:
                conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    raise DatabaseError(self._describe(exc)) from None
                raise
            finally:
                conn.isolation_level = previous
            return
        with self.engine.begin() as sa_conn:
            yield _SqlAlchemyTx(sa_conn)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ---- first use --------------------------------------------------------------------
    def _create_sqlite_file(self) -> None:
        """Create the file ourselves so it is 0600 from its first byte (PDPA: personal data)."""
        assert self.path is not None
        parent = self.path.parent
        if not parent.exists():
            if not self._create_dirs:
                raise DatabaseError(f"the directory {parent} does not exist")
            try:
                parent.mkdir(parents=True, mode=0o700, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create {parent}: {exc.strerror}") from None
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DatabaseError(f"cannot create the database {self.path}: {exc.strerror}") from None

    def ensure_ready(self) -> None:
        """Create the schema and load reference data on first use; cheap when already done."""
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            return
        if version is not None and version > SCHEMA_VERSION:
            raise DatabaseError(
                f"the database is at schema version {version}, newer than this castctl "
                f"({SCHEMA_VERSION}): upgrade castctl"
            )
        if self.is_sqlite and self.path is not None and not self.path.exists():
            self._create_sqlite_file()
        if self.is_sqlite and self.path is not None and not os.access(self.path, os.W_OK):
            raise DatabaseError(f"the database {self.path} is not writable")
        self._initialise()

    def _initialise(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from castctl.db import models
        from castctl.db.reference import load_reference_data

        try:
            if self.is_sqlite:
                self._sqlite().execute("PRAGMA journal_mode = WAL")
            with self.session(write=True) as session:
                # Re-check under the write lock: another process may have just done this.
                conn = session.connection()
                models.SQLModel.metadata.create_all(conn)
                if session.get(models.SchemaVersion, 1) is None:
                    load_reference_data(session)
                    session.add(models.SchemaVersion(id=1, version=SCHEMA_VERSION))
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(getattr(exc, "orig", None) or exc)) from None

    def backup_to(self, target: Path) -> None:
        """A consistent copy through SQLite's online backup API, safe while others write."""
        if not self.is_sqlite:
            raise DatabaseError("db backup of a non-SQLite database is not supported yet")
        if target.exists():
            raise DatabaseError(f"{target} already exists; choose a new file name")
        if not target.parent.is_dir():
            raise DatabaseError(f"the directory {target.parent} does not exist")
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            dest = sqlite3.connect(target)
            try:
                self._sqlite().backup(dest)
            finally:
                dest.close()
        except (OSError, sqlite3.Error) as exc:
            target.unlink(missing_ok=True)
            raise DatabaseError(f"backup to {target} failed: {exc}") from None


class Tx:
    """Plain-SQL access inside ``Database.transaction``."""

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError


class _SqliteTx(Tx):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return self.conn.execute(sql, dict(params or {})).rowcount

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, dict(params or {})).fetchall()


class _SqlAlchemyTx(Tx):
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        from sqlalchemy import text

        return int(self.conn.execute(text(sql), dict(params or {})).rowcount)

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        from sqlalchemy import text

        if rows:
            self.conn.execute(text(sql), [dict(r) for r in rows])

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        return [tuple(r) for r in self.conn.execute(text(sql), dict(params or {}))]


def now_text() -> str:
    """UTC now as stored in timestamp columns ("YYYY-MM-DD HH:MM:SS")."""
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")


def rows_as_dicts(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]
