"""Reading the coordinators' CSV and XLSX files, and collecting every problem at once.

Rows are numbered as a spreadsheet numbers them (header = row 1, first data row = 2), so an
error says exactly which cell to fix. Importers validate the whole file into a list of problems
and write nothing unless it is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from castctl.errors import InputError

MAX_PROBLEMS_SHOWN = 200
MAX_CELL = 10_000  # characters: anything longer is a mistake, not a name


@dataclass
class Sheet:
    path: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, column -> stripped text)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Problems:
    """Every problem found in a file, reported together."""

    path: Path
    items: list[str] = field(default_factory=list)

    def add(self, row: int, column: str, what: str) -> None:
        self.items.append(f"row {row}, column {column}: {what}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        n = len(self.items)
        shown = self.items[:MAX_PROBLEMS_SHOWN]
        if n > MAX_PROBLEMS_SHOWN:
            shown.append(f"… and {n - MAX_PROBLEMS_SHOWN} more")
        raise InputError(
            f"{self.path.name}: {n} problem{'s' if n != 1 else ''} found; nothing was written",
            shown,
        )


def _cell_text(value: object) -> str:
    if type(value) is str:  # every CSV cell, most XLSX cells: the hot path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1001 as 1001.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # Excel writes a BOM; accept files with or without
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from None
    if "\x00" in text:
        raise InputError(f"{path.name} is not a text CSV file")
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputError(f"{path.name} is not a readable CSV file: {exc}") from None


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path.name} is not a readable XLSX workbook: {exc}") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(
    path: Path,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
) -> Sheet:
    """Read a CSV (UTF-8, BOM or not) or XLSX (first sheet) file with a header row.

    Column names are matched case-insensitively; an unknown or missing required column is an
    error (``row 1, column …``). Blank rows are skipped. Cells are stripped text.
    """
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a file")
    try:
        grid = _read_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    if not grid or not any(c.strip() for c in grid[0]):
        raise InputError(f"{path.name} has no header row")
    header = [c.strip().lower() for c in grid[0]]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (Excel leaves them)
    problems = Problems(path)
    known = {*required, *optional}
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.add(1, "(blank)", "a column has no name")
        elif name in seen:
            problems.add(1, name, "column appears twice")
        elif name not in known:
            problems.add(1, name, f"unknown column; expected {', '.join(sorted(known))}")
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.add(1, name, "required column is missing")
    problems.raise_if_any()
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(grid[1:], start=2):
        cells = [_cell_text(c) for c in raw]
        if not any(cells):
            continue
        extra = cells[len(header) :]
        if any(extra):
            problems.add(number, "(beyond last)", "value in a column with no header")
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        for name, value in values.items():
            if len(value) > MAX_CELL:
                problems.add(number, name, f"cell longer than {MAX_CELL} characters")
        rows.append((number, values))
    problems.raise_if_any()
    return Sheet(path, header, rows)


def split_list(text: str) -> list[str]:
    """``a; b;c`` -> ["a", "b", "c"] (empty items dropped)."""
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
