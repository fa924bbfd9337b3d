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
    from castctl.app.reference import list_districts

    data = list_districts(open_store(), pilot=pilot, province=province, region=region)
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
