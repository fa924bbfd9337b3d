"""Every command, sub-command, option and argument has help text; help and --version work."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

import castctl
import castctl.cli


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under ``command``, as click finds them (commands load on first use)."""
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from walk(command.get_command(ctx, name), (*path, name))


ROOT = typer.main.get_command(castctl.cli.app)
COMMANDS = list(walk(ROOT))
PATHS = [path for path, _ in COMMANDS]


def test_the_tree_has_the_foundation_commands():
    for path in [("timeline",), ("districts",), ("mentors",), ("mentors", "set"), ("db",),
                 ("db", "path"), ("db", "backup")]:  # fmt: skip
        assert path in PATHS


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "castctl" for p in PATHS]
)
def test_every_command_and_parameter_has_help(path, command):
    name = " ".join(("castctl", *path))
    assert (command.help or "").strip(), f"{name} has no help text"
    assert (command.get_short_help_str() or "").strip(), f"{name} has no short help"
    for param in command.params:
        text = (getattr(param, "help", None) or "").strip()
        assert text, f"{name}: {param.opts or param.name} has no help text"


@pytest.mark.backend_independent
@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "castctl" for p in PATHS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_exits_0(cli, path, flag):
    r = cli(*path, flag)
    assert r.stdout.lstrip().startswith(" ".join(("Usage: castctl", *path))), r.stdout
    assert r.stderr == ""
    assert "\x1b" not in r.stdout


@pytest.mark.backend_independent
def test_top_level_help_lists_every_command(cli):
    out = cli("--help").stdout
    for name in [p[0] for p in PATHS if len(p) == 1]:
        assert re.search(rf"^\W*{re.escape(name)}\s", out, re.MULTILINE), name


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_in_a_real_process(flag):
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", flag],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "80"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: castctl")
    assert "timeline" in proc.stdout


@pytest.mark.backend_independent
def test_version(cli):
    out = cli("--version").stdout.strip()
    assert out == f"castctl {castctl.__version__}"
    assert castctl.__version__ == importlib.metadata.version("castctl")


def test_version_in_a_real_process():
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"castctl {castctl.__version__}"


@pytest.mark.backend_independent
def test_an_unknown_command_is_a_usage_error(cli):
    r = cli("no-such-command", code=2)
    assert "Error" in r.stderr
    assert "Traceback" not in r.stderr


# ---- the cached top-level help (castctl.fasthelp) ---------------------------------------------

STALE = (
    "The cached `castctl --help` text in src/castctl/fasthelp.py is not what typer renders "
    "(a command or top-level option changed). Regenerate it with:\n"
    "    .venv/bin/python -m castctl.fasthelp --write"
)


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "TYPER_USE_RICH"}
    full_env |= {"PYTHONIOENCODING": "utf-8"} | env
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        timeout=60,
    )


def typer_help(columns: int, **env: str) -> str:
    """``castctl --help`` as the full typer path renders it, in a fresh process."""
    proc = python("from castctl.cli import main; main()", "--help", COLUMNS=str(columns), **env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("columns", [80, 200])
def test_cached_help_is_what_typer_renders(columns):
    from castctl import fasthelp

    assert typer_help(columns) == fasthelp.HELP_TEXT, STALE


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_fast_help_imports_neither_typer_nor_the_commands(flag):
    code = (
        "import sys\n"
        "from castctl.fasthelp import main\n"
        "main()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('typer', 'click', 'rich', 'castctl', 'pydantic', 'sqlite3')), file=sys.stderr)\n"
    )
    proc = python(code, flag, COLUMNS="120")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == typer_help(120), STALE
    assert proc.stderr.strip() == "['castctl', 'castctl.fasthelp']"


def test_fast_help_defers_to_typer_when_it_would_render_differently():
    run_main = "from castctl.fasthelp import main; main()"
    narrow = python(run_main, "--help", COLUMNS="60")
    assert narrow.returncode == 0
    assert narrow.stdout == typer_help(60)
    rich = python(run_main, "--help", COLUMNS="100", TYPER_USE_RICH="1")
    assert rich.returncode == 0
    assert rich.stdout == typer_help(100, TYPER_USE_RICH="1")
    assert "╭" in rich.stdout  # rich panels, not the cached plain text


def test_fast_entry_point_runs_every_other_command(database):
    run_main = "from castctl.fasthelp import main; main()"
    version = python(run_main, "--version")
    assert version.stdout.strip() == f"castctl {castctl.__version__}"
    timeline = python(run_main, "timeline", "-f", "json", CASTCTL_DB=database.url)
    assert timeline.returncode == 0, timeline.stderr
    assert len(json.loads(timeline.stdout)["weeks"]) == 22
    bad = python(run_main, "timeline", "--as-of", "2023-13-01", CASTCTL_DB=database.url)
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error:")
    subcommand_help = python(run_main, "db", "--help")
    assert subcommand_help.returncode == 0
    assert subcommand_help.stdout.startswith("Usage: castctl db")


def test_the_installed_script_prints_the_same_help():
    script = Path(sys.executable).parent / "castctl"
    assert script.exists(), "castctl is not installed in this environment"
    env = os.environ | {"COLUMNS": "80"}
    env.pop("TYPER_USE_RICH", None)
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0
    assert proc.stdout == typer_help(80)


def test_a_command_run_loads_only_its_own_module():
    """Commands load when looked up: ``timeline`` imports none of the other command modules."""
    code = (
        "import sys\n"
        "from castctl.fasthelp import main\n"
        "sys.argv = ['castctl', 'timeline', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('castctl.cli.')), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = proc.stderr.strip()
    assert "'castctl.cli.timeline'" in loaded
    for other in ("assign", "progress", "summary", "reports", "trainees", "db", "demo"):
        assert f"'castctl.cli.{other}'" not in loaded, loaded
