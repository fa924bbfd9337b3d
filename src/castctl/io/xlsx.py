"""Writing a table to an XLSX workbook (placements to send to the districts)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from castctl.io.cells import FORMULA_PREFIXES
from castctl.io.files import write_atomic


def write_xlsx(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write atomically (0600: it names trainees); text is written as typed, as a text cell.

    Unlike CSV, an XLSX cell says what it holds: a text cell never runs as a formula, so text
    that looks like one (``=cmd|…``) is stored as a text cell with no quote before it (a quote
    would become part of the id or name that districts read).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(list(header))

    def cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            text = WriteOnlyCell(ws, value=value)
            text.data_type = "s"  # openpyxl would make "=…" a formula cell
            return text
        return value

    for row in rows:
        ws.append([cell(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    write_atomic(path, buffer.getvalue())
