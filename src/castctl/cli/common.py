"""Options and helpers that every command shares: defined once, reused everywhere."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated

import typer

from castctl.cli.output import Format, message

if TYPE_CHECKING:
    # Imported when a command opens the database, so that help never loads sqlite3 & co.
    from castctl.db.engine import Database


class Lang(enum.StrEnum):
    en = "en"
    th = "th"


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format: table, json, csv or markdown."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Pretend today is this date (default: today in Asia/Bangkok).",
    ),
]
LangOpt = Annotated[
    Lang, typer.Option("--lang", help="Language of labels and dates in tables: en or th.")
]


class State:
    """What the root callback parsed (``--db``), and the database once opened."""

    db_option: str | None = None
    db: Database | None = None


state = State()


def database_location() -> tuple[str, bool]:
    """The resolved location and whether it is the default (whose folder we may create)."""
    from castctl.db.engine import resolve_location

    location = resolve_location(state.db_option)
    is_default = not state.db_option and location == resolve_location(None, {})
    return location, is_default


def open_db() -> Database:
    """The database, initialised on first use (schema and reference data)."""
    if state.db is None:
        from castctl.db.engine import Database

        location, is_default = database_location()
        db = Database(location, create_dirs=is_default)
        upgrade = db.ensure_ready()
        if upgrade is not None and not upgrade.created:
            message(upgrade.describe())  # "upgraded … ; the previous file is kept as …"
        state.db = db
    return state.db


def as_of_date(value: str | None) -> dt.date:
    from castctl.core.calendar import parse_date, today_in_bangkok

    return today_in_bangkok() if value is None else parse_date(value, "--as-of")
