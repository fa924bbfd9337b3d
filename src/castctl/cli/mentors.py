"""``castctl mentors``: the district chiefs of the 10 pilot districts."""

from typing import Annotated

import typer

from castctl.cli.context import open_store
from castctl.cli.options import FormatOpt, PilotDistrictArg
from castctl.cli.output import Column, Format, View, emit, message

app = typer.Typer(
    help="The 10 mentors: the district chief (นายอำเภอ) of each pilot district.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def mentors(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """List the mentors with their capacity and how many trainees they have."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.db.mentors import load_mentors

    rows = load_mentors(open_store())
    data = [
        {
            "district_code": r["district_code"], "district_th": r["district_th"],
            "district_en": r["district_en"], "province_en": r["province_en"],
            "title_th": r["title_th"], "name": r["name"], "email": r["email"],
            "capacity": r["capacity"], "capacity_set": r["capacity_set"], "placed": r["placed"],
        }
        for r in rows
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
        caption="capacity without an explicit setting is ceil(active trainees / 10)",
    )  # fmt: skip
    emit(fmt, data=data, views=[view])


@app.command("set")
def set_mentor(
    district: PilotDistrictArg,
    name: Annotated[str | None, typer.Option("--name", help="The mentor's name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Where digests go.")] = None,
    capacity: Annotated[
        int | None,
        typer.Option(
            "--capacity", min=0, help="Most trainees this mentor takes (0 clears the setting)."
        ),
    ] = None,
) -> None:
    """Set a mentor's name, email or capacity."""
    from castctl.db import models
    from castctl.db.districts import district_index
    from castctl.errors import InputError

    if name is None and email is None and capacity is None:
        raise InputError("nothing to set: give --name, --email or --capacity")
    if email is not None and email and "@" not in email:
        raise InputError(f"--email {email!r} is not an email address")
    db = open_store()
    district_ref = district_index(db).find(district)
    if not district_ref.pilot:
        raise InputError(
            f"{district_ref.code} {district_ref.name_en} is not a pilot district; "
            "mentors are the chiefs of the 10 pilot districts (castctl districts --pilot)"
        )
    with db.session(write=True) as session:
        mentor = session.get(models.Mentor, district_ref.code)
        assert mentor is not None  # every pilot district has a mentor row from first use
        if name is not None:
            mentor.name = name or None
        if email is not None:
            mentor.email = email or None
        if capacity is not None:
            mentor.capacity = capacity or None
        session.add(mentor)
    message(f"mentor of {district_ref.code} {district_ref.name_en} updated")
