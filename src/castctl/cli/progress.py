"""``castctl progress``: reports submitted against expected, by trainee, district, week or
department, with missing streaks and the 3-5-7 coverage."""

import datetime as dt
import enum
from collections.abc import Callable
from typing import Annotated, Any

import typer

from castctl.cli.context import as_of_date, current_intake, open_store
from castctl.cli.options import AsOfOpt, FormatOpt, Lang, LangOpt, PilotDistrictOpt
from castctl.cli.output import Column, Format, View, emit
from castctl.core.calendar import thai_date
from castctl.core.progress import FLAG_STREAK, elapsed_bar, level, percent, percent_text
from castctl.core.vocabulary import MECHANISMS, NETWORKS, SDGS


class By(enum.StrEnum):
    trainee = "trainee"
    district = "district"
    week = "week"
    department = "department"


LEVEL_STYLE = {"good": "green", "fair": "yellow", "poor": "red"}
PHASE_TH = {"pilot": "อำเภอนำร่อง", "target": "อำเภอเป้าหมาย"}
FLAG = "⚠"


def percent_style(value: Any) -> str | None:
    found = level(value)
    return LEVEL_STYLE.get(found) if found else None


def streak_text(value: Any) -> str:
    return f"{value} {FLAG}" if value is not None and value >= FLAG_STREAK else str(value)


def streak_style(value: Any) -> str | None:
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

    A week of the intake counts once its Friday is on or before the as-of day; every active
    placed trainee of the intake owes one report per such week.
    """
    from castctl.app.progress import progress_rows

    day = as_of_date(as_of)
    found = progress_rows(
        open_store(), current_intake(day), by.value, day, district=district, department=department
    )
    rows, day, elapsed = found.rows, found.as_of, found.elapsed
    th = lang is Lang.th
    bar = elapsed_bar(elapsed, found.weeks, unit="สัปดาห์" if th else "weeks")
    if th:
        notes = [
            f"รุ่น {found.intake}: ผ่านไปแล้ว {bar} (ณ วันที่ {thai_date(day, long=True)})",
            f"รวม: ส่งแล้ว {found.submitted} จาก {found.expected} ({percent_text(found.percent)})",
            f"{FLAG} = ขาดส่งติดต่อกัน {FLAG_STREAK} สัปดาห์ขึ้นไป",
        ]
    else:
        notes = [
            f"intake {found.intake}: elapsed {bar} (as of {day})",
            f"total: {found.submitted} of {found.expected} reports submitted "
            f"({percent_text(found.percent)})",
            f"{FLAG} = {FLAG_STREAK} or more weeks in a row without a report",
        ]
    if elapsed == 0:
        notes.insert(1, "ยังไม่มีสัปดาห์ใดสิ้นสุด" if th else "no week has ended yet")

    if fmt is Format.json:
        emit(fmt, data=rows, views=[])
        return
    if fmt is Format.csv:
        emit(fmt, data=rows, views=[_csv_view(rows, by)])
        return
    view = _table_view(rows, by, lang, len(MECHANISMS), len(NETWORKS), found.intake)
    emit(fmt, data=rows, views=[view, _coverage_view(rows, lang)], notes=notes)


def _label(th: bool, en: str, thai: str) -> str:
    return thai if th else en


def _table_view(
    rows: list[dict[str, Any]], by: By, lang: Lang, n_mech: int, n_net: int, intake: str
) -> View:
    th = lang is Lang.th
    figures = [
        Column("submitted", _label(th, "Submitted", "ส่งแล้ว"), "right"),
        Column("expected", _label(th, "Expected", "ต้องส่ง"), "right"),
        Column("percent", "%", "right", show=percent_text, cell_style=percent_style),
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
            start, end = dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"])
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
    return View(columns, rows, title=f"{title} ({_label(th, 'intake', 'รุ่น')} {intake})")


def _coverage_view(rows: list[dict[str, Any]], lang: Lang) -> View:
    """How many reports mention each mechanism and network, across all rows shown."""
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
                   show=percent_text),
        ],
        lines,
        title=_label(th, "Coverage of the 5 mechanisms and 7 networks",
                     "การใช้กลไก 5 ด้าน และภาคีเครือข่าย 7 ภาคี"),
    )  # fmt: skip


def _csv_view(rows: list[dict[str, Any]], by: By) -> View:
    """One flat table: the contract's figures and a column per mechanism, network, SDG."""
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
