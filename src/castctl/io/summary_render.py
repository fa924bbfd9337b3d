"""The weekly digest as plain text, markdown and one standalone HTML page (English or Thai).

Every renderer takes the summary document (``core.summary.build_summary``) and returns text.
The HTML needs nothing from outside: inline styles on each element (mail clients drop
``<style>`` blocks and external sheets), tables for layout, and a small inline SVG chart of the
submission rate week by week. Plain text aligns columns by display width, so Thai names (with
their combining vowel and tone marks) line up.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Sequence
from typing import Any

from castctl.core.calendar import THAI_MONTHS_SHORT, thai_date
from castctl.core.progress import FLAG_STREAK, percent, percent_text
from castctl.core.vocabulary import MECHANISMS, NETWORKS
from castctl.io.json_text import json_text
from castctl.io.markdown import markdown_cell, markdown_table

EN = {
    "title": "Weekly summary: week {week} of {weeks}",
    "intake": "Intake",
    "subject": "castctl weekly summary: intake {intake}, week {week} ({dates})",
    "pilot": "pilot districts ({weeks})",
    "target": "target districts ({weeks})",
    "week_one": "week {first}",
    "week_span": "weeks {first}-{last}",
    "phase": "Phase",
    "dates": "Dates",
    "working_days": "Working days",
    "holidays": "Holidays this week",
    "none": "none",
    "mentor": "Mentor",
    "reports": "Reports",
    "reports_line": "{submitted} of {expected} submitted ({percent})",
    "by_district": "By pilot district (mentor)",
    "code": "Code",
    "district": "District",
    "submitted": "Submitted",
    "expected": "Expected",
    "missing": "No report this week ({n})",
    "nobody_missing": "Everyone expected has reported this week.",
    "trainee": "Trainee",
    "name": "Name",
    "pilot_code": "Pilot district",
    "streaks": "{flag} or more weeks in a row without a report ({n})",
    "no_streaks": "Nobody has missed {flag} or more weeks in a row.",
    "streak": "Weeks missed",
    "last_report": "Last report",
    "never": "never",
    "mechanisms": "The 5 working mechanisms this week",
    "networks": "The 7 partner networks this week",
    "used": "Used",
    "share": "Share of reports",
    "sdgs": "SDGs touched this week",
    "rate": "Submission rate by week",
    "week": "Week",
    "next": "Next week",
    "next_line": "week {week}, {dates}, {days} working days",
    "next_holidays": "Holidays next week",
    "ended": "This was the last week of the programme.",
    "footer": "Sent by castctl. Figures count active trainees placed at a pilot district.",
    "chart": "Reports submitted as a share of those expected, week by week",
}
TH = {
    "title": "สรุปรายสัปดาห์: สัปดาห์ที่ {week} จาก {weeks}",
    "intake": "รุ่น",
    "subject": "castctl สรุปรายสัปดาห์: รุ่น {intake} สัปดาห์ที่ {week} ({dates})",
    "pilot": "ฝึกปฏิบัติที่อำเภอนำร่อง ({weeks})",
    "target": "ฝึกปฏิบัติที่อำเภอเป้าหมาย ({weeks})",
    "week_one": "สัปดาห์ที่ {first}",
    "week_span": "สัปดาห์ที่ {first}-{last}",
    "phase": "ช่วง",
    "dates": "วันที่",
    "working_days": "วันทำการ",
    "holidays": "วันหยุดราชการในสัปดาห์นี้",
    "none": "ไม่มี",
    "mentor": "พี่เลี้ยง",
    "reports": "รายงาน",
    "reports_line": "ส่งแล้ว {submitted} จาก {expected} ({percent})",
    "by_district": "แยกตามอำเภอนำร่อง (พี่เลี้ยง)",
    "code": "รหัส",
    "district": "อำเภอ",
    "submitted": "ส่งแล้ว",
    "expected": "ต้องส่ง",
    "missing": "ยังไม่ส่งรายงานสัปดาห์นี้ ({n} คน)",
    "nobody_missing": "ทุกคนส่งรายงานสัปดาห์นี้ครบแล้ว",
    "trainee": "รหัส",
    "name": "ชื่อ",
    "pilot_code": "อำเภอนำร่อง",
    "streaks": "ขาดส่งติดต่อกันตั้งแต่ {flag} สัปดาห์ขึ้นไป ({n} คน)",
    "no_streaks": "ไม่มีผู้ขาดส่งติดต่อกันตั้งแต่ {flag} สัปดาห์ขึ้นไป",
    "streak": "สัปดาห์ที่ขาด",
    "last_report": "ส่งล่าสุด",
    "never": "ยังไม่เคยส่ง",
    "mechanisms": "กลไกการทำงาน 5 ด้านในสัปดาห์นี้",
    "networks": "ภาคีเครือข่าย 7 ภาคีในสัปดาห์นี้",
    "used": "ที่ใช้",
    "share": "สัดส่วนของรายงาน",
    "sdgs": "เป้าหมาย SDGs ที่เกี่ยวข้องในสัปดาห์นี้",
    "rate": "อัตราการส่งรายงานรายสัปดาห์",
    "week": "สัปดาห์",
    "next": "สัปดาห์หน้า",
    "next_line": "สัปดาห์ที่ {week} {dates} วันทำการ {days} วัน",
    "next_holidays": "วันหยุดราชการสัปดาห์หน้า",
    "ended": "สัปดาห์นี้เป็นสัปดาห์สุดท้ายของโครงการ",
    "footer": "ส่งโดย castctl นับเฉพาะผู้เข้าอบรมที่ยังอยู่ในโครงการและได้รับมอบหมายอำเภอนำร่องแล้ว",
    "chart": "สัดส่วนรายงานที่ส่งต่อรายงานที่ต้องส่ง รายสัปดาห์",
}

LEVEL_COLOUR = {"good": "#1a7f37", "fair": "#9a6700", "poor": "#cf222e"}
LEVEL_TINT = {"good": "#dafbe1", "fair": "#fff8c5", "poor": "#ffebe9"}


def _labels(th: bool) -> dict[str, str]:
    return TH if th else EN


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def date_range(start: str, end: str, th: bool) -> str:
    """``16–20 Oct 2023`` / ``31 Jul – 4 Aug 2023``; Thai: ``16–20 ต.ค. 66``."""
    a, b = _day(start), _day(end)
    if th:
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{thai_date(b)}"
        return f"{a.day} {THAI_MONTHS_SHORT[a.month - 1]} – {thai_date(b)}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def one_date(text: str, th: bool) -> str:
    day = _day(text)
    return thai_date(day) if th else f"{day:%a} {day.day} {day:%b}"


def title(doc: dict[str, Any], th: bool = False) -> str:
    """``Weekly summary: week 6 of 22``; the intake is the first fact under it (so a digest of
    intake 2566 reads as it did before intakes, with one line more)."""
    return _labels(th)["title"].format(week=doc["week"], weeks=doc["weeks"])


def phase_text(doc: dict[str, Any], th: bool = False) -> str:
    """The phase of the digest's week with the intake's weeks of that phase."""
    t = _labels(th)
    pilot_weeks, weeks = int(doc["pilot_weeks"]), int(doc["weeks"])
    first, last = (1, pilot_weeks) if doc["phase"] == "pilot" else (pilot_weeks + 1, weeks)
    span = t["week_one" if first == last else "week_span"].format(first=first, last=last)
    return t[doc["phase"]].format(weeks=span)


def subject(doc: dict[str, Any], th: bool = False) -> str:
    text = _labels(th)["subject"].format(
        intake=doc["intake"], week=doc["week"], dates=date_range(doc["start"], doc["end"], th)
    )
    mentor = doc.get("mentor")
    if mentor:
        name = mentor["district_th"] if th else mentor["district_en"]
        text += f" – {name} ({mentor['district_code']})"
    return text


def _holiday_text(items: Sequence[dict[str, str]], th: bool) -> str:
    if not items:
        return _labels(th)["none"]
    return "; ".join(f"{one_date(h['date'], th)} {h['name']}" for h in items)


def _mentor_text(mentor: dict[str, Any], th: bool) -> str:
    if th:
        text = f"{mentor['title_th']} จังหวัด{mentor['province_th']} ({mentor['district_code']})"
    else:
        text = f"{mentor['title_en']}, {mentor['province_en']} ({mentor['district_code']})"
    return f"{text}: {mentor['name']}" if mentor.get("name") else text


def _facts(doc: dict[str, Any], th: bool) -> list[tuple[str, str]]:
    t = _labels(th)
    facts = [
        (t["phase"], phase_text(doc, th)),
        (t["dates"], date_range(doc["start"], doc["end"], th)),
        (t["working_days"], str(doc["working_days"])),
        (t["holidays"], _holiday_text(doc["holidays"], th)),
    ]
    if doc.get("mentor"):
        facts.insert(0, (t["mentor"], _mentor_text(doc["mentor"], th)))
    facts.insert(0, (t["intake"], str(doc["intake"])))
    facts.append(
        (
            t["reports"],
            t["reports_line"].format(
                submitted=doc["submitted"],
                expected=doc["expected"],
                percent=percent_text(doc["percent"]),
            ),
        )
    )
    return facts


COVERAGE_JUSTIFY = ("left", "right", "right")  # used, reports, share


def _coverage_rows(doc: dict[str, Any], kind: str, th: bool) -> list[tuple[str, int, str]]:
    vocabulary = MECHANISMS if kind == "mechanisms" else NETWORKS
    submitted = doc["submitted"]
    rows = []
    for code, (english, thai) in vocabulary.items():
        count = int(doc[kind].get(code, 0))
        rows.append((thai if th else english, count, percent_text(percent(count, submitted))))
    return rows


def _next_text(doc: dict[str, Any], th: bool) -> tuple[str, str] | None:
    t = _labels(th)
    nxt = doc.get("next_week")
    if nxt is None:
        return None
    line = t["next_line"].format(
        week=nxt["week"], dates=date_range(nxt["start"], nxt["end"], th), days=nxt["working_days"]
    )
    return line, _holiday_text(doc["next_week_holidays"], th)


def _district_name(row: dict[str, Any], th: bool) -> str:
    return str(row["name_th"] if th else row["name_en"])


# ---- plain text -------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal cells: combining marks (Thai vowels above/below, tone marks) take none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], justify: Sequence[str]
) -> list[str]:
    """The lines of a plain-text table; ``justify`` holds each column's ``left``/``right``."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        line = "  ".join(
            _pad(c, widths[i], justify[i] == "right") for i, c in enumerate(row)
        ).rstrip()
        lines.append("  " + line)
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def _text_bar(value: float | None, width: int = 20) -> str:
    if value is None:
        return ""
    full = round(width * min(value, 100) / 100)
    return "█" * full + "·" * (width - full)


def render_text(doc: dict[str, Any], th: bool = False) -> str:
    t = _labels(th)
    heading = title(doc, th)
    out = [heading, "=" * display_width(heading), ""]
    label_width = max(display_width(k) for k, _ in _facts(doc, th))
    out += [f"{_pad(k, label_width, False)}  {v}" for k, v in _facts(doc, th)]
    out += ["", t["by_district"]]
    out += text_table(*_district_table(doc, t, th))
    out += ["", t["missing"].format(n=len(doc["missing_trainees"]))]
    if doc["missing_trainees"]:
        out += text_table(*_missing_table(doc, t))
    else:
        out.append("  " + t["nobody_missing"])
    out += ["", t["streaks"].format(flag=FLAG_STREAK, n=len(doc["streaks"]))]
    if doc["streaks"]:
        out += text_table(*_streak_table(doc, t))
    else:
        out.append("  " + t["no_streaks"].format(flag=FLAG_STREAK))
    for kind in ("mechanisms", "networks"):
        out += ["", t[kind]]
        out += text_table(
            [t["used"], t["reports"], t["share"]], _coverage_rows(doc, kind, th), COVERAGE_JUSTIFY
        )
    out += ["", f"{t['sdgs']}: {', '.join(map(str, doc['sdgs'])) or t['none']}"]
    out += ["", t["rate"]]
    out += text_table(
        [t["week"], "", "%", f"{t['submitted']}/{t['expected']}"],
        [
            (r["week"], _text_bar(r["percent"]), percent_text(r["percent"]),
             f"{r['submitted']}/{r['expected']}")
            for r in doc["rate_by_week"]
        ],
        ["right", "left", "right", "right"],
    )  # fmt: skip
    nxt = _next_text(doc, th)
    out.append("")
    if nxt is None:
        out.append(t["ended"])
    else:
        out.append(f"{t['next']}: {nxt[0]}")
        out.append(f"{t['next_holidays']}: {nxt[1]}")
    out += ["", "-- ", t["footer"]]
    return "\n".join(out) + "\n"


# ---- markdown ---------------------------------------------------------------------------


def render_markdown(doc: dict[str, Any], th: bool = False) -> str:
    t = _labels(th)
    out = [f"# {markdown_cell(title(doc, th))}", ""]
    out += [f"- **{markdown_cell(k)}:** {markdown_cell(v)}" for k, v in _facts(doc, th)]
    out += ["", f"## {t['by_district']}", ""]
    out += markdown_table(*_district_table(doc, t, th))
    out += ["", f"## {t['missing'].format(n=len(doc['missing_trainees']))}", ""]
    if doc["missing_trainees"]:
        out += markdown_table(*_missing_table(doc, t))
    else:
        out.append(t["nobody_missing"])
    out += ["", f"## {t['streaks'].format(flag=FLAG_STREAK, n=len(doc['streaks']))}", ""]
    if doc["streaks"]:
        out += markdown_table(*_streak_table(doc, t))
    else:
        out.append(t["no_streaks"].format(flag=FLAG_STREAK))
    for kind in ("mechanisms", "networks"):
        out += ["", f"## {t[kind]}", ""]
        out += markdown_table(
            [t["used"], t["reports"], t["share"]], _coverage_rows(doc, kind, th), COVERAGE_JUSTIFY
        )
    out += ["", f"**{t['sdgs']}:** {', '.join(map(str, doc['sdgs'])) or t['none']}"]
    out += ["", f"## {t['rate']}", ""]
    out += markdown_table(
        [t["week"], t["submitted"], t["expected"], "%"],
        [
            (r["week"], r["submitted"], r["expected"], percent_text(r["percent"]))
            for r in doc["rate_by_week"]
        ],
        ["right"] * 4,
    )
    nxt = _next_text(doc, th)
    out.append("")
    if nxt is None:
        out.append(t["ended"])
    else:
        out += [
            f"**{t['next']}:** {markdown_cell(nxt[0])}",
            "",
            f"**{t['next_holidays']}:** {markdown_cell(nxt[1])}",
        ]
    out += ["", f"_{t['footer']}_"]
    return "\n".join(out) + "\n"


# ---- HTML -------------------------------------------------------------------------------

FONT = "-apple-system,'Segoe UI',Roboto,'Noto Sans Thai','Leelawadee UI',Tahoma,Arial,sans-serif"
CELL = "padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top;"
NUM = "padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap;"
HEAD = (
    "padding:6px 10px;border-bottom:2px solid #d0d7de;text-align:left;font-weight:600;"
    "color:#57606a;font-size:13px;"
)
H2 = "margin:28px 0 8px;font-size:17px;color:#1f2933;"
PAGE = "background:#f4f5f7;"
CARD = "max-width:680px;width:100%;background:#ffffff;border:1px solid #e5e7eb;border-radius:8px;"
INNER = f"padding:24px 28px;font-family:{FONT};color:#1f2933;font-size:14px;line-height:1.5;"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _badge(value: float | None, level: str | None) -> str:
    if level is None:
        return f'<span style="color:#57606a;">{_e(percent_text(value))}</span>'
    return (
        f'<span style="display:inline-block;padding:1px 8px;border-radius:10px;'
        f"background:{LEVEL_TINT[level]};color:{LEVEL_COLOUR[level]};font-weight:600;"
        f'">{_e(percent_text(value))}</span>'
    )


def _html_table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """``headers``: (label, right-aligned); ``rows``: cells already escaped/marked up."""
    head = "".join(
        f'<th style="{HEAD}{"text-align:right;" if right else ""}">{_e(h)}</th>'
        for h, right in headers
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{NUM if headers[i][1] else CELL}">{cell}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse;width:100%;font-size:14px;">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def rate_chart_svg(rates: Sequence[dict[str, Any]], weeks: int, th: bool = False) -> str:
    """A bar per week (green ≥ 80 %, amber ≥ 50 %, red below) with 50 % and 80 % guides."""
    t = _labels(th)
    slot, bar, left, top, plot, bottom = 22, 16, 36, 12, 110, 34
    width = left + slot * weeks + 8
    height = top + plot + bottom
    y = lambda p: top + plot - plot * p / 100  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(t["chart"])}" '
        f'style="display:block;max-width:100%;height:auto;font-family:{_e(FONT)};">',
        f"<title>{_e(t['chart'])}</title>",
    ]
    for mark in (0, 50, 80, 100):
        yy = y(mark)
        dash = ' stroke-dasharray="3 3"' if mark in (50, 80) else ""
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - 8}" y2="{yy:.1f}" '
            f'stroke="#d0d7de" stroke-width="1"{dash}/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{yy + 3:.1f}" font-size="9" text-anchor="end" '
            f'fill="#57606a">{mark}%</text>'
        )
    for r in rates:
        x = left + slot * (r["week"] - 1) + (slot - bar) / 2
        if r["percent"] is not None:
            top_y = y(min(r["percent"], 100))
            colour = LEVEL_COLOUR.get(r["level"] or "", "#8c959f")
            parts.append(
                f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar}" '
                f'height="{top + plot - top_y:.1f}" fill="{colour}" rx="2">'
                f"<title>{_e(t['week'])} {r['week']}: {r['submitted']}/{r['expected']} "
                f"({_e(percent_text(r['percent']))})</title></rect>"
            )
    for w in range(1, weeks + 1):
        x = left + slot * (w - 1) + slot / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot + 13}" font-size="9" text-anchor="middle" '
            f'fill="#57606a">{w}</text>'
        )
    parts.append(
        f'<text x="{left + slot * weeks / 2:.1f}" y="{height - 4}" font-size="10" '
        f'text-anchor="middle" fill="#57606a">{_e(t["week"])}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _coverage_html(doc: dict[str, Any], kind: str, th: bool) -> str:
    t = _labels(th)
    submitted = doc["submitted"]
    rows = []
    for label, count, share in _coverage_rows(doc, kind, th):
        fill = round(100 * count / submitted) if submitted else 0
        meter = (
            '<table role="presentation" cellpadding="0" cellspacing="0" width="120" '
            'style="border-collapse:collapse;display:inline-table;vertical-align:middle;">'
            f'<tr><td style="height:8px;width:{fill}%;background:#0969da;"></td>'
            f'<td style="height:8px;background:#eaeef2;"></td></tr></table>'
            if fill
            else '<span style="color:#8c959f;">–</span>'
        )
        rows.append((_e(label), str(count), _e(share), meter))
    return _html_table(
        [(t["used"], False), (t["reports"], True), (t["share"], True), ("", False)], rows
    )


def render_html(doc: dict[str, Any], th: bool = False) -> str:
    t = _labels(th)
    heading = title(doc, th)
    facts = "".join(
        f'<tr><td style="padding:3px 12px 3px 0;color:#57606a;white-space:nowrap;'
        f'vertical-align:top;">{_e(k)}</td><td style="padding:3px 0;">{_e(v)}</td></tr>'
        for k, v in _facts(doc, th)[:-1]
    )
    level = doc["level"]
    headline = (
        f'<p style="margin:16px 0 4px;font-size:15px;">{_e(t["reports"])}: '
        f'<strong style="font-size:22px;">{doc["submitted"]}</strong> / {doc["expected"]} '
        f"{_badge(doc['percent'], level)}</p>"
    )
    districts = _html_table(
        [(t["code"], False), (t["district"], False), (t["submitted"], True),
         (t["expected"], True), ("%", True)],
        [
            (_e(r["code"]), _e(_district_name(r, th)), str(r["submitted"]), str(r["expected"]),
             _badge(r["percent"], r["level"]))
            for r in doc["by_district"]
        ],
    )  # fmt: skip
    if doc["missing_trainees"]:
        missing = _html_table(
            [(t["trainee"], False), (t["name"], False), (t["pilot_code"], False)],
            [(_e(m["trainee_id"]), _e(m["full_name"]), _e(m["pilot_district_code"]))
             for m in doc["missing_trainees"]],
        )  # fmt: skip
    else:
        missing = f'<p style="margin:0;">{_e(t["nobody_missing"])}</p>'
    if doc["streaks"]:
        streaks = _html_table(
            [(t["trainee"], False), (t["name"], False), (t["pilot_code"], False),
             (t["streak"], True), (t["last_report"], True)],
            [
                (_e(s["trainee_id"]), _e(s["full_name"]), _e(s["pilot_district_code"]),
                 f'<strong style="color:{LEVEL_COLOUR["poor"]};">{s["missing_streak"]}</strong>',
                 _e(s["last_week"] if s["last_week"] else t["never"]))
                for s in doc["streaks"]
            ],
        )  # fmt: skip
    else:
        streaks = f'<p style="margin:0;">{_e(t["no_streaks"].format(flag=FLAG_STREAK))}</p>'
    sdgs = ", ".join(map(str, doc["sdgs"])) or t["none"]
    nxt = _next_text(doc, th)
    if nxt is None:
        next_html = f'<p style="margin:0;">{_e(t["ended"])}</p>'
    else:
        next_html = (
            f'<p style="margin:0;">{_e(nxt[0])}</p>'
            f'<p style="margin:4px 0 0;color:#57606a;">{_e(t["next_holidays"])}: {_e(nxt[1])}</p>'
        )
    body = f"""<!DOCTYPE html>
<html lang="{"th" if th else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(subject(doc, th))}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="{PAGE}">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="680" cellpadding="0" cellspacing="0" style="{CARD}">
<tr><td style="{INNER}">
<h1 style="margin:0 0 12px;font-size:22px;color:#1f2933;">{_e(heading)}</h1>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;">{facts}</table>
{headline}
<h2 style="{H2}">{_e(t["rate"])}</h2>
{rate_chart_svg(doc["rate_by_week"], doc["weeks"], th)}
<h2 style="{H2}">{_e(t["by_district"])}</h2>
{districts}
<h2 style="{H2}">{_e(t["missing"].format(n=len(doc["missing_trainees"])))}</h2>
{missing}
<h2 style="{H2}">{_e(t["streaks"].format(flag=FLAG_STREAK, n=len(doc["streaks"])))}</h2>
{streaks}
<h2 style="{H2}">{_e(t["mechanisms"])}</h2>
{_coverage_html(doc, "mechanisms", th)}
<h2 style="{H2}">{_e(t["networks"])}</h2>
{_coverage_html(doc, "networks", th)}
<p style="margin:16px 0 0;"><strong>{_e(t["sdgs"])}:</strong> {_e(sdgs)}</p>
<h2 style="{H2}">{_e(t["next"])}</h2>
{next_html}
<p style="margin:28px 0 0;font-size:12px;color:#8c959f;">{_e(t["footer"])}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
    return body


def render(doc: dict[str, Any], fmt: str, th: bool = False) -> str:
    """The digest in ``fmt``: text, markdown, html or json."""
    if fmt == "json":
        return json_text(doc, indent=True) + "\n"
    if fmt == "markdown":
        return render_markdown(doc, th)
    if fmt == "html":
        return render_html(doc, th)
    return render_text(doc, th)


def _district_table(
    doc: dict[str, Any], t: dict[str, str], th: bool
) -> tuple[list[str], list[tuple[Any, ...]], list[str]]:
    """Header, rows and alignments of the per-mentor table (text and markdown)."""
    header = [t["code"], t["district"], t["submitted"], t["expected"], "%"]
    rows = [
        (
            r["code"],
            _district_name(r, th),
            r["submitted"],
            r["expected"],
            percent_text(r["percent"]),
        )
        for r in doc["by_district"]
    ]
    return header, rows, ["left", "left", "right", "right", "right"]


def _missing_table(
    doc: dict[str, Any], t: dict[str, str]
) -> tuple[list[str], list[tuple[Any, ...]], list[str]]:
    """Header, rows and alignments of the missing-trainee table."""
    rows = [
        (m["trainee_id"], m["full_name"], m["pilot_district_code"]) for m in doc["missing_trainees"]
    ]
    return [t["trainee"], t["name"], t["pilot_code"]], rows, ["left"] * 3


def _streak_table(
    doc: dict[str, Any], t: dict[str, str]
) -> tuple[list[str], list[tuple[Any, ...]], list[str]]:
    """Header, rows and alignments of the missing-streak table (text and markdown)."""
    header = [t["trainee"], t["name"], t["pilot_code"], t["streak"], t["last_report"]]
    rows = [
        (s["trainee_id"], s["full_name"], s["pilot_district_code"], s["missing_streak"],
         s["last_week"] if s["last_week"] else t["never"])
        for s in doc["streaks"]
    ]  # fmt: skip
    return header, rows, ["left", "left", "left", "right", "right"]
