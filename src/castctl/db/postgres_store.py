"""``PostgresStore``: a castctl database on a PostgreSQL server, through psycopg 3.

``postgresql://…`` and ``postgresql+psycopg://…`` URLs (SQLAlchemy's spelling) both mean psycopg
3. Every session runs in UTC with JIT off (``_start_session``); writers and migrations take one
advisory lock (``pg_advisory_xact_lock``), as SQLite's ``BEGIN IMMEDIATE`` does; a snapshot is
a REPEATABLE READ transaction. New rows go in by ``COPY … FROM STDIN``, or, when conflicts are to
be skipped, as pipelined multi-row ``INSERT … ON CONFLICT DO NOTHING`` of about 100 rows. A bulk
load checks the table's foreign keys once for all its rows, not row by row
(``PostgresTx.BULK_ROWS``).

castctl's SQL uses ``:name`` parameters, as ``sqlite3`` does; psycopg takes ``%(name)s``:
``psycopg_query`` rewrites the placeholders (and nothing else), once per statement text.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from castctl.db.store import (
    CONNECT_TIMEOUT_S,
    HEAD_REVISION,
    MIGRATION_LOCK_KEY,
    WRITE_LOCK_KEY,
    Query,
    Row,
    Store,
    Tx,
    insert_in_batches,
    insert_statement,
    plain_row,
    with_constants,
)
from castctl.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# ``:name`` parameters, exactly as SQLAlchemy's text() finds them (not ``::`` casts, not times
# such as '12:00' in literals).
_PARAM = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")


@functools.lru_cache(maxsize=512)
def psycopg_query(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with its ``:name`` placeholders as psycopg's ``%(name)s`` (a literal ``%``
    doubled), and the names; a statement without parameters is returned as it is."""
    names = tuple(_PARAM.findall(sql))
    if not names:
        return sql, ()
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%")), names


def _bind(sql: str, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    query, names = psycopg_query(sql)
    if not names:
        return query, None
    params = params or {}
    return query, {n: params[n] for n in names}


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


class PostgresTx(Tx):
    """Plain SQL on the psycopg connection, inside its transaction."""

    # A multi-row INSERT stays short enough (in characters) for psycopg to cache its parsing
    # and, once used a few times, to prepare it on the server: ~100 rows a statement.
    BATCH_QUERY_CHARS = 3800

    # A bulk load checks foreign keys once, not row by row. PostgreSQL checks a foreign key
    # with a trigger per inserted row, a query each (about 10 µs: 4.4 of the 9 s that 220,000
    # reports took, against SQLite's 4 s); adding the constraint back after the load checks
    # every row of the table in one join (about 0.25 µs a row). So, as PostgreSQL's manual
    # advises for populating a database (and as pg_restore does), a COPY of at least
    # BULK_ROWS rows, and of at least 1/BULK_SHARE of the rows already stored, drops the
    # table's foreign keys first and adds them back, exactly as the catalog defines them,
    # after it, in the same transaction: a violation fails the transaction as before, and a
    # crash leaves the constraints as they were. The locks this takes (exclusive, on the table
    # and the tables it refers to, until commit) make other sessions' reads of them wait for
    # the import; when they are not free within LOCK_WAIT (another session is reading), or the
    # user does not own the table, the rows are checked one by one as before.
    BULK_ROWS = 5000
    BULK_SHARE = 20
    # Well under PostgreSQL's deadlock_timeout (1 s): a reader that holds one of the tables and
    # then waits for another one this load has locked is never ended as a deadlock's victim;
    # this load gives up first.
    LOCK_WAIT = "200ms"

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return int(self.conn.execute(*_bind(sql, params)).rowcount)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cursor = self.conn.execute(*_bind(sql, params))
        return [plain_row(r) for r in cursor.fetchall()] if cursor.description else []

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """psycopg's executemany: pipelined, one round trip for all rows."""
        if not rows:
            return
        query, names = psycopg_query(sql)
        with self.conn.cursor() as cursor:
            cursor.executemany(query, [{n: r[n] for n in names} for r in rows])

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        skip_conflicts_on: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        """``COPY`` (what the server loads fastest: 15-30 % faster than multi-row INSERTs), or,
        as COPY cannot skip conflicts, multi-row INSERTs of about 100 rows, pipelined (5x faster
        than one row a statement)."""
        columns, rows = with_constants(columns, rows, constants)
        names = ", ".join(f'"{c}"' for c in columns)
        with self.conn.cursor() as cursor:
            if not skip_conflicts_on:
                rows = iter(rows)
                first = list(itertools.islice(rows, self.BULK_ROWS))
                checks: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
                if len(first) == self.BULK_ROWS:
                    stored, keys = self._stored_rows_and_foreign_keys(table)
                    more = max(0, stored // self.BULK_SHARE - len(first))
                    first += itertools.islice(rows, more)
                    if keys and len(first) >= stored // self.BULK_SHARE:
                        checks = self._foreign_keys_checked_after(table, keys)
                with checks, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in itertools.chain(first, rows):
                        copy.write_row(row)
                return
            one = insert_statement(table, columns, skip_conflicts_on, placeholder="%s")
            values = 2 * len(columns) + 2 * (len(columns) - 1) + 2  # "(%s, %s)"
            per = max(1, (self.BATCH_QUERY_CHARS - len(one) + values) // (values + 2))
            insert_in_batches(
                rows,
                per,
                lambda n: insert_statement(
                    table, columns, skip_conflicts_on, placeholder="%s", rows=n
                ),
                cursor.executemany,
                cursor.execute,
            )

    def _stored_rows_and_foreign_keys(self, table: str) -> tuple[int, list[tuple[str, str]]]:
        """The planner's estimate of ``table``'s rows (0 before its first ANALYZE), and its
        foreign keys: (name, definition) as the catalog gives them."""
        found = self.conn.execute(
            "SELECT c.reltuples::bigint, con.conname, pg_get_constraintdef(con.oid) "
            "FROM pg_class c LEFT JOIN pg_constraint con "
            "ON con.conrelid = c.oid AND con.contype = 'f' "
            "WHERE c.oid = to_regclass(%s) ORDER BY con.conname",
            [f'"{table}"'],
        ).fetchall()
        stored = max(0, int(found[0][0])) if found else 0
        return stored, [(name, definition) for _, name, definition in found if name]

    @contextlib.contextmanager
    def _foreign_keys_checked_after(
        self, table: str, keys: Sequence[tuple[str, str]]
    ) -> Iterator[None]:
        """Drop ``keys`` (``table``'s foreign keys) for the block and add them back after it,
        which checks every row at once. If the locks are not free within LOCK_WAIT, the user
        may not alter the table or a table is still in use in this session, keep them (row-by-row
        checks) and leave nothing changed."""
        import psycopg
        from psycopg import sql

        name = sql.Identifier(table)
        try:
            with self.conn.transaction():  # a savepoint: a refusal undoes only this
                (wait,) = self.conn.execute("SELECT current_setting('lock_timeout')").fetchone()
                self.conn.execute("SELECT set_config('lock_timeout', %s, true)", [self.LOCK_WAIT])
                self.conn.execute(
                    sql.SQL("ALTER TABLE {} ").format(name)
                    + sql.SQL(", ").join(
                        sql.SQL("DROP CONSTRAINT {}").format(sql.Identifier(key)) for key, _ in keys
                    )
                )
                self.conn.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
        except (
            psycopg.errors.LockNotAvailable,  # another session holds a lock on a table
            psycopg.errors.InsufficientPrivilege,  # the user does not own the table
            psycopg.errors.ObjectInUse,  # a table has trigger events still to fire
        ):
            yield
            return
        yield
        self.conn.execute(
            sql.SQL("ALTER TABLE {} ").format(name)
            + sql.SQL(", ").join(
                sql.SQL("ADD CONSTRAINT {} ").format(sql.Identifier(key)) + sql.SQL(definition)
                for key, definition in keys
            )
        )


class PostgresStore(Store):
    is_sqlite = False
    dialect = "postgresql"
    TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"

    def __init__(self, location: str) -> None:
        super().__init__(location)
        # SQLAlchemy reads a bare postgresql:// as psycopg2; castctl uses psycopg 3 throughout.
        self.url = "postgresql+psycopg://" + location.split("://", 1)[1]
        self._conn: Any = None  # psycopg.Connection, in autocommit mode

    def _missing_driver(self) -> DatabaseError:
        return DatabaseError(
            f"cannot use database URL {self.display_location}: the PostgreSQL driver (psycopg) "
            "is not installed: pip install 'castctl[postgres]'"
        )

    def _pg(self) -> Any:
        """The psycopg connection (autocommit: a statement alone is its own transaction)."""
        if self._conn is None:
            try:
                import psycopg
            except ImportError:
                raise self._missing_driver() from None
            try:
                conn = psycopg.connect(**self._connect_args(), autocommit=True)
                _start_session(conn)
            except psycopg.Error as exc:
                raise DatabaseError(self._describe(exc)) from None
            self._conn = conn
        return self._conn

    def _connect_args(self) -> dict[str, Any]:
        """psycopg's connection arguments from the URL, as SQLAlchemy's psycopg dialect reads
        it: user, password, host, port and database name, then every query parameter."""
        try:
            parts = urlsplit(self.location)
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

    def _query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        conn = self._pg()  # first: it says so when psycopg is not installed
        import psycopg

        try:
            cursor = conn.execute(*_bind(sql, params))
            return [plain_row(r) for r in cursor.fetchall()] if cursor.description else []
        except psycopg.Error as exc:
            raise DatabaseError(self._describe(exc)) from None

    def read(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self._query(sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._pg()  # first: it says so when psycopg is not installed
        import psycopg

        try:
            with conn.transaction():
                conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                yield PostgresTx(conn)
        except psycopg.Error as exc:
            raise DatabaseError(self._describe(exc)) from None

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Query]:
        conn = self._pg()  # first: it says so when psycopg is not installed
        import psycopg

        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with conn.transaction():
                yield self._query
        except psycopg.Error as exc:
            raise DatabaseError(self._describe(exc)) from None
        finally:
            conn.isolation_level = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        super().close()

    def current_revision(self) -> str | None:
        """Up to date: two short queries."""
        if self._query("SELECT to_regclass('alembic_version') IS NOT NULL")[0][0] and self._query(
            "SELECT version_num FROM alembic_version"
        ) == [(HEAD_REVISION,)]:
            return HEAD_REVISION
        return self._classify(self._query)[0]

    def _prepare_for_writing(self) -> None:
        """Nothing to prepare: the server's database exists (castctl never creates one)."""

    def backup_to(self, target: Path) -> None:
        raise DatabaseError("db backup of a non-SQLite database is not supported yet")

    # ---- SQLAlchemy (migrations, the ORM session) -------------------------------------------
    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        # An unreachable server fails within seconds instead of hanging a cron job.
        connect_args = (
            {} if "connect_timeout" in self.url else {"connect_timeout": CONNECT_TIMEOUT_S}
        )
        try:
            engine = create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
        except ImportError:
            raise self._missing_driver() from None
        except Exception as exc:  # a malformed URL
            raise DatabaseError(
                f"cannot use database URL {self.display_location}: {self._describe(exc)}"
            ) from None

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: object) -> None:
            _start_session(dbapi_conn)

        return engine

    def _lock_for_migration(self, conn: Connection) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
