"""``castctl reports``: add one weekly field report, import a file of them, list them."""

from pathlib import Path
from typing import Annotated, Any

import typer

from castctl.cli.context import open_store
from castctl.cli.options import FormatOpt, TraineeIdArg, TraineeIdOpt
from castctl.cli.output import Column, Format, View, emit, message, progress

app = typer.Typer(
    help="Weekly field reports: add one, import a file, list them.", no_args_is_help=True
)


@app.command("add")
def add(
    trainee_id: TraineeIdArg,
    week: Annotated[
        int, typer.Option("--week", help="The week (1-22) the report is for.", show_default=False)
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
    from castctl.core import field_reports
    from castctl.core.calendar import parse_date, today_in_bangkok
    from castctl.core.records import ReportRow
    from castctl.core.vocabulary import MECHANISMS, NETWORKS
    from castctl.db.report_store import save_reports, trainee_status
    from castctl.db.timeline import load_weeks
    from castctl.errors import InputError, NotFoundError
    from castctl.io.tabular import split_list

    db = open_store()
    weeks = load_weeks(db)
    if not 1 <= week <= len(weeks):
        raise InputError(f"--week {week}: the programme's weeks are 1-{len(weeks)}")
    status = trainee_status(db, trainee_id)
    if status is None:
        raise NotFoundError(f"no trainee with id {trainee_id!r}")
    if status != "active":
        raise InputError(f"trainee {trainee_id} is {status}; reports are taken from active ones")
    day = parse_date(on, "--on") if on else today_in_bangkok()
    if (why := field_reports.submission_problem(weeks[week - 1], day, weeks)) is not None:
        raise InputError(f"--on {why}")

    def items(values: list[str] | None) -> list[str]:
        return [part for value in values or () for part in split_list(value)]

    mech = field_reports.mechanisms(items(mechanism))
    if mech.unknown:
        raise InputError(
            f"unknown mechanism {', '.join(map(repr, mech.unknown))}; use "
            f"{field_reports.vocabulary_hint(MECHANISMS)} (or their Thai names)"
        )
    nets = field_reports.networks(items(network))
    if nets.unknown:
        raise InputError(
            f"unknown network {', '.join(map(repr, nets.unknown))}; use "
            f"{field_reports.vocabulary_hint(NETWORKS)} (or their Thai names)"
        )
    goals = field_reports.sdgs(items(sdg))
    if goals.bad:
        raise InputError(f"--sdg {', '.join(map(repr, goals.bad))}: SDGs are numbers 1-17")
    row = ReportRow(
        trainee_id, week, day, mech.joined(), nets.joined(), goals.joined(), note.strip()
    )
    counts = save_reports(db, [row], dry_run=False)
    what = "added" if counts.added else "replaced" if counts.updated else "unchanged"
    message(f"report of {trainee_id} for week {week} {what}")


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8, BOM or not) or XLSX file with the columns trainee_id, week, "
            "submitted_on, mechanisms, networks, sdgs, note.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count what would change; write nothing.")
    ] = False,
) -> None:
    """Import weekly reports: all or nothing; the same file twice changes nothing."""
    from castctl.db.report_store import save_reports, trainee_statuses
    from castctl.db.timeline import load_weeks
    from castctl.io.report_file import REPORT_OPTIONAL, REPORT_REQUIRED, parse_reports
    from castctl.io.tabular import read_table

    db = open_store()
    sheet = read_table(file, required=REPORT_REQUIRED, optional=REPORT_OPTIONAL)

    def track(rows: Any) -> Any:
        return progress(rows, total=len(sheet), label="checking reports")

    rows = parse_reports(sheet, trainee_statuses(db), load_weeks(db), track=track)
    counts = save_reports(db, rows, dry_run=dry_run)
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")


REPORT_KEYS = (
    "trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note", "status",
    "pilot_district_code",
)  # fmt: skip


@app.command("list")
def list_(
    trainee: TraineeIdOpt = None,
    week: Annotated[int | None, typer.Option("--week", help="Only this week's reports.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List stored reports (filter by trainee or week)."""
    where, params = [], {}
    if trainee:
        where.append("r.trainee_id = :t")
        params["t"] = trainee
    if week is not None:
        where.append("r.week = :w")
        params["w"] = str(week)
    sql = (
        "SELECT r.trainee_id, r.week, r.submitted_on, r.mechanisms, r.networks, r.sdgs, r.note, "
        "t.status, a.pilot_district_code FROM report r "
        "JOIN trainee t ON t.trainee_id = r.trainee_id "
        "LEFT JOIN assignment a ON a.trainee_id = r.trainee_id"
        + (" WHERE " + " AND ".join(where) if where else "")
    )
    rows: list[dict[str, Any]] = []
    for raw in open_store().read(sql, params):
        row = dict(zip(REPORT_KEYS, raw, strict=True))
        row["week"] = int(row["week"])
        row["submitted_on"] = str(row["submitted_on"])
        for key in ("mechanisms", "networks"):
            row[key] = [c for c in (row[key] or "").split(";") if c]
        row["sdgs"] = [int(n) for n in (row["sdgs"] or "").split(";") if n]
        row["note"] = row["note"] or ""
        rows.append(row)
    rows.sort(key=lambda r: (r["trainee_id"], r["week"]))
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
        caption=f"{len(rows)} reports",
    )
    emit(fmt, data=rows, views=[view])
