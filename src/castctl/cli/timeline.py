"""``castctl timeline``: the intake's weeks, their phases, Thai holidays, and where we are."""

import datetime as dt
import enum
import sys
from typing import Annotated, Any

import typer

from castctl.cli.context import as_of_date, current_intake, open_store
from castctl.cli.options import AsOfOpt, Lang, LangOpt
from castctl.cli.output import Column, View, emit
from castctl.core.calendar import Standing, Week, thai_date


class TimelineFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    ics = "ics"


PHASE_TH = {"pilot": "อำเภอนำร่อง", "target": "อำเภอเป้าหมาย"}


def standing_line(s: Standing, lang: Lang, start: dt.date, intake: str) -> str:
    th = lang is Lang.th
    if s.state == "before":
        days = (start - s.as_of).days
        if th:
            return f"รุ่น {intake}: โครงการยังไม่เริ่ม: เริ่ม {thai_date(start, long=True)} (อีก {days} วัน)"
        return f"intake {intake} has not started: it starts on {start} (in {days} days)"
    if s.state == "after":
        if th:
            return f"รุ่น {intake}: โครงการจบแล้ว: ครบ {s.weeks} สัปดาห์ วันทำการ {s.days_total} วัน"
        return f"intake {intake} has ended: {s.weeks} weeks, {s.days_total} working days"
    if th:
        return (
            f"รุ่น {intake}: สัปดาห์ที่ {s.current_week} จาก {s.weeks}, "
            f"ผ่านไปแล้ว {s.percent_done} % ของวันทำการ ({s.days_done}/{s.days_total})"
        )
    return (
        f"intake {intake}: week {s.current_week} of {s.weeks}, {s.percent_done} % of working "
        f"days done ({s.days_done}/{s.days_total})"
    )


def timeline_json(weeks: list[Week], s: Standing, lang: Lang, intake: str) -> dict[str, Any]:
    th = lang is Lang.th
    return {
        "intake": intake,
        "start": weeks[0].start.isoformat(),
        "end": weeks[-1].end.isoformat(),
        "current_week": s.current_week,
        "as_of": s.as_of.isoformat(),
        "working_days": s.days_total,
        "working_days_done": s.days_done,
        "weeks": [
            {
                "week": w.number,
                "phase": w.phase,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "working_days": w.working_days,
                "holidays": [
                    {"date": h.date.isoformat(), "name": h.name_th if th else h.name_en}
                    for h in w.holidays
                ],
                "current": w.number == s.current_week,
            }
            for w in weeks
        ],
    }


def timeline(
    as_of: AsOfOpt = None,
    lang: LangOpt = Lang.en,
    fmt: Annotated[
        TimelineFormat,
        typer.Option("--format", "-f", help="table, json, csv, markdown or ics (iCalendar)."),
    ] = TimelineFormat.table,
) -> None:
    """Show the intake's weeks: phases, dates, working days, Thai holidays, current week."""
    from castctl.app.timeline import load_timeline

    day = as_of_date(as_of)
    intake = current_intake(day)
    programme = load_timeline(open_store(), intake, day)
    if fmt is TimelineFormat.ics:
        from castctl.io.ics import timeline_ics

        sys.stdout.flush()
        sys.stdout.buffer.write(timeline_ics(programme.weeks, intake.name, lang=lang.value))
        return
    th = lang is Lang.th
    data = timeline_json(programme.weeks, programme.standing, lang, intake.name)
    rows = [
        {
            "week": w["week"],
            "phase": w["phase"],
            "start": w["start"],
            "end": w["end"],
            "working_days": w["working_days"],
            "holidays": [f"{h['date']} {h['name']}" for h in w["holidays"]],
            "current": w["current"],
            "_week": wk,
        }
        for w, wk in zip(data["weeks"], programme.weeks, strict=True)
    ]
    for row in rows:
        wk = row.pop("_week")
        if th:
            row["dates"] = f"{thai_date(wk.start)} – {thai_date(wk.end)}"
            row["holiday_text"] = "\n".join(f"{thai_date(h.date)} {h.name_th}" for h in wk.holidays)
        else:
            row["dates"] = f"{wk.start:%a %d %b} – {wk.end:%a %d %b %Y}"
            row["holiday_text"] = "\n".join(f"{h.date:%a %d %b} {h.name_en}" for h in wk.holidays)
    if fmt is TimelineFormat.csv:
        cols = ["week", "phase", "start", "end", "working_days", "holidays", "current"]
        view = View([Column(c, c) for c in cols], rows)
    else:
        view = View(
            [
                Column("week", "สัปดาห์" if th else "Week", "right"),
                Column("phase", "ช่วง" if th else "Phase",
                       show=(lambda p: PHASE_TH[p]) if th else None),
                Column("dates", "วันที่" if th else "Dates"),
                Column("working_days", "วันทำการ" if th else "Working days", "right"),
                Column("holiday_text", "วันหยุดราชการ" if th else "Holidays"),
            ],
            rows,
            title=f"ระยะที่ 2: การฝึกปฏิบัติในพื้นที่ รุ่น {intake.name}"
            if th
            else f"Phase 2: field practice, intake {intake.name}",
            row_styles={i: "bold reverse" for i, r in enumerate(rows) if r["current"]},
        )  # fmt: skip
        if fmt is TimelineFormat.markdown:
            for row in rows:
                row["holiday_text"] = row["holiday_text"].replace("\n", "; ")
    emit(
        fmt.value,
        data=data,
        views=[view],
        notes=[standing_line(programme.standing, lang, programme.weeks[0].start, intake.name)],
    )
