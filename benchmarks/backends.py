"""The same commands on SQLite and on PostgreSQL, side by side, through the real ``castctl``.

Run with the project's interpreter (PostgreSQL's ``initdb``/``pg_ctl`` must be installed; as
root the server runs as the ``postgres`` user)::

    .venv/bin/python benchmarks/backends.py [--runs 3] [--seed 2566] [--keep DIR]

A PostgreSQL server is started for the run in a temp directory (``tests/pgserver.py``, with
PostgreSQL's own durability settings: fsync, full page writes, autovacuum; Thai ICU collation,
Asia/Bangkok time zone), on a Unix socket, as a server on the same machine would be used. At
national scale, 10,000 trainees and 220,000 weekly reports, each command runs ``--runs`` times
per backend in a subprocess (interpreter start-up and imports included), the backends taking
turns run by run (first one, then the other, swapped each run), each run on a fresh copy of
the same starting database (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL):

- ``castctl trainees import`` of 10,000 trainees (the generator of ``benchmarks/assign.py``);
- ``castctl assign --stage all -f json`` of them into the 928 districts (capacity 11 each);
- ``castctl reports import`` of 220,000 reports (the generator of ``benchmarks/progress.py``);
- ``castctl progress --by district -f json`` and ``castctl summary weekly -f json`` on them;

min and median seconds on each backend and the PostgreSQL / SQLite ratio of the medians, with
the goal of at most 2 x. The outputs of ``assign``, ``progress`` and ``summary`` are checked to
be byte-identical on the two backends. Last, the 8-writer concurrency figure: 8 processes, each
adding 200 reports in 200 short transactions through castctl's own report code
(``tests/test_concurrency.py``), goal at least 500 report writes per second in total on SQLite
(PostgreSQL's figure is shown too). Exit status 0 when every goal passes, 1 when one fails.

Also shown, without a goal: commands that read little (``timeline``, ``districts``,
``intakes``), whose time is mostly start-up. There PostgreSQL's difference is a constant, the
import of psycopg (about 0.1 s: it loads ``importlib.metadata`` and ``asyncio``), and their
ratio says more about the driver than about castctl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT / "src", ROOT, ROOT / "benchmarks"):
    sys.path.insert(0, str(folder))

import assign as assign_bench  # noqa: E402  (benchmarks/assign.py: the trainee generator)
import intakes as intakes_bench  # noqa: E402  (benchmarks/intakes.py: runs in turn)
import progress as progress_bench  # noqa: E402  (benchmarks/progress.py: reports, placements)
from tests.pgserver import PostgresServer  # noqa: E402

from castctl.db.store import open_store  # noqa: E402

# Measure programs as users run them: with compiled bytecode cached (progress_bench does too).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

CASTCTL = [sys.executable, "-m", "castctl"]
TRAINEES = progress_bench.TRAINEES
TARGET_CAPACITY = 11  # 928 x 11 places for 10,000 trainees, as in benchmarks/assign.py
MAX_RATIO = 2.0
# Commands whose time is mostly the interpreter's start-up and imports: their ratio measures
# the PostgreSQL driver's import more than castctl.
LIGHT = (["timeline", "-f", "json"], ["districts", "-f", "json"], ["intakes", "-f", "json"])
MIN_WRITES_PER_SECOND = 500


# ---- the two backends ---------------------------------------------------------------------------


class SqliteSide:
    """Databases are files; a "template" is a file that each run copies."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "sqlite"
        self.folder.mkdir()
        self.count = 0

    def new_empty(self) -> str:
        self.count += 1
        return str(self.folder / f"db{self.count}.db")

    def clone(self, template: str) -> str:
        target = self.new_empty()
        shutil.copyfile(template, target)
        return target

    def keep_as_template(self, location: str, name: str) -> str:
        target = self.folder / f"{name}.db"
        shutil.copyfile(location, target)  # every castctl process has ended: no -wal left
        return str(target)

    def analyze(self, location: str) -> None:
        """Nothing: castctl's SQLite queries need no statistics (none are kept by default)."""

    def drop(self, location: str) -> None:
        Path(location).unlink(missing_ok=True)


class PostgresSide:
    """Databases on the run's own server; a template is a database each run clones."""

    name = "postgresql"

    def __init__(self, server: PostgresServer) -> None:
        self.server = server

    def new_empty(self) -> str:
        return self.server.fresh_database()

    def clone(self, template: str) -> str:
        location = self.server.fresh_database(self._name(template))
        # CREATE DATABASE (PostgreSQL 15's WAL_LOG strategy) copies the template through shared
        # buffers: written out now, not by the checkpointer during the timed run, as a settled
        # database would be (the SQLite side's copy is synced to disk likewise).
        self.server.execute("CHECKPOINT")
        return location

    def keep_as_template(self, location: str, name: str) -> str:
        return self.server.create_database(name, self._name(location))

    def analyze(self, location: str) -> None:
        """What autovacuum does within a minute of a bulk load: planner statistics, and (since
        PostgreSQL 13, for inserts too) a vacuum that marks the new pages all-visible, which lets
        ``progress`` read the reports' coverage from ``ix_report_coverage`` alone (an
        index-only scan; without it every report's row is fetched)."""
        self.server.execute("VACUUM (ANALYZE)", self._name(location))

    def drop(self, location: str) -> None:
        self.server.drop_database(self._name(location))

    @staticmethod
    def _name(url: str) -> str:
        return url.split("@/", 1)[1].split("?", 1)[0]


Side = SqliteSide | PostgresSide


# ---- measuring ----------------------------------------------------------------------------------


@dataclass
class Row:
    command: str
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def median(self, side: str) -> float:
        return sorted(self.seconds[side])[len(self.seconds[side]) // 2]

    def ratio(self) -> float:
        return self.median("postgresql") / self.median("sqlite")


def castctl(location: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "CASTCTL_DB": location, "COLUMNS": "200"}
    return progress_bench.timed([*CASTCTL, *args], env)


def in_turn(sides: Sequence[Side], runs: int) -> Iterator[tuple[int, Side]]:
    """(run, side): every run on each side in turn, the order swapped each run as
    ``benchmarks/intakes.py`` swaps its databases, so that a slow spell of the machine falls on
    both backends rather than on one."""
    for n in range(runs):
        for side in intakes_bench.in_turns(n, *sides):
            yield n, side


def measure(
    row: Row,
    sides: Sequence[Side],
    templates: dict[str, str],
    args: Sequence[str],
    runs: int,
    *,
    keep: Callable[[Side, str], None] | None = None,
) -> dict[str, str]:
    """``runs`` runs of ``castctl args`` on each side, each on a fresh clone of the side's
    template; the last output of each. ``keep`` receives each side's last database (else it
    is dropped)."""
    out: dict[str, str] = {}
    for n, side in in_turn(sides, runs):
        location = side.clone(templates[side.name])
        os.sync()  # no write-back of earlier files (inputs, clones) during the timed run
        took, out[side.name] = castctl(location, *args)
        row.seconds.setdefault(side.name, []).append(took)
        if keep is not None and n == runs - 1:
            keep(side, location)
        else:
            side.drop(location)
    return out


def repeat(
    row: Row, sides: Sequence[Side], locations: dict[str, str], args: Sequence[str], runs: int
) -> dict[str, str]:
    """``runs`` runs of a read-only ``castctl args`` on each side's database, in turn."""
    out: dict[str, str] = {}
    for _, side in in_turn(sides, runs):
        os.sync()
        took, out[side.name] = castctl(locations[side.name], *args)
        row.seconds.setdefault(side.name, []).append(took)
    return out


def copy_placements(base: Path, location: str) -> None:
    """The 10,000 trainees and placements of ``benchmarks/progress.py``'s SQLite base, written
    into a castctl database elsewhere through castctl's own transaction code."""
    source = sqlite3.connect(base)
    db = open_store(location)
    try:
        with db.transaction() as tx:
            for table in ("trainee", "assignment"):
                cursor = source.execute(f"SELECT * FROM {table}")
                names = [c[0] for c in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor]
                tx.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join(':' + n for n in names)})",
                    rows,
                )
    finally:
        db.close()
        source.close()


def writers_per_second(side: Side, folder: Path) -> float:
    """``tests/test_concurrency.py``'s 8-writer measurement on a new database of ``side``."""
    from tests.test_concurrency import measure_report_writers

    def cli(*args: str) -> None:
        subprocess.run([*CASTCTL, *map(str, args)], check=True, capture_output=True)

    location = side.new_empty()
    cli("--db", location, "timeline", "-f", "json")  # first use: schema and intake 2566
    work = folder / f"writers-{side.name}"
    work.mkdir()
    run = measure_report_writers(cli, location, work)
    if run.rows != run.processes * 200:
        raise SystemExit(f"{side.name}: {run.rows} reports written, not {run.processes * 200}")
    return run.per_second


# ---- the run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--keep", type=Path, help="build the SQLite files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="castctl-backends-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = PostgresServer.start(durable=True)
    try:
        return run(folder, server, args.runs, args.seed)
    finally:
        server.stop()
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, server: PostgresServer, runs: int, seed: int) -> int:
    t0 = time.perf_counter()
    sides: list[Side] = [SqliteSide(folder), PostgresSide(server)]
    empty: dict[str, str] = {}
    for side in sides:  # what first use creates: schema, districts, timeline
        location = side.new_empty()
        castctl(location, "db", "upgrade")
        empty[side.name] = side.keep_as_template(location, "empty")
        side.drop(location)
    districts = json.loads(castctl(empty["sqlite"], "districts", "-f", "json")[1])
    trainees = assign_bench.write_trainees(folder / "trainees.csv", TRAINEES, seed, districts)
    targets = assign_bench.write_targets(
        folder / "targets.csv", [d["code"] for d in districts], TARGET_CAPACITY
    )
    base, reports = progress_bench.build_base(folder, seed)
    print(f"built the inputs in {time.perf_counter() - t0:.1f} s; {runs} runs per command")

    # Each command's runs alternate between the backends (``in_turn``).
    imported = Row(f"trainees import ({TRAINEES:,})")
    loaded: dict[str, str] = {}

    def keep_loaded(side: Side, location: str) -> None:  # what assign starts from
        castctl(location, "targets", "import", str(targets))
        side.analyze(location)
        loaded[side.name] = side.keep_as_template(location, "loaded")
        side.drop(location)

    measure(imported, sides, empty, ["trainees", "import", str(trainees)], runs, keep=keep_loaded)
    placed = Row("assign --stage all -f json")
    assigned = measure(placed, sides, loaded, ["assign", "--stage", "all", "-f", "json"], runs)

    # -- 220,000 reports on 10,000 placed trainees ---------------------------------------------
    with_placements: dict[str, str] = {}
    for side in sides:
        start = side.clone(empty[side.name])
        copy_placements(base, start)
        side.analyze(start)
        with_placements[side.name] = side.keep_as_template(start, "placed")
        side.drop(start)
    filled: dict[str, str] = {}

    def keep_filled(side: Side, location: str) -> None:
        side.analyze(location)
        filled[side.name] = location

    report_rows = Row(f"reports import ({TRAINEES * progress_bench.WEEKS:,})")
    measure(report_rows, sides, with_placements, ["reports", "import", str(reports)], runs,
            keep=keep_filled)  # fmt: skip
    by_district = Row("progress --by district -f json")
    progress_out = repeat(by_district, sides, filled, ["progress", "--by", "district",
                          "--as-of", progress_bench.AS_OF, "-f", "json"], runs)  # fmt: skip
    summary = Row("summary weekly -f json")
    summary_out = repeat(summary, sides, filled, ["summary", "weekly", "--as-of",
                         progress_bench.AS_OF, "-f", "json"], runs)  # fmt: skip
    rows = [imported, placed, report_rows, by_district, summary]
    light = [Row(" ".join(args)) for args in LIGHT]
    for row, args in zip(light, LIGHT, strict=True):
        repeat(row, sides, filled, args, runs)

    for key, out in (("assign", assigned), ("progress", progress_out), ("summary", summary_out)):
        if out["sqlite"] != out["postgresql"]:
            raise SystemExit(f"{key}: the two backends printed different output")

    writes = {side.name: writers_per_second(side, folder) for side in sides}
    return report(rows, writes, runs, light)


def report(rows: list[Row], writes: dict[str, float], runs: int, light: list[Row]) -> int:
    print(f"\nseconds, min / median of {runs} runs; ratio = PostgreSQL median / SQLite median\n")
    print(f"{'command':32} {'SQLite':>17} {'PostgreSQL':>17} {'ratio':>6}  goal")
    failed = False
    for row in rows:
        sq, pg = row.seconds["sqlite"], row.seconds["postgresql"]
        ok = row.ratio() <= MAX_RATIO
        failed |= not ok
        print(
            f"{row.command:32} {min(sq):7.3f} / {row.median('sqlite'):7.3f} "
            f"{min(pg):7.3f} / {row.median('postgresql'):7.3f} {row.ratio():5.2f}x  "
            f"<= {MAX_RATIO:.0f}x {'ok' if ok else 'FAIL'}"
        )
    ok = writes["sqlite"] >= MIN_WRITES_PER_SECOND
    failed |= not ok
    print(
        f"\n8 writers x 200 reports, one transaction each: SQLite {writes['sqlite']:,.0f} "
        f"reports/s (goal >= {MIN_WRITES_PER_SECOND} {'ok' if ok else 'FAIL'}); "
        f"PostgreSQL {writes['postgresql']:,.0f} reports/s"
    )
    print("outputs of assign, progress and summary: byte-identical on both backends")
    print(
        "\ncommands that read little (start-up bound; shown, not counted in the exit status): "
        "PostgreSQL adds importing psycopg, the same ~0.1 s in every command"
    )
    for row in light:
        sq, pg = row.median("sqlite"), row.median("postgresql")
        print(
            f"{row.command:32} {min(row.seconds['sqlite']):7.3f} / {sq:7.3f} "
            f"{min(row.seconds['postgresql']):7.3f} / {pg:7.3f} {row.ratio():5.2f}x  "
            f"+{pg - sq:.3f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
