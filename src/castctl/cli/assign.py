"""``castctl assign`` (optimal placement) and ``castctl assignments`` (placements, history),
each for one intake."""

import contextlib
import enum
import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from castctl.cli.context import current_intake, open_store
from castctl.cli.options import ExplainIdOpt, FormatOpt, TraineeIdOpt
from castctl.cli.output import Column, Format, View, emit, message, working
from castctl.errors import InputError
from castctl.io.files import write_atomic

if TYPE_CHECKING:
    from castctl.app.placement import AssignmentRun


class Stage(enum.StrEnum):
    pilot = "pilot"
    target = "target"
    all = "all"


def assignment_object(
    trainee_id: str,
    pilot: str | None,
    target: str | None,
    pilot_cost: int | None,
    target_cost: int | None,
) -> dict[str, Any]:
    """One of the contract's assignment objects."""
    return {
        "trainee_id": trainee_id,
        "pilot_district_code": pilot,
        "target_district_code": target,
        "cost": {"pilot": pilot_cost, "target": target_cost},
    }


ASSIGNMENT_COLUMNS = [
    Column("trainee_id", "ID"),
    Column("pilot_district_code", "Pilot"),
    Column("target_district_code", "Target"),
    Column("pilot_cost", "Pilot cost", "right"),
    Column("target_cost", "Target cost", "right"),
]


def _flat(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**{k: v for k, v in o.items() if k != "cost"},
         "pilot_cost": o["cost"]["pilot"], "target_cost": o["cost"]["target"]}
        for o in objs
    ]  # fmt: skip


def _summary_views(run: "AssignmentRun") -> tuple[list[View], list[str]]:
    plan = run.plan
    summary = run.summary
    assert summary is not None  # asked for: the table and markdown formats show it
    pilot_rows = [
        {"code": p.code, "name": p.name, "placed": p.placed, "capacity": p.capacity,
         **p.by_department}
        for p in summary.pilot_fill
    ]  # fmt: skip
    views = [
        View(
            [Column("code", "Code"), Column("name", "Pilot district (mentor)"),
             Column("placed", "Placed", "right"), Column("capacity", "Capacity", "right"),
             *(Column(d, d, "right") for d in summary.departments)],
            pilot_rows,
            title=f"Pilot districts of intake {run.intake}: trainees against mentor "
            "capacity, by department",
            caption="department spread cap per pilot district: "
            + ", ".join(f"{d} {c}" for d, c in sorted(plan.department_cap.items())),
        )
    ]  # fmt: skip
    fill = summary.target_fill
    views.append(
        View(
            [Column("what", "Target districts"), Column("value", "", "right")],
            [
                {"what": "districts imported", "value": fill.districts},
                {"what": "districts with trainees", "value": fill.with_trainees},
                {"what": "districts full", "value": fill.full},
                {"what": "places used / capacity", "value": f"{fill.used} / {fill.capacity}"},
            ],
            title="Target fill",
        )
    )
    ranks = ["1st", "2nd", "3rd", "4th", "5th", "unlisted", "no preference"]
    rows = [
        {"stage": stage, **{r: s["preference"].get(r, 0) for r in ranks},
         "home": s["home_province"], "region": s["same_region"], "elsewhere": s["elsewhere"]}
        for stage, s in summary.statistics.items()
    ]  # fmt: skip
    views.append(
        View(
            [Column("stage", "Stage"), *(Column(r, r, "right") for r in ranks),
             Column("home", "Home province", "right"), Column("region", "Same region", "right"),
             Column("elsewhere", "Elsewhere", "right")],
            rows,
            title="Choices met and distance from home",
        )
    )  # fmt: skip
    objective = plan.objective()
    notes = [
        f"intake {run.intake}: stages solved: {', '.join(plan.stages)}; "
        "optimal (proven minimum cost); "
        f"objective pilot {objective['pilot']}, target {objective['target']}; "
        f"{plan.changed} trainee(s) changed"
    ]
    if run.dry_run:
        notes.append("dry run: nothing was written")
    return views, notes


def _explanation_views(doc: dict[str, Any]) -> list[View]:
    views: list[View] = []
    for stage in ("pilot", "target"):
        if stage not in doc:
            continue
        chosen = doc[stage]
        breakdown = chosen["breakdown"]
        rows = [
            {"district": chosen["district_code"], "cost": chosen["cost"],
             "why": f"chosen: 100 × pref {breakdown['preference']} + geo {breakdown['geo']}"
             + (" (kept from before)" if chosen["kept"] else "")},
            *({"district": a["district_code"], "cost": a["cost"], "why": a["reason"]}
              for a in chosen["alternatives"]),
        ]  # fmt: skip
        views.append(
            View(
                [Column("district", "District"), Column("cost", "Cost", "right"),
                 Column("why", "Why")],
                rows,
                title=f"{stage} stage for {doc['trainee_id']} of intake {doc['intake']} "
                "(preferences: "
                f"{', '.join(chosen['preferences']) or 'none'})",
            )
        )  # fmt: skip
    return views


def assign(
    stage: Annotated[
        Stage, typer.Option("--stage", help="Which stage to solve: pilot, target or all.")
    ] = Stage.all,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Solve and show the result; write nothing.")
    ] = False,
    rematch_all: Annotated[
        bool,
        typer.Option("--rematch-all", help="Re-solve everyone, moving placed trainees if better."),
    ] = False,
    explain_id: ExplainIdOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Place the intake's active trainees in pilot districts (mentors) and target districts.

    Minimises the total of 100 × preference + distance exactly (a proven optimum), within
    mentor and target capacities and the department spread rule. Trainees already placed stay
    where they are unless --rematch-all. Exit 3 with the reason when no placement exists.
    """
    from castctl.app import placement

    stages = ("pilot", "target") if stage is Stage.all else (stage.value,)
    intake = current_intake()
    if explain_id is not None:
        doc = placement.explain_placement(
            open_store(), intake, explain_id, stages=stages, rematch_all=rematch_all,
            working=working,
        )  # fmt: skip
        emit(fmt, data=doc, views=_explanation_views(doc))
        return
    run = placement.run_assignment(
        open_store(), intake, stages=stages, dry_run=dry_run, rematch_all=rematch_all,
        working=working, summary=fmt not in (Format.json, Format.csv),
    )  # fmt: skip
    if not run.active_trainees:
        message(
            f"intake {intake.name} has no active trainees: nothing to place "
            "(import some with castctl trainees import)"
        )
    objs = [
        assignment_object(trainee_id, a.pilot, a.target, a.pilot_cost, a.target_cost)
        for trainee_id, a in sorted(run.plan.assignments.items())
    ]
    doc = {
        "intake": intake.name,
        "stage": stage.value,
        "optimal": True,
        "objective": run.plan.objective(),
        "assignments": objs,
        "changed": run.plan.changed,
    }
    if fmt is Format.json:
        emit(fmt, data=doc, views=[])
        return
    if fmt is Format.csv:
        emit(fmt, data=doc, views=[View(ASSIGNMENT_COLUMNS, _flat(objs))])
        return
    for note in run.plan.notes:
        message(f"note: {note}")
    views, notes = _summary_views(run)
    emit(fmt, data=doc, views=views, notes=notes)


# ---- castctl assignments ---------------------------------------------------------------

assignments_app = typer.Typer(
    help="Current placements (also CSV/XLSX for the districts) and their change history.",
    invoke_without_command=True,
)


class ExportFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    xlsx = "xlsx"


@assignments_app.callback()
def assignments(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="table, json, csv, markdown, or xlsx (with --output)."),
    ] = ExportFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout (xlsx needs it)."
        ),
    ] = None,
) -> None:
    """List every active trainee's placement in the intake, with names, for the districts."""
    if ctx.invoked_subcommand is not None:
        return
    if output is not None:
        # Checked before writing: a missing folder would otherwise end in a traceback.
        if output.is_dir():
            raise InputError(f"--output {output} is a folder; give a file name")
        if not output.parent.is_dir():
            raise InputError(f"--output {output}: folder {output.parent} does not exist")
    from castctl.app.placement import list_placements

    intake = current_intake()
    rows = list_placements(open_store(), intake)
    if fmt is ExportFormat.xlsx:
        if output is None:
            raise InputError("-f xlsx writes a workbook: give --output FILE.xlsx")
        from castctl.io.xlsx import write_xlsx

        keys = list(rows[0]) if rows else ["trainee_id"]
        write_xlsx(output, "assignments", keys, [[r[k] for k in keys] for r in rows])
        message(f"{len(rows)} placements written to {output}")
        return
    objs = [
        assignment_object(r["trainee_id"], r["pilot_district_code"], r["target_district_code"],
                          r["pilot_cost"], r["target_cost"])
        for r in rows
    ]  # fmt: skip
    view = View(
        [Column("trainee_id", "ID"), Column("full_name", "Name"), Column("department", "Dept"),
         Column("pilot_district_code", "Pilot"), Column("pilot_th", "Pilot district"),
         Column("target_district_code", "Target"), Column("target_th", "Target district")],
        rows,
        caption=f"{len(rows)} placements, intake {intake.name}",
    )  # fmt: skip
    _emit_maybe_to_file(Format(fmt.value), objs, [view], output)


def _emit_maybe_to_file(fmt: Format, data: Any, views: list[View], output: Path | None) -> None:
    if output is None:
        emit(fmt, data=data, views=views)
        return
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        emit(fmt, data=data, views=views)
    # Atomic, 0600 (names), and an unwritable place is one clear error, not a traceback.
    write_atomic(output, buffer.getvalue().encode("utf-8"))
    message(f"written to {output}")


@assignments_app.command("history")
def history(
    trainee: TraineeIdOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every placement change in the intake: first placement, move, freed by withdrawal; when
    and by whom."""
    from castctl.app.placement import placement_history

    intake = current_intake()
    rows = placement_history(open_store(), intake, trainee)
    keys = ("id", "changed_at", "os_user", "trainee_id", "stage", "old_code", "new_code", "reason")
    view = View(
        [Column(k, k.replace("_", " ").capitalize()) for k in keys], rows,
        caption=f"{len(rows)} changes, intake {intake.name}",
    )  # fmt: skip
    emit(fmt, data=rows, views=[view])
