"""``castctl districts``: the 928 reference districts and the 10 pilot districts."""

from typing import Annotated

import typer

from castctl.cli.context import open_store
from castctl.cli.options import FormatOpt, ProvinceOpt
from castctl.cli.output import Column, Format, View, emit


def districts(
    pilot: Annotated[bool, typer.Option("--pilot", help="Only the 10 pilot districts.")] = False,
    province: ProvinceOpt = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Only this region (north, northeast, central, …)."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List reference districts (DOPA code, Thai and English names, province, region)."""
    from castctl.core.reference import REGIONS
    from castctl.db.districts import load_districts, province_index
    from castctl.errors import InputError

    db = open_store()
    rows = load_districts(db)
    if province:
        code = province_index(db).find(province).code
        rows = [r for r in rows if r["province_code"] == code]
    if region:
        if region.lower() not in REGIONS:
            raise InputError(f"unknown region {region!r}; use one of {', '.join(REGIONS)}")
        rows = [r for r in rows if r["region"] == region.lower()]
    if pilot:
        rows = [r for r in rows if r["pilot"]]
    data = [{k: v for k, v in r.items() if k != "aliases"} for r in rows]
    view = View(
        [
            Column("code", "Code"),
            Column("name_th", "District (Thai)"),
            Column("name_en", "District"),
            Column("province_code", "Prov."),
            Column("province_th", "Province (Thai)"),
            Column("province_en", "Province"),
            Column("region", "Region"),
            Column("pilot", "Pilot"),
        ],
        data,
        caption=f"{len(data)} districts",
    )
    emit(fmt, data=data, views=[view])
