"""Cells in and out: exported cells safe to open in a spreadsheet; imported cells quoted in
errors only when that cannot print personal data."""

from __future__ import annotations

from typing import Any

from castctl.core.reference import UnknownName
from castctl.core.text import quotable
from castctl.errors import NotFoundError

__all__ = ["as_typed", "lookup_problem", "quotable", "safe_cell", "shown"]

# A cell starting with one of these is run as a formula by Excel/LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (``=cmd|…``) in exported text: prefix a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def as_typed(text: str) -> str:
    """A cell read back without the quote that ``safe_cell`` put before a formula-like value, so
    that an export imports back unchanged (a person never types ``'=`` on purpose: in Excel the
    quote only marks the cell as text and is not part of its value)."""
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        return text[1:]
    return text


# ---- quoting a cell back in an error message -------------------------------------------------
# Whether a cell may be quoted at all is ``castctl.core.text.quotable`` (core checks use it too).


def shown(text: str, *, what: str = "the value") -> str:
    """``'T001'`` for a quotable cell, ``empty`` for an empty one, else ``what``."""
    if not text:
        return "empty"
    return repr(text) if quotable(text) else what


def lookup_problem(exc: NotFoundError, typed: str, expected: str) -> str:
    """What to say about a cell that named nothing known: the finder's message (with its "did
    you mean") when it quotes a near miss or a code, else only what was ``expected``."""
    if isinstance(exc, UnknownName) and not exc.suggestions and not quotable(typed):
        return f"not {expected}"
    return exc.message
