"""``castctl targets``: the intake's target districts (its target weeks) and their capacity."""

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.options import DryRunOpt, FormatOpt
from castctl.cli.output import Column, Format, View, emit, message
from castctl.cli.trainees import FileArg

app = typer.Typer(
    help="The intake's target districts: import them with capacities, list their fill.",
    invoke_without_command=True,
)


@app.callback()
def targets(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List the intake's target districts with capacity and how much of it is used."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.app.cohort import list_targets

    intake = current_intake()
    rows = list_targets(open_store(), intake)
    total_cap = sum(r["capacity"] for r in rows)
    total_placed = sum(r["placed"] for r in rows)
    view = View(
        [
            Column("code", "Code"),
            Column("name_th", "District"),
            Column("name_en", "District (English)"),
            Column("province_en", "Province"),
            Column("placed", "Placed", "right"),
            Column("capacity", "Capacity", "right"),
            Column("free", "Free", "right"),
        ],
        rows,
        caption=f"{len(rows)} target districts of intake {intake.name}; "
        f"{total_placed} of {total_cap} places used",
    )
    emit(fmt, data=rows, views=[view])


@app.command("import")
def import_(file: FileArg, dry_run: DryRunOpt = False) -> None:
    """Import the intake's target districts (district_code, capacity); all-or-nothing."""
    from castctl.app.cohort import import_targets

    counts = import_targets(open_store(), current_intake(), file, dry_run=dry_run)
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")
