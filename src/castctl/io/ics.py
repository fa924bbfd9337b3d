"""The timeline as an iCalendar file (RFC 5545) that Google Calendar and Outlook import."""

from __future__ import annotations

import datetime as dt

from castctl.core.calendar import Week, thai_date

PRODID = "-//castctl//MOI SMART Agent for CAST//EN"


def timeline_ics(
    weeks: list[Week], intake: str, *, lang: str = "en", stamp: dt.datetime | None = None
) -> bytes:
    """Two phase events, an event per week and the holidays, all as all-day events.

    UIDs are stable (derived from the intake's name and the dates), so importing a newer file
    updates the same events instead of duplicating them, and two overlapping intakes imported
    into one calendar keep their own events (a shared holiday appears once per intake).
    """
    from icalendar import Calendar, Event

    stamp = stamp or dt.datetime(2023, 7, 3, tzinfo=dt.UTC)
    th = lang == "th"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"MOI SMART Agent for CAST — phase 2, intake {intake}")
    cal.add("x-wr-timezone", "Asia/Bangkok")

    def event(uid: str, summary: str, first: dt.date, last: dt.date, description: str) -> None:
        ev = Event()
        ev.add("uid", f"{intake}-{uid}@castctl")
        ev.add("dtstamp", stamp)
        ev.add("summary", summary)
        ev.add("dtstart", first)
        ev.add("dtend", last + dt.timedelta(days=1))  # all-day DTEND is exclusive
        ev.add("transp", "TRANSPARENT")
        if description:
            ev.add("description", description)
        cal.add_component(ev)

    pilot = [w for w in weeks if w.phase == "pilot"]
    target = [w for w in weeks if w.phase == "target"]
    phases = [
        ("pilot", pilot, "ฝึกปฏิบัติ ณ อำเภอนำร่อง" if th else "Phase 2: pilot districts"),
        ("target", target, "ฝึกปฏิบัติ ณ อำเภอเป้าหมาย" if th else "Phase 2: target districts"),
    ]
    for key, span, label in phases:
        if span:
            desc = f"weeks {span[0].number}-{span[-1].number}"
            event(f"phase-{key}-{span[0].start:%Y%m%d}", label, span[0].start, span[-1].end, desc)
    for w in weeks:
        label = f"สัปดาห์ที่ {w.number}" if th else f"Week {w.number}"
        dates = f"{thai_date(w.start)} – {thai_date(w.end)}" if th else f"{w.start} – {w.end}"
        desc = f"{w.phase}; {w.working_days} working days; {dates}"
        event(f"week-{w.number}-{w.start:%Y%m%d}", label, w.start, w.end, desc)
        for h in w.holidays:
            name = h.name_th if th else h.name_en
            event(f"holiday-{h.date:%Y%m%d}", name, h.date, h.date, "Thai public holiday")
    return bytes(cal.to_ical())
