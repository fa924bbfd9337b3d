"""``castctl reports``: add one weekly field report, import a file of them, list them; all of
the intake the command works on (``--intake``, ``CASTCTL_INTAKE`` or today's)."""

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.options import (
    IMPORT_FILE_HELP,
    DryRunOpt,
    FormatOpt,
    TraineeIdArg,
    TraineeIdOpt,
)
from castctl.cli.output import Column, Format, View, emit, message, progress

app = typer.Typer(
    help="Weekly field reports: add one, import a file, list them.", no_args_is_help=True
)


@app.command("add")
def add(
    trainee_id: TraineeIdArg,
    week: Annotated[
        int,
        typer.Option(
            "--week",
            help="The week (1 to the intake's weeks, 1-22 for 2566) the report is for.",
            show_default=False,
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="YYYY-MM-DD",
            help="Date it was submitted (default: today in Asia/Bangkok).",
        ),
    ] = None,
    mechanism: Annotated[
        list[str] | None,
        typer.Option(
            "--mechanism",
            "-m",
            metavar="M",
            help="A working mechanism used (repeat): coordinate, integrate, monitor, knowledge, "
            "communicate, or the Thai name (ประสานงานภาคี …).",
        ),
    ] = None,
    network: Annotated[
        list[str] | None,
        typer.Option(
            "--network",
            "-n",
            metavar="K",
            help="A partner network worked with (repeat): government, religious, academic, "
            "private, civil_society, people, media, or the Thai name.",
        ),
    ] = None,
    sdg: Annotated[
        list[str] | None,
        typer.Option("--sdg", "-s", metavar="S", help="An SDG (1-17) the work served (repeat)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What was done, in a few words.")] = "",
) -> None:
    """Record one trainee's report for a week; a second one for the same week replaces it."""
    from castctl.app import reports

    added = reports.add_report(
        open_store(),
        current_intake(),
        trainee_id,
        week,
        on=on,
        mechanisms=mechanism or (),
        networks=network or (),
        sdgs=sdg or (),
        note=note,
    )
    message(f"report of {added.report.trainee_id} for week {week} {added.outcome}")


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help=f"{IMPORT_FILE_HELP}, with the columns trainee_id, week, submitted_on, "
            "mechanisms, networks, sdgs, note.",
            show_default=False,
        ),
    ],
    dry_run: DryRunOpt = False,
) -> None:
    """Import weekly reports: all or nothing; the same file twice changes nothing."""
    from castctl.app import reports

    def track(rows: Iterable[Any], total: int) -> Iterable[Any]:
        return progress(rows, total=total, label="checking reports")

    counts = reports.import_reports(
        open_store(), current_intake(), file, dry_run=dry_run, track=track
    )
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")


@app.command("list")
def list_(
    trainee: TraineeIdOpt = None,
    week: Annotated[int | None, typer.Option("--week", help="Only this week's reports.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List stored reports (filter by trainee or week)."""
    from castctl.app import reports

    intake = current_intake()
    rows = reports.list_reports(open_store(), intake, trainee_id=trainee, week=week)
    view = View(
        [
            Column("trainee_id", "Trainee"),
            Column("week", "Week", "right"),
            Column("submitted_on", "Submitted"),
            Column("mechanisms", "Mechanisms"),
            Column("networks", "Networks"),
            Column("sdgs", "SDGs"),
            Column("note", "Note"),
        ],
        rows,
        title=f"Reports of intake {intake.name}",
        caption=f"{len(rows)} reports",
    )
    emit(fmt, data=rows, views=[view])
