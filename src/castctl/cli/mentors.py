"""``castctl mentors``: the district chiefs of the intake's pilot districts."""

from typing import Annotated

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.options import FormatOpt, PilotDistrictArg
from castctl.cli.output import Column, Format, View, emit, message

app = typer.Typer(
    help="The intake's mentors: the district chief (นายอำเภอ) of each of its pilot districts.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def mentors(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List the intake's mentors with their capacity and how many trainees they have."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.app.mentors import list_mentors

    intake = current_intake()

    data = [
        {k: r[k] for k in ("district_code", "district_th", "district_en", "province_en",
                           "title_th", "name", "email", "emails", "capacity", "capacity_set",
                           "placed")}
        for r in list_mentors(open_store(), intake)
    ]  # fmt: skip
    view = View(
        [
            Column("district_code", "Code"),
            Column("district_th", "Pilot district"),
            Column("district_en", "District"),
            Column("title_th", "Mentor (title)"),
            Column("name", "Name"),
            Column("email", "Email"),
            Column("placed", "Placed", "right"),
            Column("capacity", "Capacity", "right",
                   show=lambda c: str(c)),
        ],
        data,
        title=f"Mentors of intake {intake.name}",
        caption="capacity without an explicit setting is ceil(active trainees / "
        f"{intake.pilot_count}), {intake.pilot_count} being the intake's pilot districts",
    )  # fmt: skip
    emit(fmt, data=data, views=[view])


@app.command("set")
def set_mentor(
    district: PilotDistrictArg,
    name: Annotated[str | None, typer.Option("--name", help="The mentor's name.")] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email",
            metavar="ADDR",
            help='Where digests go; repeat for several addresses (--email "" clears them).',
        ),
    ] = None,
    capacity: Annotated[
        int | None,
        typer.Option(
            "--capacity", min=0, help="Most trainees this mentor takes (0 clears the setting)."
        ),
    ] = None,
) -> None:
    """Set the name, email addresses or capacity of the mentor of one of the intake's pilot
    districts."""
    from castctl.app.mentors import set_mentor as set_mentor_details

    intake = current_intake()
    district_ref = set_mentor_details(
        open_store(), intake, district, name=name, emails=email, capacity=capacity
    )
    message(f"mentor of {district_ref.code} {district_ref.name_en} updated (intake {intake.name})")
