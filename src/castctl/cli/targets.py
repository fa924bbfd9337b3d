"""``castctl targets``: the target districts of weeks 3-22 and their capacity."""

from typing import Any

import typer

from castctl.cli.context import open_store
from castctl.cli.options import FormatOpt
from castctl.cli.output import Column, Format, View, emit, message
from castctl.cli.trainees import DryRunOpt, FileArg

app = typer.Typer(
    help="Target districts: import them with capacities, list their fill.",
    invoke_without_command=True,
)


@app.callback()
def targets(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List target districts with capacity and how much of it is used."""
    if ctx.invoked_subcommand is not None:
        return
    rows: list[dict[str, Any]] = [
        dict(
            zip(("code", "name_th", "name_en", "province_en", "capacity", "placed"), r, strict=True)
        )
        for r in open_store().read(
            "SELECT t.district_code, d.name_th, d.name_en, p.name_en, t.capacity, "
            "(SELECT COUNT(*) FROM assignment a JOIN trainee tr ON tr.trainee_id = a.trainee_id "
            " WHERE a.target_district_code = t.district_code AND tr.status = 'active') "
            "FROM target_district t JOIN district d ON d.code = t.district_code "
            "JOIN province p ON p.code = d.province_code"
        )
    ]
    rows.sort(key=lambda r: r["code"])
    for r in rows:
        r["free"] = r["capacity"] - r["placed"]
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
        caption=f"{len(rows)} target districts; {total_placed} of {total_cap} places used",
    )
    emit(fmt, data=rows, views=[view])


@app.command("import")
def import_(file: FileArg, dry_run: DryRunOpt = False) -> None:
    """Import target districts (district_code, capacity); all-or-nothing, idempotent."""
    from castctl.db.cohort import import_targets
    from castctl.db.districts import district_index
    from castctl.io.cohort_file import TARGET_OPTIONAL, TARGET_REQUIRED, parse_targets
    from castctl.io.tabular import read_table

    db = open_store()
    sheet = read_table(file, required=TARGET_REQUIRED, optional=TARGET_OPTIONAL)
    rows = parse_targets(sheet, district_index(db))
    counts = import_targets(db, rows, dry_run=dry_run)
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")
