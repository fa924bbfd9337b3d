"""Cells in and out: exported cells safe to open in a spreadsheet; imported cells quoted in
errors only when that cannot print personal data."""

from __future__ import annotations

import re
from typing import Any

from castctl.core.reference import UnknownName
from castctl.errors import NotFoundError

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

# A value that is a code, a number or a date: short, no "@", and either holding a digit or in
# one letter case (DOPA, coordinate, T001, 2023-07-14, SDG 4). A name (Somchai, นายสมชาย) or
# an address is none of these, so it is never printed back.
_CODE_LIKE = re.compile(r"[A-Za-z0-9_.\-;/:+ ]{1,24}")


def quotable(text: str) -> bool:
    """Whether an error may print ``text``: it is a code, a number or a date, not a person's
    name, address or note (import errors are pasted into chats and tickets)."""
    if len(text) > 24 or "@" in text:
        return False
    if not any(c.isalpha() for c in text):
        return True  # a number, a date, punctuation: nothing that names a person
    if not _CODE_LIKE.fullmatch(text):
        return False
    if any(c.isdigit() for c in text):
        return True
    return " " not in text and (text.isupper() or text.islower())


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
