"""``castctl db``: where the database is, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from castctl.cli.context import invocation, location, open_store
from castctl.cli.options import FormatOpt
from castctl.cli.output import Column, Format, View, emit, message

if TYPE_CHECKING:
    from castctl.db.store import Store

app = typer.Typer(help="Database maintenance: location and backups.", no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print the resolved database location (--db, then $CASTCTL_DB, then the default).

    A URL's password is shown as *** (it would otherwise land in terminals and logs)."""
    from castctl.db.location import hide_password

    where = location().location
    print(hide_password(where))


@app.command("backup")
def backup(
    file: Annotated[
        Path, typer.Argument(help="New file to write the copy to.", show_default=False)
    ],
) -> None:
    """Copy the database consistently, even while others write (SQLite: the online backup API;
    PostgreSQL: a JSON export, as castctl db export writes)."""
    db = open_store()
    if db.is_sqlite:
        db.backup_to(file)
    else:
        from castctl.db.transfer import export_dataset

        if file.exists():
            from castctl.errors import CastError

            raise CastError(f"{file} already exists; choose a new file name")
        export_dataset(db, file)
    message(f"backed up to {file}")


# ---- backup, restore, export, import (issue 6) ------------------------------------------------

YesOpt = Annotated[
    bool, typer.Option("--yes", help="Do it: without this, only say what would happen.")
]


@app.command("restore")
def restore(
    file: Annotated[
        Path,
        typer.Argument(
            help="A backup made by castctl db backup (a SQLite file).", show_default=False
        ),
    ],
    yes: YesOpt = False,
) -> None:
    """Replace the SQLite database with a backup; the current one is first copied beside it."""
    from castctl.db.store import open_store as open_location
    from castctl.db.transfer import plan_restore
    from castctl.db.transfer import restore as restore_file
    from castctl.errors import CastError

    where = location().location
    db = open_location(where)
    try:
        plan = plan_restore(db, file)
        if not yes:
            raise CastError(f"{plan.describe()}. Run again with --yes to do it")
        result = restore_file(db, file)
    finally:
        db.close()
    if result.backup is not None:
        message(f"the previous database is kept as {result.backup}")
    message(
        f"restored {result.target} from {file} ({result.source.trainees} trainees, "
        f"{result.source.reports} reports)"
    )


@app.command("export")
def export(
    file: Annotated[
        Path, typer.Argument(help="JSON file to write (replaced if it exists).", show_default=False)
    ],
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help="Leave out personal data (names, emails, login names; summary recipients "
            "become recipient-1, -2, …) so the file can be shared. Notes are kept.",
        ),
    ] = False,
) -> None:
    """Write the whole dataset to one JSON file (any backend; readable by db import)."""
    from castctl.db.transfer import export_dataset

    message(str(export_dataset(open_store(), file, redact=redact)))


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="A JSON file written by castctl db export.", show_default=False)
    ],
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Replace a database that already holds trainees (a SQLite file is first "
            "copied beside itself).",
        ),
    ] = False,
) -> None:
    """Load a dataset exported by db export, in one transaction (SQLite <-> PostgreSQL)."""
    from castctl.db.transfer import import_dataset, load_export

    doc = load_export(file)
    result = import_dataset(open_store(), doc, replace=yes, name=file.name)
    if result.backup is not None:
        message(f"the previous database is kept as {result.backup}")
    if result.redacted:
        message("note: this export was redacted: names and emails are empty")
    message(str(result))


# ---- schema revisions (alembic migrations) ----------------------------------------------------


def _database_as_is() -> Store:
    """The database without ``open_db``'s automatic upgrade; closed by ``CastGroup``."""
    from castctl.db.store import open_store as open_location

    where = location()
    inv = invocation()
    inv.store = open_location(where.location, create_dirs=where.is_default)
    return inv.store


@app.command("upgrade")
def upgrade() -> None:
    """Upgrade the database schema to this castctl's newest revision (head).

    Every command does this by itself when needed; this does it now. A SQLite file is first
    copied next to itself as FILE.backup-YYYYmmdd-HHMMSS-revNNNN. A new database is created.
    """
    from castctl.db.store import HEAD_REVISION

    done = _database_as_is().ensure_ready()
    message(done.describe() if done else f"already at head (schema revision {HEAD_REVISION})")


@app.command("current")
def current(fmt: FormatOpt = Format.table) -> None:
    """Show the database's schema revision and whether it is the head (reads only)."""
    from castctl.db import migrations
    from castctl.db.store import HEAD_REVISION

    revision = _database_as_is().current_revision()
    data = {
        "revision": revision,
        "head": HEAD_REVISION,
        "is_head": revision == HEAD_REVISION,
        "state": migrations.state(revision),  # new | up_to_date | older | newer
        "pending": migrations.pending(revision),
    }
    notes = {
        "new": "no schema yet: the first command (or castctl db upgrade) creates it",
        "older": "castctl db upgrade (or any command) upgrades it, after a backup",
        "newer": "written by a newer castctl: upgrade castctl to use it",
    }
    view = View(
        [
            Column("revision", "Revision", show=lambda v: v or "none"),
            Column("head", "Head"),
            Column("is_head", "At head"),
            Column("state", "State", show=lambda v: str(v).replace("_", " ")),
            Column("pending", "Pending", show=lambda v: " ".join(v) or "-"),
        ],
        [data],
    )
    emit(
        fmt, data=data, views=[view], notes=[notes[data["state"]]] if data["state"] in notes else []
    )
