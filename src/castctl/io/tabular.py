"""Reading the coordinators' CSV and XLSX files, and collecting every problem at once.

Rows are numbered as a spreadsheet numbers them (header = row 1, first data row = 2), so an
error says exactly which cell to fix. Importers validate the whole file into a list of problems
and write nothing unless it is empty.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

from castctl.core.text import name_key
from castctl.errors import InputError
from castctl.io.files import check_readable

MAX_PROBLEMS_SHOWN = 200
MAX_CELL = 10_000  # characters: anything longer is a mistake, not a name


class _Rows(Sequence[tuple[int, dict[str, str]]]):
    """The data rows as (spreadsheet row number, column -> text), made on demand from compact
    tuples: a 460,000-row report file costs one tuple of shared strings per row, not a dict."""

    def __init__(self, columns: list[str], rows: list[tuple[int, tuple[str, ...]]]) -> None:
        self._columns = columns
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> tuple[int, dict[str, str]]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, dict[str, str]]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [(n, dict(zip(self._columns, c, strict=True))) for n, c in self._rows[index]]
        number, cells = self._rows[index]
        return number, dict(zip(self._columns, cells, strict=True))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        columns = self._columns
        for number, cells in self._rows:
            yield number, dict(zip(columns, cells, strict=True))


@dataclass
class Sheet:
    """A file's header (lower-cased column names) and its non-blank data rows (stripped text,
    one value per column)."""

    path: Path
    columns: list[str]
    cells: list[tuple[int, tuple[str, ...]]] = field(repr=False)

    @property
    def rows(self) -> _Rows:
        return _Rows(self.columns, self.cells)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.cells)

    def project(self, names: Sequence[str]) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(row number, the cells of ``names`` in that order; "" for a column the file does not
        have): the fast way through a big file, with no dict per row."""
        if len(names) < 2:
            raise ValueError("project() takes two or more column names")
        width = len(self.columns)
        where = [self.columns.index(n) if n in self.columns else width for n in names]
        pick = itemgetter(*where)
        if width not in where:
            for number, cells in self.cells:
                yield number, pick(cells)
        else:
            for number, cells in self.cells:
                yield number, pick((*cells, ""))


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


# ---- cells --------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a person sees in it."""
    if type(value) is str:  # most XLSX cells: the hot path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # Excel stores 1001 (and the id 00042 typed as 42) as 1001.0
        return format(value, ".15g")  # what Excel shows: 0.3, not 0.30000000000000004
    if isinstance(value, dt.datetime):  # a date cell: a date, and the time only if it has one
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---- XLSX -----------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook


def _damaged(path: Path, exc: BaseException) -> InputError:
    """One line for any failure inside openpyxl: which part is broken, never its traceback."""
    import zipfile
    import zlib

    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        why = "the file is damaged or incomplete"
    elif type(exc).__name__ in ("ParseError", "XMLSyntaxError", "ExpatError"):
        why = "its XML is damaged"
    elif isinstance(exc, KeyError):
        why = "a part of the workbook is missing"
    else:
        why = "it is damaged or not an Excel 2007+ workbook"
    return InputError(
        f"{path.name} is not a readable XLSX workbook ({why}); open it in Excel and save it "
        "again as .xlsx or as CSV UTF-8"
    )


def _xlsx_grid(path: Path) -> Iterator[Sequence[str]]:
    """The first sheet's rows as values, each cut after its last value.

    Memory and time follow the cells that exist in the file, not the sheet's recorded
    dimension: one formatted empty cell at XFD1048576 makes openpyxl pad every row to 16,384
    columns and yield a million rows otherwise. ``reset_dimensions`` makes it yield each row
    only as wide as its own last cell and missing rows as empty tuples, which cost nothing.
    """
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # "Data Validation extension is not supported" and the like: not the user's business.
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            rows = ws.iter_rows(values_only=True)
        except InputError:
            raise
        except Exception as exc:  # a damaged file can fail anywhere inside openpyxl
            raise _damaged(path, exc) from None
        try:
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except Exception as exc:
                    raise _damaged(path, exc) from None
                end = len(row)
                while end and (row[end - 1] is None or row[end - 1] == ""):
                    end -= 1
                yield [_cell_text(v) for v in row[:end]] if end else ()
        finally:
            with contextlib.suppress(Exception):
                wb.close()


# ---- CSV ------------------------------------------------------------------------------------

SEPARATORS = (",", ";", "\t")
ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16 (with BOM)",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32 (with BOM)",
    "cp874": "Windows-874/TIS-620",
}
# A Thai vowel or tone mark combines with the character before it, which must be Thai. Bytes of
# another code page (Latin-1 "café") decoded as cp874 put such marks after Latin letters: that
# file is not Thai, and reading it as Thai would store nonsense.
_ORPHAN_THAI_MARK = re.compile("(?<![\u0e01-\u0e4e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


class _NotThisEncoding(Exception):
    pass


def _candidate_encodings(head: bytes) -> list[str]:
    """The encodings to try, from the byte-order mark or the look of the first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return ["utf-32"]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]
    if b"\x00" in head:  # UTF-16 saved without its BOM: every ASCII character has a zero byte
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return ["utf-16-le"]
        if even > len(head) // 4 and odd == 0:
            return ["utf-16-be"]
        return ["utf-8-sig"]  # binary: refused below as not text
    return ["utf-8-sig", "cp874"]


def _separator(header_line: str) -> str:
    """The separator of the header line: the most frequent of ``,`` ``;`` and tab outside
    quotes (``,`` when there is none: a one-column file). Column names never hold these, so
    counting on the header is exact where ``csv.Sniffer`` guesses from Thai text in the data
    rows."""
    bare = re.sub(r'"[^"]*"', "", header_line)
    counts = [(bare.count(sep), -i, sep) for i, sep in enumerate(SEPARATORS)]
    best = max(counts)
    return best[2] if best[0] else ","


def _text_lines(fh: io.TextIOBase, path: Path, check_thai: bool) -> Iterator[str]:
    for line in fh:
        if "\x00" in line:
            raise InputError(
                f"{path.name} is not a text CSV file (it holds NUL bytes); save it as CSV UTF-8"
            )
        if check_thai and _ORPHAN_THAI_MARK.search(line):
            raise _NotThisEncoding
        yield line


def _csv_grid(fh: io.TextIOBase, path: Path, encoding: str) -> Iterator[Sequence[str]]:
    lines = _text_lines(fh, path, check_thai=encoding == "cp874")
    first = next(lines, "")
    reader = csv.reader(itertools.chain((first,), lines), delimiter=_separator(first))
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(f"{path.name} is not a readable CSV file: {exc}") from None


# ---- the table ------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
) -> Sheet:
    """Read a CSV or XLSX (first sheet) file with a header row.

    CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text"), or Windows-874/
    TIS-620 (Thai Excel's "CSV"); separated by ``,``, ``;`` or tab. XLSX is recognised by its
    content, whatever the file's name. Column names are matched case-insensitively; an unknown
    or missing required column is an error (``row 1, column …``). Blank rows are skipped.
    Cells are stripped text.
    """
    check_readable(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head.startswith(OLE_MAGIC):
            raise InputError(
                f"{path.name} is an old-style .xls or a password-protected workbook; save it "
                "as .xlsx (without a password) or as CSV UTF-8"
            )
        if head.startswith(ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
            return _table(path, _xlsx_grid(path), required, optional)
        tried: list[str] = []
        for encoding in _candidate_encodings(head):
            tried.append(ENCODING_NAMES[encoding])
            try:
                with path.open(encoding=encoding, newline="") as text:
                    return _table(path, _csv_grid(text, path, encoding), required, optional)
            except (UnicodeDecodeError, UnicodeError, _NotThisEncoding):
                continue
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    raise InputError(
        f"{path.name} is not text in an encoding castctl reads (tried {', '.join(tried)}); "
        "save it from Excel as 'CSV UTF-8'"
    )


def _table(
    path: Path,
    grid: Iterator[Sequence[str]],
    required: Collection[str],
    optional: Collection[str],
) -> Sheet:
    header_cells = next(grid, None)
    if header_cells is None or not any(c.strip() for c in header_cells):
        raise InputError(f"{path.name} has no header row")
    header = [name_key(c) for c in header_cells]
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
    width = len(header)
    blank = ("",) * width
    # Equal cells share one string: a report file repeats each id 22 times and a few hundred
    # dates, weeks and term lists 460,000 times, so this halves the memory of a big file.
    shared: dict[str, str] = {}
    share = shared.setdefault
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in enumerate(grid, start=2):
        # CSV cells are str; XLSX cells were made text (and stripped) by _xlsx_grid.
        cells = list(map(str.strip, raw))
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                problems.add(number, "(beyond last)", "value in a column with no header")
            del cells[width:]
        elif len(cells) < width:
            cells.extend(blank[len(cells) :])
        if max(map(len, cells)) > MAX_CELL:
            for name, value in zip(header, cells, strict=True):
                if len(value) > MAX_CELL:
                    problems.add(number, name, f"cell longer than {MAX_CELL} characters")
        rows.append((number, tuple(map(share, cells, cells))))
    problems.raise_if_any()
    return Sheet(path, header, rows)


def split_list(text: str) -> list[str]:
    """``a; b;c`` -> ["a", "b", "c"] (empty items dropped)."""
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]
