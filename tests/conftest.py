"""Shared fixtures: every test gets its own real database; the user's database is never touched.

Backends. Every test that runs the command line (the ``cli`` fixture) or asks for the
``database`` or ``make_database`` fixture runs twice, once on SQLite and once on PostgreSQL:
``test_x[sqlite]`` and ``test_x[postgresql]``. The PostgreSQL server is real
(``tests/pgserver.py``): started once per session in a temp directory, on a Unix socket, and
stopped at the end. If it cannot start, the PostgreSQL tests ERROR; they never skip. A
developer may opt out explicitly with ``CASTCTL_TEST_BACKENDS=sqlite``.

A test about SQLite files themselves (file modes, WAL, the online backup API, ``db_file``) is
marked ``@pytest.mark.sqlite_only`` and runs on SQLite alone; asking for ``db_file`` in a test
that is not so marked is an error, so no test silently skips the PostgreSQL half. A test that
uses the command line but never a database (help, usage errors) is marked
``@pytest.mark.backend_independent`` and runs once. A test about PostgreSQL URLs themselves is
marked ``@pytest.mark.postgresql_only`` and runs on PostgreSQL alone.

Each database starts as exactly what first use creates: a template (schema + 928 districts +
timeline) is initialised once per session and backend, then copied per test (a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), which is fast.
"""

from __future__ import annotations

import os

# As castctl.cli sets it for real runs, before typer is imported here: plain help in tests too.
os.environ.setdefault("TYPER_USE_RICH", "0")

import json  # noqa: E402
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from castctl.cli import app
from castctl.db.store import open_store

ALL_BACKENDS = ("sqlite", "postgresql")
PG_TEMPLATE = "castctl_template"


def selected_backends() -> tuple[str, ...]:
    """The backends this run covers: both, unless CASTCTL_TEST_BACKENDS names fewer."""
    raw = os.environ.get("CASTCTL_TEST_BACKENDS", "").strip()
    if not raw:
        return ALL_BACKENDS
    chosen = tuple(dict.fromkeys(b.strip().lower() for b in raw.split(",") if b.strip()))
    unknown = [b for b in chosen if b not in ALL_BACKENDS]
    if unknown or not chosen:
        raise pytest.UsageError(
            f"CASTCTL_TEST_BACKENDS={raw!r}: use a comma-separated subset of {ALL_BACKENDS}"
        )
    return chosen


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: about SQLite files themselves (modes, WAL, backup API): runs on SQLite only",
    )
    config.addinivalue_line(
        "markers",
        "backend_independent: uses the CLI but never the database (help, usage errors): runs once",
    )
    config.addinivalue_line(
        "markers",
        "postgresql_only: about PostgreSQL URLs themselves (libpq spellings, passwords): runs on "
        "PostgreSQL only",
    )
    config.addinivalue_line(
        "markers",
        "long: takes many seconds (a fresh install, many processes): scheduled first, so that "
        "with several workers it does not start last and keep the whole run waiting",
    )
    selected_backends()  # a bad CASTCTL_TEST_BACKENDS stops the run before any test


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``long`` first, in their order, then the rest in theirs (pytest-xdist
    hands tests to its workers in this order)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses the command line or the database on each selected backend.

    ``isolated_env`` (autouse) puts ``backend`` in every test's closure but reaches ``database``
    only at run time, so ``database`` (or ``make_database``) is in the closure exactly when a
    test or one of its fixtures asks for it.
    """
    names = set(metafunc.fixturenames)
    if "backend" not in names or not names & {"cli", "database", "make_database"}:
        return
    marked = metafunc.definition.get_closest_marker
    if marked("sqlite_only") or marked("backend_independent"):
        return  # the backend fixture defaults to SQLite
    backends = selected_backends()
    if marked("postgresql_only"):
        # Not run at all (not even as a skip) when CASTCTL_TEST_BACKENDS leaves PostgreSQL out.
        backends = [b for b in backends if b == "postgresql"]
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the backend of this test's database."""
    return str(getattr(request, "param", "sqlite"))


# ---- the databases ---------------------------------------------------------------------------


@dataclass
class TestDatabase:
    """The test's database, whichever the backend.

    ``url`` is what ``CASTCTL_DB`` holds: the SQLite file's path, or a PostgreSQL URL; ``str()``
    of it is the same, so helpers that take a location accept this object too.
    """

    __test__ = False  # not a test class, despite the name

    backend: str
    url: str
    path: Path | None = None  # the SQLite file; None on PostgreSQL

    def __str__(self) -> str:
        return self.url

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def sa_url(self) -> str:
        """The SQLAlchemy URL (a SQLite path becomes ``sqlite:///path``)."""
        return f"sqlite:///{self.path}" if self.path is not None else self.url

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of a read with ``:name`` parameters, through castctl's own light path."""
        db = open_store(self.url)
        try:
            return db.read(sql, params)
        finally:
            db.close()

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """One write, committed (to set up a state castctl itself would not produce)."""
        db = open_store(self.url)
        try:
            with db.transaction() as tx:
                tx.execute(sql, params)
        finally:
            db.close()

    def tables(self) -> list[str]:
        if self.is_sqlite:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        return sorted(r[0] for r in self.query(sql))

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of ``table``, sorted (row order is not part of any table's meaning)."""
        return sorted(self.query(f'SELECT * FROM "{table}"'), key=repr)

    def count(self, table: str) -> int:
        return int(self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0])

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, sorted: equal dumps mean nothing was written (any backend)."""
        db = open_store(self.url)
        try:
            return {t: sorted(db.read(f'SELECT * FROM "{t}"'), key=repr) for t in self.tables()}
        finally:
            db.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "castctl.db"
    db = open_store(str(path))
    db.ensure_ready()
    db.close()
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """The session's PostgreSQL server, with a castctl template database ready to clone.

    Started on first use only (a run of SQLite tests alone starts nothing). Any failure to start
    it is an error of every PostgreSQL test: never a skip.
    """
    from tests.pgserver import PostgresServer

    server = PostgresServer.start()
    try:
        url = server.create_database(PG_TEMPLATE)
        db = open_store(url)
        db.ensure_ready()
        db.close()  # no connection may stay open on a template that is being cloned
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_pool(pg_server: Any) -> Iterator[Any]:
    """Clones of the template, made in the background while the tests run."""
    from tests.pgserver import DatabasePool

    pool = DatabasePool(pg_server, PG_TEMPLATE)
    yield pool
    pool.close()


@pytest.fixture
def make_database(
    request: pytest.FixtureRequest, tmp_path: Path, template_db: Path
) -> Iterator[Callable[..., TestDatabase]]:
    """``make_database(backend)``: one more fresh castctl database, as first use creates it;
    ``make_database(backend, empty=True)``: one that castctl has not used yet (no SQLite file,
    an empty PostgreSQL database).

    For tests that compare backends or need two databases. PostgreSQL databases are dropped
    after the test (in the background).
    """
    created: list[str] = []
    sqlite_files = 0
    pool: Any = None

    def make(which: str, *, empty: bool = False) -> TestDatabase:
        nonlocal pool, sqlite_files
        if which == "sqlite":
            sqlite_files += 1
            path = tmp_path / ("castctl.db" if sqlite_files == 1 else f"castctl-{sqlite_files}.db")
            if not empty:  # empty: the file does not exist yet
                shutil.copyfile(template_db, path)
                os.chmod(path, 0o600)
            return TestDatabase("sqlite", str(path), path)
        if which != "postgresql":
            raise ValueError(which)
        if "postgresql" not in selected_backends():
            pytest.skip("CASTCTL_TEST_BACKENDS excludes postgresql")
        pool = request.getfixturevalue("pg_pool")
        url = pool.server.fresh_database(None) if empty else pool.take()
        created.append(urlsplit(url).path.lstrip("/"))
        return TestDatabase("postgresql", url)

    yield make
    for name in created:
        pool.discard(name)  # dropped in the background


@pytest.fixture
def database(backend: str, make_database: Callable[..., TestDatabase]) -> TestDatabase:
    """This test's database (the one ``CASTCTL_DB`` names), on this test's backend."""
    return make_database(backend)


@pytest.fixture
def other_backend() -> Callable[[str], str]:
    """The backend to compare a result with: the other one, or the same under an opt-out."""

    def other(backend: str) -> str:
        others = [b for b in selected_backends() if b != backend]
        return others[0] if others else backend

    return other


@pytest.fixture(autouse=True)
def isolated_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> Iterator[TestDatabase]:
    """Point CASTCTL_DB at this test's fresh database; keep HOME/XDG in tmp."""
    database: TestDatabase = request.getfixturevalue("database")
    monkeypatch.setenv("CASTCTL_DB", database.url)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    yield database


@pytest.fixture
def db_file(request: pytest.FixtureRequest, database: TestDatabase) -> Path:
    """The test's SQLite file, for tests about SQLite files (``@pytest.mark.sqlite_only``)."""
    if database.path is None:
        raise pytest.UsageError(
            f"{request.node.nodeid} uses db_file on {database.backend}: mark it sqlite_only, "
            "or use the backend-neutral `database` fixture"
        )
    return database.path


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Callable[..., Run]:
    """Run castctl in-process through typer's CliRunner; assert the exit code (default 0)."""
    runner = CliRunner()

    def run(*args: str, code: int | None = 0, input: str | None = None) -> Run:
        result = runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
        out = Run(result.exit_code, result.stdout, result.stderr)
        if code is not None:
            assert result.exit_code == code, (
                f"castctl {' '.join(map(str, args))} exited {result.exit_code}, expected {code}\n"
                f"stdout:\n{out.stdout}\nstderr:\n{out.stderr}"
            )
        return out

    return run
