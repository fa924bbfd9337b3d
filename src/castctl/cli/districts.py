"""``castctl districts``: the 928 reference districts and the intakes' pilot districts."""

import os
from typing import Annotated

import typer

from castctl.cli.context import current_intake, invocation, open_store
from castctl.cli.options import FormatOpt, ProvinceOpt
from castctl.cli.output import Column, Format, View, emit
from castctl.core.intakes import ENV_VAR


def districts(
    pilot: Annotated[
        bool,
        typer.Option(
            "--pilot",
            help="Only pilot districts: of the intake given by --intake or CASTCTL_INTAKE, "
            "else of any intake.",
        ),
    ] = False,
    province: ProvinceOpt = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Only this region (north, northeast, central, …)."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List reference districts (DOPA code, Thai and English names, province, region).

    Districts are shared by every intake: the as-of date rule does not choose one here. Only
    --intake or CASTCTL_INTAKE narrows "pilot" to that intake's pilot districts.
    """
    from castctl.app.reference import list_districts

    named = invocation().intake_option or os.environ.get(ENV_VAR, "").strip()
    intake = current_intake() if named else None
    data = list_districts(open_store(), intake, pilot=pilot, province=province, region=region)
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
        caption=f"{len(data)} districts"
        + (f"; pilot: a pilot district of intake {intake.name}" if intake else ""),
    )
    emit(fmt, data=data, views=[view])
