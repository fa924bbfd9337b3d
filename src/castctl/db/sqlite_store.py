"""``SqliteStore``: a castctl database in a SQLite file, through the standard library's
``sqlite3`` (no SQLAlchemy: ``castctl timeline`` starts in a fraction of a second).

The file is created 0600 (personal data), kept in WAL mode (readers never block the writer),
waits up to ``BUSY_TIMEOUT_MS`` for a lock, and every write transaction starts with
``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castctl.db.location import is_url
from castctl.db.store import (
    BUSY_TIMEOUT_MS,
    HEAD_REVISION,
    Query,
    Row,
    Store,
    Tx,
    insert_in_batches,
    insert_sql,
)
from castctl.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


MAX_VALUES = 999  # parameters of one statement: SQLite before 3.32 allows no more


def configure(conn: sqlite3.Connection) -> None:
    """castctl's settings on every connection to a database it uses (the store's own, and the
    migrations' through SQLAlchemy): the busy timeout is given to ``connect``.

    Foreign keys are enforced. Temporary storage is memory: SQLite keeps each multi-row
    INSERT's statement journal (the pages it would restore, should a constraint fail halfway)
    in a temporary file once it passes 64 KiB, and writing 10,000 placements and their history
    wrote three times as many pages there as into the database itself (``assign`` made 8,500
    ``pwrite`` calls, now 2,400). castctl never runs VACUUM, and its sorts are of a few MB.
    """
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")


class SqliteTx(Tx):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return self.conn.execute(sql, dict(params or {})).rowcount

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.conn.execute(sql, dict(params or {})).fetchall()

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.conn.executemany(sql, rows)

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_conflicts_on: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        """Multi-row INSERTs of up to 999 values (SQLite's oldest limit): 40 % faster than a
        row a statement, as each statement is stepped once, not once a row."""
        # Numbered parameters: the constants are ?1…?k in every row, bound once a statement
        # (binding a value copies it; None also goes through sqlite3's adapter lookup); each
        # row's own values follow, numbered on.
        shared = dict(constants or {})
        k, names = len(shared), (*shared, *columns)
        insert_in_batches(
            rows,
            max(1, (MAX_VALUES - k) // len(columns)),
            lambda n: numbered_insert(table, names, k, n, skip_conflicts_on),
            self.conn.executemany,
            self.conn.execute,
            first=tuple(shared.values()),
        )


def numbered_insert(
    table: str,
    columns: Sequence[str],
    shared: int,
    rows: int,
    skip_conflicts_on: Sequence[str] | None,
) -> str:
    """The INSERT of ``rows`` rows of ``columns`` whose first ``shared`` values are the same in
    every row: ``(?1, ?2, ?3, ?4), (?1, ?2, ?5, ?6)`` for two shared of four."""
    own = len(columns) - shared
    head = [f"?{i}" for i in range(1, shared + 1)]
    tuples = [
        "(" + ", ".join([*head, *(f"?{shared + r * own + i}" for i in range(1, own + 1))]) + ")"
        for r in range(rows)
    ]
    return insert_sql(table, columns, tuples, skip_conflicts_on)


class SqliteStore(Store):
    is_sqlite = True
    dialect = "sqlite"
    TABLES_SQL = "SELECT name FROM sqlite_master WHERE type = 'table'"

    def __init__(self, location: str, *, create_dirs: bool = False) -> None:
        super().__init__(location)
        self._create_dirs = create_dirs
        self._conn: sqlite3.Connection | None = None
        if not is_url(location):
            self.path = Path(location).expanduser()
            self.url = f"sqlite:///{self.path}"
        else:  # sqlite:///PATH
            raw = location.removeprefix("sqlite:///").split("?", 1)[0]
            self.path = Path(raw) if raw and raw != ":memory:" else None

    def _sqlite(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path is None:
                raise DatabaseError("an in-memory SQLite database cannot be shared; give a file")
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
                configure(conn)
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot open the database at {self.path}: {exc}") from None
            self._conn = conn
        return self._conn

    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            return self._sqlite().execute(sql, dict(params or {})).fetchall()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(self._describe(exc)) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._sqlite()
        previous = conn.isolation_level
        conn.isolation_level = None  # we issue BEGIN ourselves: IMMEDIATE takes the lock now
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            conn.isolation_level = previous
            raise DatabaseError(self._describe(exc)) from None
        try:
            yield SqliteTx(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise DatabaseError(self._describe(exc)) from None
            raise
        finally:
            conn.isolation_level = previous

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Query]:
        """A deferred read transaction (WAL): it never blocks writers."""
        conn = self._sqlite()
        previous = conn.isolation_level
        conn.isolation_level = None

        def query(sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
            try:
                return conn.execute(sql, dict(params or {})).fetchall()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(self._describe(exc)) from None

        try:
            conn.execute("BEGIN")
            yield query
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.isolation_level = previous

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        super().close()

    # ---- schema revision ------------------------------------------------------------------
    def current_revision(self) -> str | None:
        """One query when the file is up to date; nothing is created for a missing file."""
        if self.path is None or not self.path.exists() or self.path.stat().st_size == 0:
            return None
        conn = self._sqlite()
        try:
            try:
                rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
            else:
                if len(rows) == 1 and rows[0][0] == HEAD_REVISION:
                    return HEAD_REVISION
            return self._classify(lambda sql: conn.execute(sql).fetchall())[0]
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _prepare_for_writing(self) -> None:
        if self.path is None:
            raise DatabaseError("an in-memory SQLite database cannot be shared; give a file")
        if not self.path.exists():
            self._create_file()
        elif self.path.stat().st_mode & 0o077:
            # An existing file (an empty one made by touch, an old copy) is about to hold, or
            # already holds, personal data: only its owner may read it.
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        if not os.access(self.path, os.W_OK):
            raise DatabaseError(f"the database {self.path} is not writable")
        try:
            self._sqlite().execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _create_file(self) -> None:
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

    # ---- SQLAlchemy (migrations, the ORM session) -------------------------------------------
    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN, so writers can take the lock up front.
            dbapi_conn.isolation_level = None
            configure(dbapi_conn)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("castctl_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def _lock_for_migration(self, conn: Connection) -> None:
        """Nothing to do: the engine's BEGIN IMMEDIATE (``castctl_write``) took the lock."""

    # ---- copies ---------------------------------------------------------------------------
    def _backup_before_upgrade(self, revision: str) -> Path:
        """A private copy of the file (SQLite online backup API) before the schema changes.

        Called while ``_migrate`` holds the write lock and has written nothing yet, so the copy
        is exactly what is about to be migrated. It reads through the ``sqlite3`` connection:
        SQLite refuses to back up from a connection that holds a write transaction.
        """
        assert self.path is not None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{self.path.name}.backup-{stamp}-rev{revision}"
        target = self.path.with_name(base)
        for n in range(2, 100):
            try:
                os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                break
            except FileExistsError:
                target = self.path.with_name(f"{base}-{n}")
            except OSError as exc:
                raise DatabaseError(
                    f"cannot back up {self.path} before upgrading its schema: {exc.strerror}; "
                    "nothing was changed"
                ) from None
        else:
            raise DatabaseError(f"too many backups named {base}-N; nothing was changed")
        try:
            dest = sqlite3.connect(target)
            try:
                self._sqlite().backup(dest)
                # One self-contained file: the copy took the source's WAL mode with its pages.
                dest.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                dest.close()
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise DatabaseError(
                f"cannot back up {self.path} before upgrading its schema: {exc}; "
                "nothing was changed"
            ) from None
        return target

    def backup_to(self, target: Path) -> None:
        """A consistent copy through SQLite's online backup API, safe while others write; the
        copy is checked (``PRAGMA integrity_check``) and removed when it is not sound, so a
        damaged database never yields a "backup" that ``db restore`` would refuse."""
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
                check = dest.execute("PRAGMA integrity_check").fetchall()
            finally:
                dest.close()
        except (OSError, sqlite3.Error) as exc:
            target.unlink(missing_ok=True)
            raise DatabaseError(
                f"backup to {target} failed: {self._describe(exc)}; no backup was written"
            ) from None
        if check != [("ok",)]:
            target.unlink(missing_ok=True)
            lines = [ln.strip() for row in check for ln in str(row[0]).splitlines()]
            first = next((ln for ln in lines if ln and not ln.startswith("***")), "no answer")
            raise DatabaseError(
                f"the database {self.path} is damaged ({first}); no backup was written: "
                "restore an earlier backup"
            )
