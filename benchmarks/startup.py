"""Start-up time of castctl against sqlite-utils, measured side by side in one run.

Usage (from the repository root, with the interpreter castctl is installed in)::

    .venv/bin/python benchmarks/startup.py [--runs 15]

sqlite-utils is the database CLI a coordinator might use instead; it is needed by this benchmark
only (``pip install sqlite-utils`` into the same environment). Both programs are run through
their console scripts next to ``sys.executable`` (or on PATH), alternately, after one warm-up run
each, so both see the same disk cache and machine load. Timed pairs:

- ``castctl --help`` against ``sqlite-utils --help`` (goal: ratio <= 0.3);
- ``castctl timeline -f json`` on an initialised database against
  ``sqlite-utils tables DB.db`` on the same file (goal: ratio <= 1.0);
- first use, ``castctl timeline -f json`` on a new database (create the schema, load the
  reference data, show the timeline; a new file each run), against ``sqlite-utils tables`` on
  a database it has just made (goal: ratio <= 1.0).

When the installed ``castctl`` script does not start at ``castctl.fasthelp:main`` yet, a third
pair times a console script that does (what the cached help would give once the entry point
points there). It prints min and median wall time of each command and the ratios of the mins and
of the medians, then the ten modules with the largest self import time of
``python -X importtime -m castctl timeline -f json``.

Exit status: 0 when both goals are met (on the medians), 1 when one is missed, 2 when
sqlite-utils or castctl cannot be found.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Measure programs as users run them: with compiled bytecode cached. (These machines set
# PYTHONDONTWRITEBYTECODE, which would recompile every module on every run.)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

GOALS = {"help": 0.3, "timeline": 1.0, "first use": 1.0}


def find_script(name: str) -> str | None:
    """The console script installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def wall_time(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return elapsed


def measure(
    commands: dict[str, list[str]], env: dict[str, str], runs: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {label: [] for label in commands}
    for argv in commands.values():  # warm-up: page cache, .pyc files
        wall_time(argv, env)
    for _ in range(runs):
        for label, argv in commands.items():  # alternate, so load affects both alike
            times[label].append(wall_time(argv, env))
    return times


def measure_first_use(
    castctl: str, sqlite_utils: str, directory: Path, env: dict[str, str], runs: int
) -> dict[str, list[float]]:
    """First use on a new file each run, alternating with sqlite-utils on the file it made."""
    times: dict[str, list[float]] = {FIRST_USE: [], FIRST_USE_BASE: []}
    for run in range(runs + 1):  # run 0 warms up
        db = directory / f"first-{run}.db"
        first = wall_time([castctl, "--db", str(db), "timeline", "-f", "json"], env)
        base = wall_time([sqlite_utils, "tables", str(db)], env)
        if run:
            times[FIRST_USE].append(first)
            times[FIRST_USE_BASE].append(base)
    return times


FIRST_USE = "castctl timeline -f json, new DB"
FIRST_USE_BASE = "sqlite-utils tables NEW.db"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def import_times(castctl_env: dict[str, str], top: int = 10) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of the slowest imports of ``castctl timeline -f json``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "castctl", "timeline", "-f", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=castctl_env,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, module = line.removeprefix("import time:").split("|", 2)
        rows.append((int(self_us), int(cumulative_us), module.strip()))
    return sorted(rows, reverse=True)[:top]


def fast_entry_point(castctl: str, directory: Path) -> str | None:
    """A console script starting at ``castctl.fasthelp:main``, unless the installed one does."""
    if "castctl.fasthelp" in Path(castctl).read_text(errors="replace"):
        return None
    try:
        import castctl.fasthelp  # noqa: F401
    except ImportError:
        return None
    script = directory / "castctl-fasthelp"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom castctl.fasthelp import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    script.chmod(0o755)
    return str(script)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (>= 7)")
    args = parser.parse_args(argv)
    if args.runs < 7:
        parser.error("--runs must be at least 7")

    castctl = find_script("castctl")
    sqlite_utils = find_script("sqlite-utils")
    if castctl is None:
        print("castctl is not installed here: pip install -e .", file=sys.stderr)
        return 2
    if sqlite_utils is None:
        print(
            "sqlite-utils is not installed in this environment; it is needed by this benchmark "
            f"only:\n    {sys.executable} -m pip install sqlite-utils",
            file=sys.stderr,
        )
        return 2

    with tempfile.TemporaryDirectory(prefix="castctl-bench-") as tmp:
        db = Path(tmp) / "castctl.db"
        env = dict(os.environ, CASTCTL_DB=str(db), COLUMNS="100")
        env.pop("TYPER_USE_RICH", None)
        wall_time([castctl, "timeline", "-f", "json"], env)  # creates + loads the DB
        commands = {
            "castctl --help": [castctl, "--help"],
            "sqlite-utils --help": [sqlite_utils, "--help"],
            "castctl timeline -f json": [castctl, "timeline", "-f", "json"],
            "sqlite-utils tables DB.db": [sqlite_utils, "tables", str(db)],
        }
        fast = fast_entry_point(castctl, Path(tmp))
        if fast:
            commands["castctl --help via castctl.fasthelp:main"] = [fast, "--help"]
        times = measure(commands, env, args.runs)
        times.update(measure_first_use(castctl, sqlite_utils, Path(tmp), env, args.runs))
        top = import_times(env)

    print(f"{args.runs} runs each, alternating; Python {sys.version.split()[0]} on {sys.platform}")
    print(f"castctl: {castctl}\nsqlite-utils: {sqlite_utils}")
    print()
    width = max(map(len, times))
    print(f"{'command':<{width}}  {'min':>10}  {'median':>10}")
    for label, values in times.items():
        print(f"{label:<{width}}  {ms(min(values))}  {ms(statistics.median(values))}")

    def ratio(a: str, b: str) -> tuple[float, float]:
        return (
            min(times[a]) / min(times[b]),
            statistics.median(times[a]) / statistics.median(times[b]),
        )

    pairs = [
        ("help", "castctl --help", "sqlite-utils --help"),
        ("timeline", "castctl timeline -f json", "sqlite-utils tables DB.db"),
        ("first use", FIRST_USE, FIRST_USE_BASE),
    ]
    print("\nratios (castctl / sqlite-utils)")
    met = True
    for goal, a, b in pairs:
        by_min, by_median = ratio(a, b)
        ok = by_median <= GOALS[goal]
        met = met and ok
        print(
            f"  {a:<32} min {by_min:5.2f}x  median {by_median:5.2f}x  "
            f"goal <= {GOALS[goal]}x: {'met' if ok else 'MISSED'}"
        )
    if fast:
        by_min, by_median = ratio("castctl --help via castctl.fasthelp:main", "sqlite-utils --help")
        print(
            f"  {'--help via fasthelp':<32} min {by_min:5.2f}x  median {by_median:5.2f}x  "
            "(if the entry point were castctl.fasthelp:main)"
        )

    print("\nslowest imports of `python -X importtime -m castctl timeline -f json` (self time)")
    print(f"  {'self':>9}  {'cumulative':>10}  module")
    for self_us, cumulative_us, module in top:
        print(f"  {self_us / 1000:6.1f} ms  {cumulative_us / 1000:7.1f} ms  {module}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
