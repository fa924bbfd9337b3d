"""``castctl intakes``: the runs of phase 2, and importing one from its YAML file."""

from pathlib import Path
from typing import Annotated

import typer

from castctl.cli.context import as_of_date, open_store
from castctl.cli.options import AsOfOpt, DryRunOpt, FormatOpt
from castctl.cli.output import Column, Format, View, emit, message

app = typer.Typer(
    help="The intakes (รุ่น): each run of phase 2 with its dates and pilot districts.",
    invoke_without_command=True,
)

INTAKE_COLUMNS = [
    Column("name", "Intake"),
    Column("title", "Title"),
    Column("start", "Start"),
    Column("end", "End"),
    Column("weeks", "Weeks", "right"),
    Column("pilot_weeks", "Pilot weeks", "right"),
    Column("pilot_districts", "Pilot districts"),
    Column("trainees", "Trainees", "right"),
    Column("status", "Status"),
]


@app.callback()
def intakes(ctx: typer.Context, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the intakes with their dates, pilot districts, trainees and status on the as-of date."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.app.intakes import list_intakes

    day = as_of_date(as_of)
    rows = list_intakes(open_store(), day)
    view = View(INTAKE_COLUMNS, rows, caption=f"{len(rows)} intake(s); status on {day}")
    emit(fmt, data=rows, views=[view])


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="An intake file (YAML; see data/intake.example.yaml).")
    ],
    dry_run: DryRunOpt = False,
) -> None:
    """Create or update one intake from a YAML file; all checked first; the same file twice
    changes nothing."""
    from castctl.app.intakes import import_intake

    result = import_intake(open_store(), file, dry_run=dry_run)
    message(f"intake {result.name}: {result}{' (dry run: nothing written)' if dry_run else ''}")
