"""Markdown pipe tables, for every command's ``-f markdown`` and the weekly digest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The delimiter row says how each column is aligned; an unknown alignment gets the plain one.
ALIGN_MARKS = {"left": ":---", "right": "---:", "center": ":---:"}


def markdown_cell(value: Any) -> str:
    """A cell's text, escaped so that it stays one cell on one line: a ``|`` would end the
    cell, a newline the row, and a backslash before a ``|`` would undo its escape."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], justify: Sequence[str]
) -> list[str]:
    """The lines of a pipe table; ``justify`` holds each column's ``left``/``right``/``center``."""
    lines = ["| " + " | ".join(markdown_cell(h) for h in headers) + " |"]
    lines.append("| " + " | ".join(ALIGN_MARKS.get(j, "---") for j in justify) + " |")
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return lines
