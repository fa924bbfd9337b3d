"""``castctl db``: where the database is, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from castctl.cli.context import invocation, open_store
from castctl.cli.options import FormatOpt
from castctl.cli.output import Column, Format, View, emit, message
from castctl.errors import CastError

if TYPE_CHECKING:
    from castctl.app.stores import Store

app = typer.Typer(help="Database maintenance: location and backups.", no_args_is_help=True)


@app.command("path")
def path() -> None:
    """Print the resolved database location (--db, then $CASTCTL_DB, then the default).

    A URL's password is shown as *** (it would otherwise land in terminals and logs)."""
    from castctl.app import maintenance

    print(maintenance.database_location(invocation().db_option))


@app.command("backup")
def backup(
    file: Annotated[
        Path, typer.Argument(help="New file to write the copy to.", show_default=False)
    ],
) -> None:
    """Copy the database consistently, even while others write (SQLite: the online backup API;
    PostgreSQL: a JSON export, as castctl db export writes)."""
    from castctl.app import maintenance

    maintenance.backup(open_store(), file)
    message(f"backed up to {file}")


# ---- backup, restore, export, import (issue 6) ------------------------------------------------

YesOpt = Annotated[
    bool, typer.Option("--yes", help="Do it: without this, only say what would happen.")
]


def _store_as_is() -> Store:
    """The store without ``open_store``'s automatic upgrade; closed by ``CastGroup``."""
    from castctl.app.stores import open_store_as_is

    inv = invocation()
    inv.store = open_store_as_is(inv.db_option)
    return inv.store


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
    from castctl.app import maintenance

    store = _store_as_is()
    plan = maintenance.plan_restore(store, file)  # checks the backup first, with --yes too
    if not yes:
        raise CastError(f"{plan.describe()}. Run again with --yes to do it")
    result = maintenance.restore(store, file)
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
            help="Leave out personal data (names, emails, login names) and free text (report "
            "notes, withdrawal reasons; summary recipients become recipient-1, -2, …) so the "
            "file can be shared.",
        ),
    ] = False,
) -> None:
    """Write the whole dataset, every intake, to one JSON file (any backend; readable by db
    import)."""
    from castctl.app import maintenance

    message(str(maintenance.export_dataset(open_store(), file, redact=redact)))


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
    """Load a dataset exported by db export, every intake, in one transaction (SQLite <->
    PostgreSQL). An export made before intakes (castctl 0.1.0) becomes intake 2566."""
    from castctl.app import maintenance

    result = maintenance.import_dataset(open_store(), file, replace=yes)
    if result.backup is not None:
        message(f"the previous database is kept as {result.backup}")
    if result.redacted:
        message("note: this export was redacted: names, emails, notes and reasons are empty")
    if result.upgraded_from is not None:
        message(
            f"note: this export was made at schema {result.upgraded_from}, before intakes: "
            "its data now belongs to intake 2566"
        )
    message(str(result))


# ---- schema revisions (alembic migrations) ----------------------------------------------------


@app.command("upgrade")
def upgrade() -> None:
    """Upgrade the database schema to this castctl's newest revision (head).

    Every command does this by itself when needed; this does it now. A SQLite file is first
    copied next to itself as FILE.backup-YYYYmmdd-HHMMSS-revNNNN. A new database is created.
    """
    from castctl.app import maintenance

    message(maintenance.upgrade(_store_as_is()))


_STATE_NOTES = {
    "new": "no schema yet: the first command (or castctl db upgrade) creates it",
    "older": "castctl db upgrade (or any command) upgrades it, after a backup",
    "newer": "written by a newer castctl: upgrade castctl to use it",
}


@app.command("current")
def current(fmt: FormatOpt = Format.table) -> None:
    """Show the database's schema revision and whether it is the head (reads only)."""
    from castctl.app import maintenance

    data = maintenance.schema_state(_store_as_is())
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
    note = _STATE_NOTES.get(data["state"])
    emit(fmt, data=data, views=[view], notes=[note] if note else [])
