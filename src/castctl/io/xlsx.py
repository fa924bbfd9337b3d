"""Writing a table to an XLSX workbook (placements to send to the districts)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from castctl.cli.output import safe_cell


def write_xlsx(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write atomically (temp file, then rename); text that looks like a formula stays text."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(list(header))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    fd, tmp = tempfile.mkstemp(prefix=".castctl-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
