"""The README's two opening commands work as pasted.

(a) installs castctl and runs its main job: it is run for real, with bash, in a copy of the
    repository (the files git knows about), with only Python on PATH, a new database and a
    throw-away HOME. It needs PyPI (or pip's cache) and takes about a minute.
(b) installs the test dependencies and runs the tests: running it here would run this suite
    inside itself, so the test checks that it is, verbatim, what ``.ci/run`` runs.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 2, "README.md must open with two ```bash blocks (install+run, tests)"
    commands = []
    for block in blocks[:2]:
        lines = [line for line in block.splitlines() if line.strip()]
        assert len(lines) == 1, f"each of the first two bash blocks is one command line: {block!r}"
        commands.append(lines[0].strip())
    return commands


def test_readme_opens_with_install_and_test_commands():
    install, tests = readme_commands()
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```bash")
    assert "\n## " not in text[:first_block], "the commands come first, before any section"
    assert "castctl demo" in install and "castctl timeline" in install
    assert "pip install" in install and "pip install" in tests
    assert "pytest" in tests


def test_readme_test_command_is_what_ci_runs():
    _, tests = readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]
    assert tests in ci_lines, f".ci/run must run the README's test command verbatim:\n  {tests}"


def repository_files() -> list[Path]:
    """The files of a clone: tracked plus new, not ignored (so work in progress counts too)."""
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    names = [n for n in proc.stdout.decode().split("\0") if n]
    return [Path(n) for n in names if os.path.lexists(REPO / n)]  # skip deleted files


def copy_repository(target: Path) -> None:
    for relative in repository_files():
        source, dest = REPO / relative, target / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, dest)


def pip_cache_dir() -> str:
    if os.environ.get("PIP_CACHE_DIR"):
        return os.environ["PIP_CACHE_DIR"]
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        pwd.getpwuid(os.getuid()).pw_dir, ".cache"
    )
    return os.path.join(cache_home, "pip")


def fresh_machine_env(tmp_path: Path) -> dict[str, str]:
    """Only Python on PATH (the interpreter these tests run on), a new HOME and database."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    python_bin = str(Path(sys.base_prefix) / "bin")
    this_venv = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != this_venv]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "CASTCTL_DB"}
        and not k.startswith(("COV_", "COVERAGE_", "PYTEST_"))
    }
    env.update(
        PATH=os.pathsep.join([python_bin, *path]),
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        CASTCTL_DB=str(tmp_path / "readme.db"),
        PIP_CACHE_DIR=pip_cache_dir(),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        COLUMNS="120",
    )
    return env


@pytest.mark.long
def test_readme_install_command_runs(tmp_path: Path):
    install, _ = readme_commands()
    clone = tmp_path / "clone"
    copy_repository(clone)
    assert (clone / "pyproject.toml").is_file()
    env = fresh_machine_env(tmp_path)
    proc = subprocess.run(
        ["bash", "-c", install],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, (
        f"README command failed ({proc.returncode}): {install}\n"
        f"stdout (tail):\n{proc.stdout[-3000:]}\nstderr (tail):\n{proc.stderr[-5000:]}"
    )
    out = proc.stdout
    assert "Week" in out, out[-3000:]
    assert re.search(r"^\s*22\s+target\s", out, flags=re.MULTILINE), out[-3000:]
    assert "\x1b" not in out
    # castctl used the database the environment named, not one in the (throw-away) HOME
    assert (tmp_path / "readme.db").is_file()
    assert not (tmp_path / "home" / ".local" / "share" / "castctl").exists()
