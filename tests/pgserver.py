"""A real, throw-away PostgreSQL server for the test run.

Started once per session in a temp directory, listening only on a Unix socket there, with
durability turned off (it is thrown away). The server refuses to run as root, so when the tests
run as root (CI, these machines) it runs as the ``postgres`` user through ``runuser``.
Each test gets its own database, cloned from a template that castctl initialised once.
Nothing here skips: a server that cannot start is an error, so CI cannot pass silently.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import queue
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found: install the server (Debian: apt-get install "
            "postgresql), or run only the SQLite half with CASTCTL_TEST_BACKENDS=sqlite"
        )
    return candidates[-1]


@dataclass
class PostgresServer:
    root: Path
    user_prefix: list[str]
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.user_prefix, *args], capture_output=True, text=True, check=False, timeout=60
        )

    @classmethod
    def start(cls, *, durable: bool = False) -> PostgresServer:
        """A new server in a new temp directory. ``durable``: PostgreSQL's own defaults for
        writing to disk (fsync, full page writes, autovacuum), as a benchmark should measure;
        otherwise durability is off, for a throw-away test server."""
        root = Path(tempfile.mkdtemp(prefix="castctl-pg-"))
        prefix: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        server = cls(root, prefix)
        data = root / "data"
        initdb = [
            _binary("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", *([] if durable else ["--no-sync"]),
        ]  # fmt: skip
        # Text sorts by Thai rules (ICU), as on a ministry server, not byte by byte as in SQLite:
        # any output that relied on the database's ORDER BY of text would differ and fail.
        init = server._run(*initdb, "--locale-provider=icu", "--icu-locale=th-TH")
        if init.returncode != 0:  # PostgreSQL before 15, or built without ICU
            shutil.rmtree(data, ignore_errors=True)
            init = server._run(*initdb)
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        # The server's time zone is Bangkok's, as on a ministry server: castctl must still store
        # and show UTC timestamps exactly as on SQLite.
        options = (
            f"-k {root} -c listen_addresses='' -c max_connections=100 -c timezone=Asia/Bangkok"
        )
        if not durable:
            options += (
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
            )
        start = server._run(
            _binary("pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
            "-l", str(root / "server.log"), "start",
        )  # fmt: skip
        if start.returncode != 0:
            log_file = root / "server.log"
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")
        return server

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.root), user="postgres", dbname=database, autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        self.execute(f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def fresh_database(self, template: str | None = None) -> str:
        return self.create_database(f"t{next(self.counter)}", template)

    def drop_database(self, name: str) -> None:
        """Drop it even if a connection was left open (a killed process, a leaked engine)."""
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        self._run(_binary("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class DatabasePool:
    """Databases cloned from ``template`` ahead of need, and used ones dropped, by a background
    thread.

    ``CREATE DATABASE … TEMPLATE`` takes 30-200 ms (the most right after a ``DROP DATABASE``),
    as long as a short test: done while the tests run, it costs them nearly nothing. Drops wait
    until the next databases are ready.
    """

    def __init__(self, server: PostgresServer, template: str, ahead: int = 3) -> None:
        self.server = server
        self.template = template
        self._ready: queue.Queue[str] = queue.Queue(maxsize=ahead)
        self._used: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="castctl-pg-pool", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._ready.full():  # only this thread puts: the put never waits
                    self._ready.put(self.server.fresh_database(self.template))
                    continue
                try:
                    name = self._used.get(timeout=0.05)
                except queue.Empty:
                    continue
                self.server.drop_database(name)
        except BaseException as exc:  # handed to the next test that asks: it errors
            self._error = exc

    def take(self) -> str:
        """The URL of a fresh database (a clone of the template, never used)."""
        while True:
            try:
                return self._ready.get(timeout=0.5)
            except queue.Empty:
                if self._error is not None:
                    raise RuntimeError(f"cannot create a test database: {self._error}") from (
                        self._error
                    )
                if not self._thread.is_alive():
                    raise RuntimeError("the test database pool has stopped") from None

    def discard(self, name: str) -> None:
        """A database no longer needed: dropped when the thread has time."""
        self._used.put(name)

    def close(self) -> None:
        """Stop; what is left goes with the server."""
        self._stop.set()
        self._thread.join(timeout=60)
