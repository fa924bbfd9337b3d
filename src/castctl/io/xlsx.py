"""Writing a table to an XLSX workbook (placements to send to the districts)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from castctl.cli.output import safe_cell
from castctl.errors import CastError


def write_xlsx(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Write atomically (temp file, then rename); text that looks like a formula stays text."""
    from openpyxl import Workbook

    try:
        fd, tmp = tempfile.mkstemp(prefix=".castctl-", suffix=".xlsx", dir=path.parent)
    except OSError as exc:
        raise CastError(f"cannot write {path}: {exc.strerror}") from None
    os.close(fd)
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=title[:31])
        ws.append(list(header))
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CastError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
