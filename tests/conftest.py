"""Shared fixtures: every test gets its own real SQLite file; the user's database is never touched.

A reference database (schema + 928 districts + timeline) is initialised once per session and
copied for each test, so tests start from exactly what first use creates, quickly.
"""

from __future__ import annotations

import os

# As castctl.cli sets it for real runs, before typer is imported here: plain help in tests too.
os.environ.setdefault("TYPER_USE_RICH", "0")

import json  # noqa: E402
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from castctl.cli import app
from castctl.db.engine import Database


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "castctl.db"
    db = Database(str(path))
    db.ensure_ready()
    db.close()
    return path


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_db: Path
) -> Iterator[Path]:
    """Point CASTCTL_DB at a fresh copy of the reference database; keep HOME/XDG in tmp."""
    path = tmp_path / "castctl.db"
    shutil.copyfile(template_db, path)
    os.chmod(path, 0o600)
    monkeypatch.setenv("CASTCTL_DB", str(path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    yield path


@pytest.fixture
def db_file(isolated_env: Path) -> Path:
    return isolated_env


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
