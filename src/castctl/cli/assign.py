"""``castctl assign`` (optimal placement) and ``castctl assignments`` (placements, history)."""

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from castctl.cli.context import open_store
from castctl.cli.options import ExplainIdOpt, FormatOpt, TraineeIdOpt
from castctl.cli.output import Column, Format, View, emit, message, working

if TYPE_CHECKING:
    from castctl.core.plan import Plan, TraineePlacement
    from castctl.db.cohort import AssignInput


class Stage(enum.StrEnum):
    pilot = "pilot"
    target = "target"
    all = "all"


def assignment_objects(assignments: "dict[str, TraineePlacement]") -> list[dict[str, Any]]:
    """The contract's assignment objects, sorted by trainee id."""
    return [
        {
            "trainee_id": tid,
            "pilot_district_code": a.pilot,
            "target_district_code": a.target,
            "cost": {"pilot": a.pilot_cost, "target": a.target_cost},
        }
        for tid, a in sorted(assignments.items())
    ]


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


def _summary_views(plan: "Plan", inp: "AssignInput") -> tuple[list[View], list[str]]:
    from collections import Counter

    from castctl.core.plan import plan_statistics
    from castctl.core.reference import DEPARTMENTS

    names = dict(open_store().read("SELECT code, name_th FROM district"))
    departments = {t.trainee_id: t.department for t in inp.trainees}
    pilot_load = Counter(a.pilot for a in plan.assignments.values() if a.pilot)
    mix: dict[str, Counter[str]] = {}
    for tid, a in plan.assignments.items():
        if a.pilot:
            mix.setdefault(a.pilot, Counter())[departments[tid]] += 1
    dept_codes = [d.code for d in DEPARTMENTS]
    pilot_rows = [
        {"code": p.code, "name": names.get(p.code, ""), "placed": pilot_load[p.code],
         "capacity": p.capacity, **{d: mix.get(p.code, Counter())[d] for d in dept_codes}}
        for p in inp.pilot_places
    ]  # fmt: skip
    views = [
        View(
            [Column("code", "Code"), Column("name", "Pilot district (mentor)"),
             Column("placed", "Placed", "right"), Column("capacity", "Capacity", "right"),
             *(Column(d, d, "right") for d in dept_codes)],
            pilot_rows,
            title="Pilot districts: trainees against mentor capacity, by department",
            caption="department spread cap per pilot district: "
            + ", ".join(f"{d} {c}" for d, c in sorted(plan.department_cap.items())),
        )
    ]  # fmt: skip
    target_load = Counter(a.target for a in plan.assignments.values() if a.target)
    capacity = sum(p.capacity for p in inp.target_places)
    used = sum(target_load.values())
    full = sum(1 for p in inp.target_places if target_load[p.code] >= p.capacity)
    views.append(
        View(
            [Column("what", "Target districts"), Column("value", "", "right")],
            [
                {"what": "districts imported", "value": len(inp.target_places)},
                {"what": "districts with trainees", "value": len(target_load)},
                {"what": "districts full", "value": full},
                {"what": "places used / capacity", "value": f"{used} / {capacity}"},
            ],
            title="Target fill",
        )
    )
    stats = plan_statistics(plan, inp.trainees, inp.district_province, inp.province_region)
    ranks = ["1st", "2nd", "3rd", "4th", "5th", "unlisted", "no preference"]
    rows = [
        {"stage": stage, **{r: s["preference"].get(r, 0) for r in ranks},
         "home": s["home_province"], "region": s["same_region"], "elsewhere": s["elsewhere"]}
        for stage, s in stats.items()
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
        f"stages solved: {', '.join(plan.stages)}; optimal (proven minimum cost); "
        f"objective pilot {objective['pilot']}, target {objective['target']}; "
        f"{plan.changed} trainee(s) changed"
    ]
    return views, notes


def _explain(plan: "Plan", inp: "AssignInput", trainee_id: str, fmt: Format) -> None:
    from castctl.core.solver import explain
    from castctl.errors import NotFoundError

    info = next((t for t in inp.trainees if t.trainee_id == trainee_id), None)
    if info is None:
        raise NotFoundError(f"no active trainee with id {trainee_id!r}")
    doc: dict[str, Any] = {"trainee_id": trainee_id}
    views: list[View] = []
    for stage, result in plan.results.items():
        cand = info.candidate(stage)
        chosen, breakdown, alternatives = explain(
            cand,
            plan.places[stage],
            result,
            department_cap=plan.department_cap if stage == "pilot" else None,
            candidates=[t.candidate(stage) for t in inp.trainees],
        )
        before = (
            getattr(inp.current.get(trainee_id), stage, None) if trainee_id in inp.current else None
        )
        doc[stage] = {
            "district_code": chosen.district_code,
            "cost": chosen.cost,
            "breakdown": breakdown,
            "kept": before == chosen.district_code,
            "preferences": list(cand.preferences),
            "alternatives": [
                {"district_code": a.district_code, "cost": a.cost, "reason": a.reason}
                for a in alternatives
            ],
        }
        rows = [
            {"district": chosen.district_code, "cost": chosen.cost,
             "why": f"chosen: 100 × pref {breakdown['preference']} + geo {breakdown['geo']}"
             + (" (kept from before)" if doc[stage]["kept"] else "")},
            *({"district": a.district_code, "cost": a.cost, "why": a.reason} for a in alternatives),
        ]  # fmt: skip
        views.append(
            View(
                [Column("district", "District"), Column("cost", "Cost", "right"),
                 Column("why", "Why")],
                rows,
                title=f"{stage} stage for {trainee_id} (preferences: "
                f"{', '.join(cand.preferences) or 'none'})",
            )
        )  # fmt: skip
    emit(fmt, data=doc, views=views)


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
    """Place active trainees in pilot districts (mentors) and target districts, optimally.

    Minimises the total of 100 × preference + distance exactly (a proven optimum), within
    mentor and target capacities and the department spread rule. Trainees already placed stay
    where they are unless --rematch-all. Exit 3 with the reason when no placement exists.
    """
    from castctl.core.plan import plan_assignment
    from castctl.db.cohort import load_assign_input, save_plan

    db = open_store()
    stages = ("pilot", "target") if stage is Stage.all else (stage.value,)

    def solve(inp: "AssignInput") -> "Plan":
        return plan_assignment(
            inp.trainees, inp.pilot_places, inp.target_places, inp.current,
            stages=stages, rematch_all=rematch_all,
        )  # fmt: skip

    if dry_run or explain_id is not None:
        inp = load_assign_input(db.read)
        with working(f"placing {len(inp.trainees):,} trainees…", size=len(inp.trainees)):
            plan = solve(inp)
    else:
        # Load, solve and write under one write lock: a concurrent run waits, then sees ours.
        with db.transaction() as tx:
            inp = load_assign_input(tx.query)
            with working(f"placing {len(inp.trainees):,} trainees…", size=len(inp.trainees)):
                plan = solve(inp)
                save_plan(tx, plan, inp.current, "rematch-all" if rematch_all else "moved")
    if not inp.trainees:
        message("no active trainees: nothing to place (import some with castctl trainees import)")
    if explain_id is not None:
        _explain(plan, inp, explain_id, fmt)
        return
    objs = assignment_objects(plan.assignments)
    doc = {
        "stage": stage.value,
        "optimal": True,
        "objective": plan.objective(),
        "assignments": objs,
        "changed": plan.changed,
    }
    if fmt is Format.json:  # the summary tables are for people; skip their cost
        emit(fmt, data=doc, views=[])
        return
    if fmt is Format.csv:
        emit(fmt, data=doc, views=[View(ASSIGNMENT_COLUMNS, _flat(objs))])
        return
    for note in plan.notes:
        message(f"note: {note}")
    views, notes = _summary_views(plan, inp)
    if dry_run:
        notes.append("dry run: nothing was written")
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
    """List every active trainee's placement with names, for sending to the districts."""
    if ctx.invoked_subcommand is not None:
        return
    from castctl.errors import InputError

    if output is not None:
        # Checked before writing: a missing folder would otherwise end in a traceback.
        if output.is_dir():
            raise InputError(f"--output {output} is a folder; give a file name")
        if not output.parent.is_dir():
            raise InputError(f"--output {output}: folder {output.parent} does not exist")
    rows = [
        dict(zip(
            ("trainee_id", "full_name", "department", "pilot_district_code", "pilot_th",
             "target_district_code", "target_th", "pilot_cost", "target_cost"),
            r, strict=True,
        ))
        for r in open_store().read(
            "SELECT t.trainee_id, t.full_name, t.department, a.pilot_district_code, pd.name_th, "
            "a.target_district_code, td.name_th, a.pilot_cost, a.target_cost "
            "FROM trainee t JOIN assignment a ON a.trainee_id = t.trainee_id "
            "LEFT JOIN district pd ON pd.code = a.pilot_district_code "
            "LEFT JOIN district td ON td.code = a.target_district_code "
            "WHERE t.status = 'active'"
        )
    ]  # fmt: skip
    rows.sort(key=lambda r: r["trainee_id"])
    if fmt is ExportFormat.xlsx:
        if output is None:
            raise InputError("-f xlsx writes a workbook: give --output FILE.xlsx")
        from castctl.io.xlsx import write_xlsx

        keys = list(rows[0]) if rows else ["trainee_id"]
        write_xlsx(output, "assignments", keys, [[r[k] for k in keys] for r in rows])
        message(f"{len(rows)} placements written to {output}")
        return
    objs = [
        {"trainee_id": r["trainee_id"], "pilot_district_code": r["pilot_district_code"],
         "target_district_code": r["target_district_code"],
         "cost": {"pilot": r["pilot_cost"], "target": r["target_cost"]}}
        for r in rows
    ]  # fmt: skip
    view = View(
        [Column("trainee_id", "ID"), Column("full_name", "Name"), Column("department", "Dept"),
         Column("pilot_district_code", "Pilot"), Column("pilot_th", "Pilot district"),
         Column("target_district_code", "Target"), Column("target_th", "Target district")],
        rows,
        caption=f"{len(rows)} placements",
    )  # fmt: skip
    _emit_maybe_to_file(Format(fmt.value), objs, [view], output)


def _emit_maybe_to_file(fmt: Format, data: Any, views: list[View], output: Path | None) -> None:
    if output is None:
        emit(fmt, data=data, views=views)
        return
    import contextlib
    import io

    from castctl.io.files import write_atomic

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
    """Every placement change: first placement, move, freed by withdrawal; when and by whom."""
    sql = (
        "SELECT id, changed_at, os_user, trainee_id, stage, old_code, new_code, reason "
        "FROM assignment_change"
    )
    params: dict[str, Any] = {}
    if trainee:
        sql += " WHERE trainee_id = :t"
        params["t"] = trainee
    keys = ("id", "changed_at", "os_user", "trainee_id", "stage", "old_code", "new_code", "reason")
    rows = [dict(zip(keys, r, strict=True)) for r in open_store().read(sql, params)]
    rows.sort(key=lambda r: r["id"])
    view = View(
        [Column(k, k.replace("_", " ").capitalize()) for k in keys], rows,
        caption=f"{len(rows)} changes",
    )  # fmt: skip
    emit(fmt, data=rows, views=[view])
