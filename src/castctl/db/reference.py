"""Loading the reference data (provinces, districts, pilot districts, mentors, the timeline)
into a new database, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session

from castctl.core import calendar, reference
from castctl.db import models


def load_reference_data(session: Session) -> None:
    session.execute(
        insert(models.Province),
        [
            {"code": p.code, "name_th": p.name_th, "name_en": p.name_en, "region": p.region}
            for p in reference.all_provinces()
        ],
    )
    session.execute(
        insert(models.District),
        [
            {
                "code": d.code,
                "name_th": d.name_th,
                "name_en": d.name_en,
                "province_code": d.province_code,
            }
            for d in reference.all_districts()
        ],  # fmt: skip
    )
    pilots = reference.pilot_districts()
    session.execute(
        insert(models.PilotDistrict),
        [
            {
                "code": p.code,
                "aliases": ";".join(p.aliases),
                "mentor_title_th": p.mentor_title_th,
                "mentor_title_en": p.mentor_title_en,
            }
            for p in pilots
        ],  # fmt: skip
    )
    session.execute(insert(models.Mentor), [{"district_code": p.code} for p in pilots])
    store_timeline(session, calendar.build_weeks())


def store_timeline(session: Session, weeks: list[calendar.Week]) -> None:
    session.execute(
        insert(models.Week),
        [
            {
                "number": w.number,
                "phase": w.phase,
                "start": w.start,
                "end": w.end,
                "working_days": w.working_days,
            }
            for w in weeks
        ],  # fmt: skip
    )
    holidays = [
        {"date": h.date, "week": w.number, "name_en": h.name_en, "name_th": h.name_th}
        for w in weeks
        for h in w.holidays
    ]
    if holidays:
        session.execute(insert(models.Holiday), holidays)
