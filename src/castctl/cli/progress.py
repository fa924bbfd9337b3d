"""``castctl progress``: reports submitted against expected, by trainee, district, week or
department, with missing streaks and the 3-5-7 coverage."""

import enum
from collections.abc import Callable
from typing import Annotated, Any

import typer

from castctl.cli.context import as_of_date, open_store
from castctl.cli.options import AsOfOpt, FormatOpt, Lang, LangOpt, PilotDistrictOpt
from castctl.cli.output import Column, Format, View, emit


class By(enum.StrEnum):
    trainee = "trainee"
    district = "district"
    week = "week"
    department = "department"


LEVEL_STYLE = {"good": "green", "fair": "yellow", "poor": "red"}
PHASE_TH = {"pilot": "อำเภอนำร่อง", "target": "อำเภอเป้าหมาย"}
FLAG = "⚠"


def pct_text(value: Any) -> str:
    return "–" if value is None else f"{value:.1f} %"


def pct_style(value: Any) -> str | None:
    from castctl.core.progress import level

    found = level(value)
    return LEVEL_STYLE.get(found) if found else None


def streak_text(value: Any) -> str:
    from castctl.core.progress import FLAG_STREAK

    return f"{value} {FLAG}" if value is not None and value >= FLAG_STREAK else str(value)


def streak_style(value: Any) -> str | None:
    from castctl.core.progress import FLAG_STREAK

    return "bold red" if value is not None and value >= FLAG_STREAK else None


def count_style(value: Any) -> str | None:
    return "bold red" if value else None


def used(total: int) -> Callable[[Any], str]:
    return lambda n: f"{n}/{total}"


def progress(
    by: Annotated[
        By,
        typer.Option("--by", help="Group by trainee, district (the mentor), week or department."),
    ] = By.district,
    as_of: AsOfOpt = None,
    district: PilotDistrictOpt = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department", help="Only trainees of this department (OPS, DOPA, … or Thai)."
        ),
    ] = None,
    lang: LangOpt = Lang.en,
    fmt: FormatOpt = Format.table,
) -> None:
    """Reports submitted against expected up to the as-of week, missing streaks, coverage.

    A week counts once its Friday is on or before the as-of day; every active placed trainee
    owes one report per such week.
    """
    from castctl.core import progress as core
    from castctl.core.calendar import elapsed_weeks
    from castctl.core.reference import DEPARTMENTS, find_department
    from castctl.core.vocabulary import MECHANISMS, NETWORKS
    from castctl.db import progress_queries as q
    from castctl.db.districts import district_index
    from castctl.db.timeline import load_weeks

    db = open_store()
    day = as_of_date(as_of)
    weeks = load_weeks(db)
    elapsed = elapsed_weeks(weeks, day)
    scope = q.Scope(
        district=district_index(db, pilot_only=True).find(district).code if district else None,
        department=find_department(department).code if department else None,
    )
    th = lang is Lang.th
    rows: list[dict[str, Any]]
    if by is By.trainee:
        rows = sorted(
            (core.trainee_row(raw, elapsed) for raw in q.trainee_figures(db, elapsed, scope)),
            key=lambda r: r["trainee_id"],
        )
    elif by is By.district:
        figures = q.group_figures(db, elapsed, scope, "district")
        rows = [
            core.group_row(
                figures.get(d["code"], {}),
                elapsed,
                {"code": d["code"], "name_th": d["name_th"], "name_en": d["name_en"]},
            )
            for d in q.pilot_districts(db)
            if scope.district is None or d["code"] == scope.district
        ]
    elif by is By.department:
        figures = q.group_figures(db, elapsed, scope, "department")
        rows = [
            core.group_row(
                figures.get(d.code, {}),
                elapsed,
                {"department": d.code, "name_th": d.name_th, "name_en": d.name_en},
            )
            for d in DEPARTMENTS
            if scope.department is None or d.code == scope.department
        ]
    else:
        placed = q.placed_count(db, scope)
        by_week = q.week_figures(db, elapsed, scope)
        rows = [
            core.week_row(
                by_week.get(w.number, {}),
                placed,
                {
                    "week": w.number,
                    "phase": w.phase,
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                },
            )  # fmt: skip
            for w in weeks[:elapsed]
        ]

    total = core.totals(rows)
    bar = core.elapsed_bar(elapsed, len(weeks), unit="สัปดาห์" if th else "weeks")
    if th:
        from castctl.core.calendar import thai_date

        notes = [
            f"ผ่านไปแล้ว {bar} (ณ วันที่ {thai_date(day, long=True)})",
            f"รวม: ส่งแล้ว {total['submitted']} จาก {total['expected']} "
            f"({pct_text(core.percent(total['submitted'], total['expected']))})",
            f"{FLAG} = ขาดส่งติดต่อกัน {core.FLAG_STREAK} สัปดาห์ขึ้นไป",
        ]
    else:
        notes = [
            f"elapsed {bar} (as of {day})",
            f"total: {total['submitted']} of {total['expected']} reports submitted "
            f"({pct_text(core.percent(total['submitted'], total['expected']))})",
            f"{FLAG} = {core.FLAG_STREAK} or more weeks in a row without a report",
        ]
    if elapsed == 0:
        notes.insert(1, "ยังไม่มีสัปดาห์ใดสิ้นสุด" if th else "no week has ended yet")

    if fmt is Format.json:
        emit(fmt, data=rows, views=[])
        return
    if fmt is Format.csv:
        emit(fmt, data=rows, views=[_csv_view(rows, by)])
        return
    view = _table_view(rows, by, lang, len(MECHANISMS), len(NETWORKS))
    emit(fmt, data=rows, views=[view, _coverage_view(rows, lang)], notes=notes)


def _label(th: bool, en: str, thai: str) -> str:
    return thai if th else en


def _table_view(rows: list[dict[str, Any]], by: By, lang: Lang, n_mech: int, n_net: int) -> View:
    from castctl.core.calendar import thai_date

    th = lang is Lang.th
    figures = [
        Column("submitted", _label(th, "Submitted", "ส่งแล้ว"), "right"),
        Column("expected", _label(th, "Expected", "ต้องส่ง"), "right"),
        Column("percent", "%", "right", show=pct_text, cell_style=pct_style),
    ]
    coverage = [
        Column("mechanisms_used", _label(th, "Mechanisms", "กลไก"), "right", show=used(n_mech)),
        Column("networks_used", _label(th, "Networks", "ภาคี"), "right", show=used(n_net)),
        Column("sdgs", "SDGs", show=lambda s: " ".join(map(str, s)) if s else "–"),
    ]
    group = [
        Column("trainees", _label(th, "Trainees", "ผู้เข้าอบรม"), "right"),
        *figures,
        Column("missing_last_week", _label(th, "Missed last week", "ขาดส่งสัปดาห์ล่าสุด"),
               "right"),
        Column("flagged", _label(th, f"{FLAG} streak ≥ 2", f"{FLAG} ขาดส่ง ≥ 2"), "right",
               cell_style=count_style),
        *coverage,
    ]  # fmt: skip
    if by is By.trainee:
        columns = [
            Column("trainee_id", _label(th, "ID", "รหัส")),
            Column("full_name", _label(th, "Name", "ชื่อ")),
            Column("department", _label(th, "Dept", "สังกัด")),
            Column("pilot_district_code", _label(th, "Pilot", "อำเภอนำร่อง")),
            *figures,
            Column("missing_streak", _label(th, "Missing streak", "ขาดส่งติดต่อกัน"), "right",
                   show=streak_text, cell_style=streak_style),
            Column("last_week", _label(th, "Last week", "ส่งล่าสุด"), "right",
                   show=lambda w: "–" if w is None else str(w)),
            *coverage,
        ]  # fmt: skip
        title = _label(th, "Progress by trainee", "ความก้าวหน้ารายบุคคล")
    elif by is By.district:
        columns = [
            Column("code", _label(th, "Code", "รหัส")),
            Column("name_th" if th else "name_en", _label(th, "Pilot district (mentor)",
                                                          "อำเภอนำร่อง (พี่เลี้ยง)")),
            *group,
        ]  # fmt: skip
        title = _label(th, "Progress by pilot district (mentor)", "ความก้าวหน้ารายอำเภอนำร่อง")
    elif by is By.department:
        columns = [
            Column("department", _label(th, "Dept", "สังกัด")),
            Column("name_th" if th else "name_en", _label(th, "Department", "กรม")),
            *group,
        ]
        title = _label(th, "Progress by department", "ความก้าวหน้ารายสังกัด")
    else:
        for row in rows:
            start, end = (_date(row["start"]), _date(row["end"]))
            row["dates"] = (
                f"{thai_date(start)} – {thai_date(end)}"
                if th
                else f"{start:%d %b} – {end:%d %b %Y}"
            )
        columns = [
            Column("week", _label(th, "Week", "สัปดาห์"), "right"),
            Column("phase", _label(th, "Phase", "ช่วง"),
                   show=(lambda p: PHASE_TH.get(p, p)) if th else None),
            Column("dates", _label(th, "Dates", "วันที่")),
            *figures,
            *coverage,
        ]  # fmt: skip
        title = _label(th, "Progress by week", "ความก้าวหน้ารายสัปดาห์")
    return View(columns, rows, title=title)


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def _coverage_view(rows: list[dict[str, Any]], lang: Lang) -> View:
    """How many reports mention each mechanism and network, across all rows shown."""
    from castctl.core.progress import percent
    from castctl.core.vocabulary import MECHANISMS, NETWORKS

    th = lang is Lang.th
    submitted = sum(int(r["submitted"]) for r in rows)
    lines = []
    for kind, vocabulary, heading in (
        ("mechanisms", MECHANISMS, _label(th, "mechanism", "กลไก")),
        ("networks", NETWORKS, _label(th, "network", "ภาคีเครือข่าย")),
    ):
        for code, (english, thai) in vocabulary.items():
            count = sum(int(r[kind][code]) for r in rows)
            lines.append(
                {"kind": heading, "code": code, "label": thai if th else english,
                 "reports": count, "share": percent(count, submitted)}
            )  # fmt: skip
    return View(
        [
            Column("kind", _label(th, "Kind", "ประเภท")),
            Column("label", _label(th, "Used", "ที่ใช้")),
            Column("reports", _label(th, "Reports", "รายงาน"), "right"),
            Column("share", _label(th, "Share of reports", "สัดส่วนของรายงาน"), "right",
                   show=pct_text),
        ],
        lines,
        title=_label(th, "Coverage of the 5 mechanisms and 7 networks",
                     "การใช้กลไก 5 ด้าน และภาคีเครือข่าย 7 ภาคี"),
    )  # fmt: skip


def _csv_view(rows: list[dict[str, Any]], by: By) -> View:
    """One flat table: the contract's figures and a column per mechanism, network, SDG."""
    from castctl.core.vocabulary import MECHANISMS, NETWORKS, SDGS

    head = {
        By.trainee: ["trainee_id", "department", "pilot_district_code", "target_district_code"],
        By.district: ["code", "name_en", "name_th", "trainees"],
        By.department: ["department", "name_en", "trainees"],
        By.week: ["week", "phase", "start", "end"],
    }[by]
    tail = {
        By.trainee: ["missing_streak", "last_week"],
        By.district: ["missing_last_week", "flagged"],
        By.department: ["missing_last_week", "flagged"],
        By.week: [],
    }[by]
    flat = []
    for row in rows:
        out = {k: row[k] for k in (*head, "expected", "submitted", "percent", *tail)}
        out.update({f"mechanism_{c}": row["mechanisms"][c] for c in MECHANISMS})
        out.update({f"network_{c}": row["networks"][c] for c in NETWORKS})
        out.update({f"sdg_{n}": int(row["sdg_reports"].get(str(n), 0)) for n in SDGS})
        flat.append(out)
    keys = list(flat[0]) if flat else [*head, "expected", "submitted", "percent", *tail]
    return View([Column(k, k) for k in keys], flat)
