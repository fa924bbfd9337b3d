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
import shutil
import subprocess
import tempfile
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
    def start(cls) -> PostgresServer:
        root = Path(tempfile.mkdtemp(prefix="castctl-pg-"))
        prefix: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        server = cls(root, prefix)
        data = root / "data"
        init = server._run(
            _binary("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = (
            f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        start = server._run(
            _binary("pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
            "-l", str(root / "server.log"), "start",
        )  # fmt: skip
        if start.returncode != 0:
            log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")
        return server

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), user="postgres", dbname=database, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        self.execute(f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def fresh_database(self, template: str | None = None) -> str:
        return self.create_database(f"t{next(self.counter)}", template)

    def stop(self) -> None:
        self._run(_binary("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
