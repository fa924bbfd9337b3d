"""Writing a table to an XLSX workbook (placements to send to the districts)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from castctl.io.cells import safe_cell
from castctl.io.files import write_atomic


def write_xlsx(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write atomically (0600: it names trainees); text that looks like a formula stays text."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(list(header))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    write_atomic(path, buffer.getvalue())
