"""``castctl trainees``: import the cohort, list it, show one trainee, withdraw one."""

from pathlib import Path
from typing import Annotated, Any

import typer

from castctl.cli.context import open_store
from castctl.cli.options import FormatOpt, TraineeIdArg
from castctl.cli.output import Column, Format, View, emit, message, working

app = typer.Typer(
    help="The cohort: import trainees from CSV/XLSX, list, show, withdraw.",
    invoke_without_command=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(
        help="CSV (UTF-8, BOM or not) or XLSX file, header row first.", show_default=False
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Validate and show what would change; write nothing.")
]

TRAINEE_SQL = """
SELECT t.trainee_id, t.full_name, t.department, t.home_province, p.name_en, p.name_th, t.email,
       t.pilot_preferences, t.target_preferences, t.status, a.pilot_district_code,
       a.target_district_code
FROM trainee t
JOIN province p ON p.code = t.home_province
LEFT JOIN assignment a ON a.trainee_id = t.trainee_id
"""
TRAINEE_KEYS = (
    "trainee_id", "full_name", "department", "home_province", "province_en", "province_th",
    "email", "pilot_preferences", "target_preferences", "status", "pilot_district_code",
    "target_district_code",
)  # fmt: skip


def _trainee_rows(where: str = "", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rows = [
        dict(zip(TRAINEE_KEYS, r, strict=True))
        for r in open_store().read(TRAINEE_SQL + where, params)
    ]
    for r in rows:
        r["pilot_preferences"] = [c for c in (r["pilot_preferences"] or "").split(";") if c]
        r["target_preferences"] = [c for c in (r["target_preferences"] or "").split(";") if c]
    rows.sort(key=lambda r: r["trainee_id"])
    return rows


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
    """List trainees with their placement; filter by department, province, pilot, status."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.core.reference import find_department
    from castctl.db.districts import district_index, province_index
    from castctl.errors import InputError

    db = open_store()
    rows = _trainee_rows()
    if department:
        code = find_department(department).code
        rows = [r for r in rows if r["department"] == code]
    if province:
        prov = province_index(db).find(province).code
        rows = [r for r in rows if r["home_province"] == prov]
    if pilot:
        district = district_index(db, pilot_only=True).find(pilot).code
        rows = [r for r in rows if r["pilot_district_code"] == district]
    if status:
        if status not in ("active", "withdrawn"):
            raise InputError(f"--status {status!r}: use active or withdrawn")
        rows = [r for r in rows if r["status"] == status]
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
        caption=f"{len(rows)} trainees",
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
    """Import trainees (contract columns); all-or-nothing; the same file twice changes nothing."""
    from castctl.db.cohort import import_trainees
    from castctl.db.districts import district_index, province_index
    from castctl.io.cohort_file import TRAINEE_OPTIONAL, TRAINEE_REQUIRED, parse_trainees
    from castctl.io.tabular import read_table

    db = open_store()
    sheet = read_table(file, required=TRAINEE_REQUIRED, optional=TRAINEE_OPTIONAL)
    with working(f"checking and importing {len(sheet):,} trainees…", size=len(sheet)):
        rows = parse_trainees(sheet, district_index(db), province_index(db))
        counts = import_trainees(db, rows, dry_run=dry_run)
    message(f"{counts}{' (dry run: nothing written)' if dry_run else ''}")


@app.command("show")
def show(
    trainee_id: TraineeIdArg,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everything about one trainee: details, placement, status history, placement history."""
    from castctl.errors import NotFoundError

    db = open_store()
    rows = _trainee_rows("WHERE t.trainee_id = :t", {"t": trainee_id})
    if not rows:
        raise NotFoundError(f"no trainee with id {trainee_id!r}")
    doc = rows[0]
    doc["status_history"] = [
        dict(zip(("status", "effective_on", "reason", "changed_at", "os_user"), r, strict=True))
        for r in db.read(
            "SELECT status, effective_on, reason, changed_at, os_user FROM trainee_status_change "
            "WHERE trainee_id = :t ORDER BY id",
            {"t": trainee_id},
        )
    ]
    doc["placement_history"] = [
        dict(zip(("changed_at", "stage", "old_code", "new_code", "reason"), r, strict=True))
        for r in db.read(
            "SELECT changed_at, stage, old_code, new_code, reason FROM assignment_change "
            "WHERE trainee_id = :t ORDER BY id",
            {"t": trainee_id},
        )
    ]
    details = View(
        [Column("field", "Field"), Column("value", "Value")],
        [{"field": k, "value": v} for k, v in doc.items() if not k.endswith("_history")],
        title=f"Trainee {trainee_id}",
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
        str, typer.Option("--on", metavar="YYYY-MM-DD", help="Date the withdrawal takes effect.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the status history).")],
) -> None:
    """Withdraw a trainee: status history kept, places freed, no more reports expected."""
    from castctl.core.calendar import parse_date
    from castctl.db.cohort import withdraw as withdraw_trainee

    day = parse_date(on, "--on")
    freed = withdraw_trainee(open_store(), trainee_id, day, reason)
    places = f"; freed {' and '.join(freed)} place" if freed else ""
    message(f"{trainee_id} withdrawn on {day}{places}")
