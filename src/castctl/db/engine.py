"""Where the database is, how to open it, and its first-use initialisation.

Two ways in, one module:
- ``Database.read``, ``transaction`` and ``snapshot`` run plain SQL with ``:name`` parameters
  straight through the driver, never importing SQLAlchemy: the standard library's ``sqlite3``
  on SQLite, ``psycopg`` on PostgreSQL (``postgresql+psycopg://`` or ``postgresql://``). So
  ``castctl timeline`` starts in a fraction of a second, and a command costs about the same on
  either backend. Rows come back as ``sqlite3`` gives them (``plain_row``).
- ``Database.session`` is a SQLModel session for commands that need the ORM; the migrations
  and any other database URL go through SQLAlchemy too.

``Database.ensure_ready`` reads the schema revision (alembic's ``alembic_version``) with the
light path and compares it with ``HEAD_REVISION``; only a new or older database goes on to the
migrations (``castctl.db.migrations``), under the write lock, after a backup of an older SQLite
file. A revision this castctl does not know means a newer castctl wrote the database: refused.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from castctl.errors import DatabaseError

# What a server's driver returns and sqlite3 never does (see ``plain_row``).
_CONVERTED = (_dt.date, Decimal)  # datetime is a date

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# The newest revision in castctl.db.migrations (tests/test_migrations.py keeps the two equal).
# Start-up compares the database with it without importing alembic.
HEAD_REVISION = "0003"
# Serialises migrations on PostgreSQL (pg_advisory_xact_lock); SQLite uses its write lock.
MIGRATION_LOCK_KEY = 0x63617374  # "cast"
# Serialises writers on PostgreSQL (SQLite: BEGIN IMMEDIATE); the same key, so a migration and a
# write never overlap either.
WRITE_LOCK_KEY = MIGRATION_LOCK_KEY
ENV_VAR = "CASTCTL_DB"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 5


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


def hide_password(location: str) -> str:
    """The location as it may be shown: a URL's password replaced by ``***``."""
    if not is_url(location):
        return location
    from urllib.parse import urlsplit

    try:
        netloc = urlsplit(location).netloc
    except ValueError:
        return location.split("://", 1)[0] + "://***"
    userinfo, at, _ = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return location
    user = userinfo.split(":", 1)[0]
    return location.replace(netloc, f"{user}:***@{netloc.rpartition('@')[2]}", 1)


def url_password(location: str) -> str | None:
    if not is_url(location):
        return None
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(location).password
    except ValueError:
        return None
    return unquote(password) if password else None


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers, cron with odd UIDs)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


class Database:
    def __init__(self, location: str, *, create_dirs: bool = False) -> None:
        self.location = location
        self.display_location = hide_password(location)  # for messages: never a password
        self._create_dirs = create_dirs
        self._engine: Engine | None = None
        self._conn: sqlite3.Connection | None = None
        self._pgconn: Any = None  # psycopg.Connection, in autocommit mode
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
        # PostgreSQL through psycopg 3: plain SQL goes to psycopg itself, as sqlite3 on SQLite.
        self.uses_psycopg = self.url.split("://", 1)[0] in ("postgresql", "postgresql+psycopg")

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

    def _pg(self) -> Any:
        """The psycopg connection (autocommit: a statement alone is its own transaction)."""
        if self._pgconn is None:
            try:
                import psycopg
            except ImportError as exc:
                raise DatabaseError(self._missing_driver(exc)) from None
            try:
                conn = psycopg.connect(**self._psycopg_args(), autocommit=True)
                _start_session(conn)
            except psycopg.Error as exc:
                raise DatabaseError(self._describe(exc)) from None
            self._pgconn = conn
        return self._pgconn

    def _psycopg_args(self) -> dict[str, Any]:
        """psycopg's connection arguments from the URL, as SQLAlchemy's psycopg dialect reads
        it: user, password, host, port and database name, then every query parameter."""
        from urllib.parse import parse_qsl, unquote, urlsplit

        try:
            parts = urlsplit(self.url)
            args: dict[str, Any] = {}
            if parts.username:
                args["user"] = unquote(parts.username)
            if parts.password:
                args["password"] = unquote(parts.password)
            if parts.hostname:
                args["host"] = parts.hostname
            if parts.port:
                args["port"] = parts.port
            if parts.path.strip("/"):
                args["dbname"] = unquote(parts.path.lstrip("/"))
        except ValueError as exc:
            raise DatabaseError(f"cannot use database URL {self.display_location}: {exc}") from None
        args.update(parse_qsl(parts.query))
        # An unreachable server fails within seconds instead of hanging a cron job.
        args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return args

    def _pg_query(
        self, conn: Any, sql: str, params: Mapping[str, Any] | None
    ) -> list[tuple[Any, ...]]:
        import psycopg

        query, args = pyformat(sql, params)
        try:
            cursor = conn.execute(query, args)
            return [plain_row(r) for r in cursor.fetchall()] if cursor.description else []
        except psycopg.Error as exc:
            raise DatabaseError(self._describe(exc)) from None

    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only query with ``:name`` parameters and return all rows as tuples.

        Values come back as ``sqlite3`` gives them on every backend (``plain_row``), so that
        output is the same byte for byte on SQLite and PostgreSQL.
        """
        params = dict(params or {})
        if self.is_sqlite:
            try:
                return self._sqlite().execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(self._describe(exc)) from None
        if self.uses_psycopg:
            return self._pg_query(self._pg(), sql, params)
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.connect() as conn:
                return [plain_row(row) for row in conn.execute(text(sql), params)]
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _describe(self, exc: BaseException) -> str:
        """One line for the user: the driver's own first line, and never the URL's password."""
        exc = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
        lines = str(exc).strip().splitlines()
        text = lines[0].strip() if lines else type(exc).__name__
        password = url_password(self.location)
        if password:
            text = text.replace(password, "***")
        where = self.display_location
        if "file is not a database" in text or "malformed" in text:
            return f"{where} is not a castctl database (it is not SQLite or is damaged)"
        if "no such table" in text or "does not exist" in text and "relation" in text:
            return f"{where} is not a castctl database ({text})"
        if not self.is_sqlite and any(w in text.lower() for w in ("connect", "timeout", "resolve")):
            return f"cannot connect to the database {where}: {text}"
        return f"database error on {where}: {text}"

    def current_revision(self) -> str | None:
        """The schema revision the database is at; None for a new (missing or empty) one.

        Reads only. A castctl database from before migrations counts as revision 0001.
        """
        if self.is_sqlite:
            return self._sqlite_revision()[0]
        if self.uses_psycopg:  # up to date: two short queries, no SQLAlchemy
            conn = self._pg()
            if self._pg_query(conn, "SELECT to_regclass('alembic_version') IS NOT NULL", None)[0][
                0
            ] and self._pg_query(conn, "SELECT version_num FROM alembic_version", None) == [
                (HEAD_REVISION,)
            ]:
                return HEAD_REVISION
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.connect() as conn:
                return self._revision_on(conn)[0]
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _sqlite_revision(self) -> tuple[str | None, bool]:
        """(revision, stamped) through plain sqlite3: one query when the file is up to date."""
        if self.path is None or not self.path.exists() or self.path.stat().st_size == 0:
            return None, True
        conn = self._sqlite()
        try:
            try:
                rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
            else:
                if len(rows) == 1 and rows[0][0] == HEAD_REVISION:
                    return HEAD_REVISION, True
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            return self._classify(tables, lambda sql: conn.execute(sql).fetchall())
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _revision_on(self, conn: Connection) -> tuple[str | None, bool]:
        """(revision, stamped) on a SQLAlchemy connection (PostgreSQL, or under the lock)."""
        from sqlalchemy import inspect

        tables = set(inspect(conn).get_table_names())
        return self._classify(tables, lambda sql: [tuple(r) for r in conn.exec_driver_sql(sql)])

    def _classify(
        self, tables: set[str], query: Callable[[str], list[Any]]
    ) -> tuple[str | None, bool]:
        """Which castctl schema revision these tables are, and whether alembic has stamped it.

        Raises for a database of another program: tables, but not castctl's.
        """
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

    # ---- heavy path -------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        if not self.is_sqlite:
            postgresql = self.url.startswith("postgresql")
            # An unreachable server fails within seconds instead of hanging a cron job.
            connect_args = (
                {"connect_timeout": CONNECT_TIMEOUT_S}
                if postgresql and "connect_timeout" not in self.url
                else {}
            )
            try:
                server = create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
            except ImportError as exc:  # the URL's driver (psycopg) is not installed
                raise DatabaseError(self._missing_driver(exc)) from None
            except Exception as exc:  # unknown dialect, malformed URL
                raise DatabaseError(
                    f"cannot use database URL {self.display_location}: {self._describe(exc)}"
                ) from None
            if postgresql:

                @event.listens_for(server, "connect")
                def _on_pg_connect(dbapi_conn: Any, _record: object) -> None:
                    _start_session(dbapi_conn)

            return server
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

    def _missing_driver(self, exc: ImportError) -> str:
        if self.url.startswith("postgresql"):
            why = (
                "the PostgreSQL driver (psycopg) is not installed: pip install 'castctl[postgres]'"
            )
        else:
            why = f"its database driver is not installed ({exc.name or exc})"
        return f"cannot use database URL {self.display_location}: {why}"

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
                if write:
                    _lock_for_writing(session.connection())
                yield session
        except OperationalError as exc:
            raise DatabaseError(self._describe(exc.orig or exc)) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One write transaction in plain SQL (``:name`` parameters), committed on success.

        On SQLite this is the standard library's ``sqlite3`` under ``BEGIN IMMEDIATE`` (the write
        lock is taken up front, so concurrent writers queue instead of failing half-way) and it
        imports no SQLAlchemy: bulk imports stay fast. On PostgreSQL it is psycopg under the
        castctl write lock (``pg_advisory_xact_lock``); elsewhere a SQLAlchemy connection.
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
        if self.uses_psycopg:
            import psycopg

            pg = self._pg()
            try:
                with pg.transaction():
                    pg.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                    yield _PsycopgTx(pg)
            except psycopg.Error as exc:
                raise DatabaseError(self._describe(exc)) from None
            return
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.begin() as sa_conn:
                _lock_for_writing(sa_conn)
                yield _SqlAlchemyTx(sa_conn)
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(exc)) from None

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
        """A read-only transaction: every query inside sees the same committed state.

        Yields a ``query(sql, params)`` function. On SQLite (WAL) it is a deferred read
        transaction, which never blocks writers; elsewhere a REPEATABLE READ transaction.
        """
        if self.is_sqlite:
            conn = self._sqlite()
            previous = conn.isolation_level
            conn.isolation_level = None

            def query(sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
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
            return
        if self.uses_psycopg:
            import psycopg

            pg = self._pg()
            pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with pg.transaction():
                    yield lambda sql, params=None: self._pg_query(pg, sql, params)
            except psycopg.Error as exc:
                raise DatabaseError(self._describe(exc)) from None
            finally:
                pg.isolation_level = None
            return
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            bind = self.engine.execution_options(isolation_level="REPEATABLE READ")
            with bind.connect() as sa_conn, sa_conn.begin():

                def sa_query(
                    sql: str, params: Mapping[str, Any] | None = None
                ) -> list[tuple[Any, ...]]:
                    return [plain_row(r) for r in sa_conn.execute(text(sql), dict(params or {}))]

                yield sa_query
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._pgconn is not None:
            self._pgconn.close()
            self._pgconn = None
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

    def ensure_ready(self) -> Upgrade | None:
        """Bring the database to ``HEAD_REVISION``; say what was done (None: nothing was needed).

        Up to date (the usual case): on SQLite one query through ``sqlite3``, no SQLAlchemy or
        alembic import. New: the file is created 0600, then the migrations and the reference
        data run in one transaction. Older: a SQLite file is first copied next to itself
        (``…backup-YYYYmmdd-HHMMSS-revNNNN``), then upgraded. Newer (a revision this castctl
        does not know): ``DatabaseError``, and the database is not touched.
        """
        try:
            revision = self.current_revision()  # no lock: the usual answer is "up to date"
            if revision == HEAD_REVISION:
                return None
            self._refuse_newer(revision)  # before anything writes to the database
            if self.is_sqlite:
                self._prepare_sqlite_file()
            return self._migrate()
        except BaseException:
            self.close()  # a refused file is left as found: no -wal/-shm beside it
            raise

    def _refuse_newer(self, revision: str | None) -> None:
        if revision is None or revision == HEAD_REVISION:
            return
        from castctl.db import migrations

        if revision not in migrations.revisions():
            raise DatabaseError(
                f"the database is at schema revision {revision}, newer than this castctl "
                f"({HEAD_REVISION}): upgrade castctl"
            )

    def _prepare_sqlite_file(self) -> None:
        if self.path is not None and not self.path.exists():
            self._create_sqlite_file()
        if self.path is not None and not os.access(self.path, os.W_OK):
            raise DatabaseError(f"the database {self.path} is not writable")
        try:
            self._sqlite().execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _migrate(self) -> Upgrade | None:
        """Upgrade under the write lock, re-checking the revision there: when several processes
        open a new or older database at once, one migrates and the others find it done."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            # conn.begin() issues BEGIN IMMEDIATE on SQLite: the write lock, up front.
            bind = self.engine.execution_options(castctl_write=True)
            with bind.connect() as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
                return self._migrate_locked(conn)
        except SQLAlchemyError as exc:
            raise DatabaseError(self._describe(exc)) from None

    def _migrate_locked(self, conn: Connection) -> Upgrade | None:
        from castctl.db import migrations

        revision, stamped = self._revision_on(conn)
        if revision == HEAD_REVISION:
            return None
        self._refuse_newer(revision)
        backup = None
        if revision is not None and self.is_sqlite and self.path is not None:
            backup = self._backup_before_upgrade(revision)
        migrations.upgrade(conn, stamp=None if stamped else revision)
        if revision is None:
            from sqlmodel import Session

            from castctl.db.reference import load_reference_data

            with Session(bind=conn) as session:  # joins the migration's transaction
                load_reference_data(session)
                session.flush()
        return Upgrade(revision, HEAD_REVISION, backup)

    def _backup_before_upgrade(self, revision: str) -> Path:
        """A private copy of the file (SQLite online backup API) before the schema changes.

        Called while ``_migrate`` holds the write lock and has written nothing yet, so the copy
        is exactly what is about to be migrated. It reads through the light connection: SQLite
        refuses to back up from a connection that holds a write transaction.
        """
        import datetime as dt

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


@dataclass(frozen=True)
class Upgrade:
    """What ``Database.ensure_ready`` did to the schema."""

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


def _lock_for_writing(conn: Any) -> None:
    """PostgreSQL: one writer at a time, held to the end of the transaction, as SQLite's
    ``BEGIN IMMEDIATE`` does: a read-then-write (assign, imports, reports) never interleaves with
    another's, so two ``assign`` runs cannot both place a trainee or fill the same place."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


class Tx:
    """Plain-SQL access inside ``Database.transaction``."""

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_conflicts_on: Sequence[str] | None = None,
    ) -> None:
        """Insert many rows of ``columns`` values; with ``skip_conflicts_on`` (the unique key),
        rows whose key is already stored are left out (``ON CONFLICT … DO NOTHING``).

        Names are quoted: columns such as ``end`` and ``date`` are SQL keywords."""
        sql = (
            f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        )
        if skip_conflicts_on:
            sql += f" ON CONFLICT ({', '.join(map(_quote, skip_conflicts_on))}) DO NOTHING"
        self.executemany(sql, [dict(zip(columns, r, strict=True)) for r in rows])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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

        return [plain_row(r) for r in self.conn.execute(text(sql), dict(params or {}))]


class _PsycopgTx(Tx):
    """Plain SQL on a psycopg connection inside its transaction."""

    # A multi-row INSERT stays short enough (in characters) for psycopg to cache its parsing
    # and, once used a few times, to prepare it on the server: ~100 rows a statement.
    BATCH_QUERY_CHARS = 3800

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return int(self.conn.execute(*pyformat(sql, params)).rowcount)

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """A plain ``INSERT … VALUES (…)`` of parameters and literals goes in by ``COPY``; one
        with ``ON CONFLICT … DO NOTHING`` as multi-row INSERTs of about 100 rows, pipelined (5x
        faster than one row a statement); any other statement (UPDATE) through psycopg's
        executemany, pipelined too."""
        if not rows:
            return
        insert = _SINGLE_ROW_INSERT.match(sql)
        with self.conn.cursor() as cursor:
            if insert is None or re.search(r"(?i)\bDO\s+UPDATE\b|\bRETURNING\b", insert["tail"]):
                query, _ = pyformat(sql, rows[0])
                names = _PARAM.findall(sql)
                cursor.executemany(query, [{n: r[n] for n in names} for r in rows])
                return
            head, values, tail = insert["head"], insert["values"], insert["tail"]
            plan = _copy_plan(head, values, tail)
            if plan is not None:
                copy_sql, fields = plan
                with cursor.copy(copy_sql) as copy:
                    for r in rows:
                        copy.write_row([r[v] if is_param else v for is_param, v in fields])
                return
            names = _PARAM.findall(values)  # in order, repeats included: positional
            one = _PARAM.sub("%s", values.replace("%", "%%"))
            per = max(1, (self.BATCH_QUERY_CHARS - len(head) - len(tail)) // (len(one) + 2))
            full = len(rows) - len(rows) % per
            if full:
                query = _positional_insert(head, one, tail, per)
                cursor.executemany(
                    query,
                    [
                        [r[n] for r in rows[start : start + per] for n in names]
                        for start in range(0, full, per)
                    ],
                )
            if full < len(rows):
                rest = rows[full:]
                query = _positional_insert(head, one, tail, len(rest))
                cursor.execute(query, [r[n] for r in rest for n in names])

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        cursor = self.conn.execute(*pyformat(sql, params))
        return [plain_row(r) for r in cursor.fetchall()] if cursor.description else []


# ``:name`` parameters, exactly as SQLAlchemy's text() finds them (not ``::`` casts, not times
# such as '12:00' in literals).
_PARAM = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")
_SINGLE_ROW_INSERT = re.compile(
    r"(?is)^(?P<head>\s*INSERT\s+INTO\s+.+?\bVALUES\s*)(?P<values>\((?:[^()']|'[^']*')*\))"
    r"(?P<tail>.*)$"
)


_COPY_TARGET = re.compile(
    r'(?is)^\s*INSERT\s+INTO\s+(?P<table>[\w."]+)\s*\((?P<columns>[^()]*)\)\s*VALUES\s*$'
)
_VALUE_ITEM = re.compile(r"(?:'(?:[^']|'')*'|[^,'])+")


def _copy_plan(head: str, values: str, tail: str) -> tuple[str, list[tuple[bool, Any]]] | None:
    """The ``COPY … FROM STDIN`` that does what a one-row ``INSERT … VALUES`` statement does
    for many rows, and per column (True, parameter name) or (False, literal value); None when
    the statement is more than parameters and literals (a conflict clause, an expression).

    COPY is what the server loads fastest: 15-30 % faster than multi-row INSERTs, foreign key
    checks (per row either way) included."""
    target = _COPY_TARGET.match(head)
    if tail.strip() or target is None:
        return None
    columns = [c.strip() for c in target["columns"].split(",")]
    items = [i.strip() for i in _VALUE_ITEM.findall(values.strip()[1:-1])]
    if len(items) != len(columns):
        return None
    fields: list[tuple[bool, Any]] = []
    for item in items:
        if (param := re.fullmatch(r":(\w+)", item)) is not None:
            fields.append((True, param[1]))
        elif item.startswith("'") and item.endswith("'") and len(item) >= 2:
            fields.append((False, item[1:-1].replace("''", "'")))
        elif item.upper() == "NULL":
            fields.append((False, None))
        elif re.fullmatch(r"-?\d+", item):
            fields.append((False, int(item)))
        else:
            return None
    return f"COPY {target['table']} ({', '.join(columns)}) FROM STDIN", fields


def pyformat(sql: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """``:name`` SQL and its parameters as psycopg takes them (``%(name)s``)."""
    names = _PARAM.findall(sql)
    if not names:
        return sql, None
    params = params or {}
    query = _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
    return query, {n: params[n] for n in names}


def _positional_insert(head: str, one_row: str, tail: str, rows: int) -> str:
    """``head`` + ``rows`` copies of the ``%s`` values tuple + ``tail``."""
    return head.replace("%", "%%") + ", ".join([one_row] * rows) + tail.replace("%", "%%")


def _start_session(conn: Any) -> None:
    """Every PostgreSQL connection castctl opens (psycopg's own, or SQLAlchemy's).

    Timestamps are UTC text ("YYYY-MM-DD HH:MM:SS", see ``now_text``) in TIMESTAMPTZ columns:
    PostgreSQL reads such text in the session's zone, which is the server's (Asia/Bangkok on a
    ministry server) unless set. JIT compilation costs castctl's queries more than it saves
    (0.1-0.2 s on the progress queries over 220,000 reports).
    """
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET jit = off")
    if not conn.autocommit:
        conn.commit()


def plain_row(row: Sequence[Any]) -> tuple[Any, ...]:
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
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat(sep=" ")


def rows_as_dicts(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]
