"""``castctl trainees``: import the cohort, list it, show one trainee, withdraw one."""

from pathlib import Path
from typing import Annotated

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.options import IMPORT_FILE_HELP, DryRunOpt, FormatOpt, TraineeIdArg
from castctl.cli.output import Column, Format, View, emit, message, working
from castctl.core.calendar import parse_date

app = typer.Typer(
    help="The intake's cohort: import trainees from CSV/XLSX, list, show, withdraw.",
    invoke_without_command=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(help=f"{IMPORT_FILE_HELP}.", show_default=False),
]


@app.callback()
def trainees(
    ctx: typer.Context,
    department: Annotated[
        str | None, typer.Option("--department", help="Only this department (code or Thai).")
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="Only trainees from this home province.")
    ] = None,
    pilot: Annotated[
        str | None, typer.Option("--pilot", help="Only trainees placed in this pilot district.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status: active or withdrawn.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the intake's trainees with their placement; filter by department, province, pilot,
    status."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.app.cohort import list_trainees

    intake = current_intake()
    rows = list_trainees(
        open_store(), intake, department=department, province=province, pilot=pilot,
        status=status,
    )  # fmt: skip
    view = View(
        [
            Column("trainee_id", "ID"),
            Column("full_name", "Name"),
            Column("department", "Dept"),
            Column("province_th", "Home province"),
            Column("status", "Status"),
            Column("pilot_district_code", "Pilot"),
            Column("target_district_code", "Target"),
            Column("pilot_preferences", "Pilot prefs"),
            Column("target_preferences", "Target prefs"),
        ],
        rows,
        caption=f"{len(rows)} trainees, intake {intake.name}",
    )
    if fmt is Format.csv:
        # The import columns first, so an exported file can be edited and imported again.
        keys = ("trainee_id", "full_name", "department", "home_province", "email",
                "pilot_preferences", "target_preferences", "status", "pilot_district_code",
                "target_district_code")  # fmt: skip
        view = View([Column(k, k) for k in keys], rows)
    emit(fmt, data=rows, views=[view])


@app.command("import")
def import_(file: FileArg, dry_run: DryRunOpt = False) -> None:
    """Import trainees into the intake; all-or-nothing; the same file twice changes nothing."""
    from castctl.app.cohort import import_trainees

    counts = import_trainees(open_store(), current_intake(), file, dry_run=dry_run, working=working)
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")


@app.command("show")
def show(
    trainee_id: TraineeIdArg,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everything about one trainee: details, placement, status history, placement history."""
    from castctl.app.cohort import show_trainee

    intake = current_intake()
    doc = show_trainee(open_store(), intake, trainee_id)
    details = View(
        [Column("field", "Field"), Column("value", "Value")],
        [{"field": k, "value": v} for k, v in doc.items() if not k.endswith("_history")],
        title=f"Trainee {doc['trainee_id']}, intake {intake.name}",
    )
    status = View(
        [Column(k, k.replace("_", " ").capitalize()) for k in
         ("effective_on", "status", "reason", "changed_at", "os_user")],
        doc["status_history"],
        title="Status history",
    )  # fmt: skip
    history = View(
        [Column(k, k.replace("_", " ").capitalize()) for k in
         ("changed_at", "stage", "old_code", "new_code", "reason")],
        doc["placement_history"],
        title="Placement history",
    )  # fmt: skip
    emit(fmt, data=doc, views=[details, status, history])


@app.command("withdraw")
def withdraw(
    trainee_id: TraineeIdArg,
    on: Annotated[
        str,
        typer.Option(
            "--on",
            metavar="DATE",
            help="Date the withdrawal takes effect, a day of the intake (its start Monday to the "
            "Sunday after its last Friday): YYYY-MM-DD, D/M/YYYY or 17 พ.ย. 2566 (BE years too).",
        ),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why, not blank (kept in the status history).")
    ],
) -> None:
    """Withdraw a trainee: status history kept, places freed, no more reports expected."""
    from castctl.app.cohort import withdraw_trainee

    day = parse_date(on, "--on")
    done = withdraw_trainee(open_store(), current_intake(), trainee_id, day, reason)
    places = f"; freed {' and '.join(done.freed)} place" if done.freed else ""
    message(f"{done.trainee_id} withdrawn on {day}{places}")
