"""``castctl db``: where the database is, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from castctl.cli.common import database_location, open_db
from castctl.cli.output import message

app = typer.Typer(help="Database maintenance: location and backups.", no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print the resolved database location (--db, then $CASTCTL_DB, then the default)."""
    location, _ = database_location()
    print(location)


@app.command("backup")
def backup(
    file: Annotated[
        Path, typer.Argument(help="New file to write the copy to.", show_default=False)
    ],
) -> None:
    """Copy the database consistently (SQLite online backup API), even while others write."""
    open_db().backup_to(file)
    message(f"backed up to {file}")
