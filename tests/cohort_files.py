"""Writing the coordinators' files (trainee and target CSV/XLSX) and reading a database back,
for the CLI tests of the cohort, placement and demo commands."""

from __future__ import annotations

import csv
import math
import random
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

TRAINEE_COLUMNS = (
    "trainee_id", "full_name", "department", "home_province", "email", "pilot_preferences",
    "target_preferences",
)  # fmt: skip
PILOT_CODES = ("1806", "2506", "3209", "4001", "4105", "5607", "6309", "6501", "9005", "9501")
DEPARTMENTS = ("OPS", "DOPA", "CDD", "DLA", "DOL", "DPT", "DDPM")
# Home provinces of the generated cohorts (the pilot districts' provinces and a few more) and,
# per province, the first districts that serve as target districts.
HOME_PROVINCES = ("10", "18", "20", "25", "32", "40", "41", "50", "56", "63", "65", "80", "90")
TARGET_CODES = (
    "1001", "1002", "1003", "1801", "1802", "2001", "2002", "2501", "3201", "3202", "4001",
    "4002", "4003", "4101", "4102", "5001", "5002", "5601", "6301", "6501", "6502", "8001",
    "9001", "9002",
)  # fmt: skip
THAI_NAMES = ("นายสมชาย ใจดี", "นางสาวสุภาพร ศรีสุข", "นางกาญจนา ทองคำ", "นายวีระ บุญมา")


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    header: Sequence[str] = TRAINEE_COLUMNS,
    *,
    encoding: str = "utf-8",
) -> Path:
    """Write ``header`` then the rows (dicts: missing keys are blank; or plain sequences)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            if isinstance(row, Mapping):
                writer.writerow(["" if row.get(k) is None else row.get(k) for k in header])
            else:
                writer.writerow(row)
    return path


def write_targets(path: Path, targets: Iterable[tuple[str, int]]) -> Path:
    return write_csv(path, targets, ("district_code", "capacity"))


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "cohort"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def make_cohort(
    n: int,
    seed: int = 1,
    *,
    prefix: str = "T",
    start: int = 1,
    departments: Sequence[str] = DEPARTMENTS,
    targets: Sequence[str] = TARGET_CODES,
) -> list[dict[str, str]]:
    """``n`` trainees with Thai names, mixed departments and homes, and some preferences."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        pilot = rng.sample(PILOT_CODES, rng.choice((0, 0, 1, 2, 3)))
        target = rng.sample(list(targets), min(len(targets), rng.choice((0, 1, 2, 3, 5))))
        out.append(
            {
                "trainee_id": f"{prefix}{i:03d}",
                "full_name": f"{THAI_NAMES[i % len(THAI_NAMES)]} {i}",
                "department": departments[rng.randrange(len(departments))],
                "home_province": rng.choice(HOME_PROVINCES),
                "email": f"t{i}@example.go.th",
                "pilot_preferences": ";".join(pilot),
                "target_preferences": ";".join(target),
            }
        )
    return out


def roomy_targets(n: int, codes: Sequence[str] = TARGET_CODES) -> list[tuple[str, int]]:
    """Target districts with room for ``n`` trainees and some slack, spread evenly."""
    per = max(1, math.ceil(1.25 * n / len(codes)))
    return [(code, per) for code in codes]


def dump(db: Any) -> Any:
    """The whole database, to compare before/after (equal dumps: nothing was written): the
    ``database`` fixture's backend-neutral ``dump()``, or a SQLite file's SQL statements."""
    if hasattr(db, "dump"):
        return db.dump()
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
