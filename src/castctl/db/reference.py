"""Loading the reference data (provinces, districts, pilot districts, mentors, the timeline)
into a new database, in the caller's transaction, with the store's bulk insert."""

from __future__ import annotations

from castctl.core import calendar, reference
from castctl.db.store import Tx


def load_reference_data(tx: Tx) -> None:
    tx.insert_rows(
        "province",
        ("code", "name_th", "name_en", "region"),
        [(p.code, p.name_th, p.name_en, p.region) for p in reference.all_provinces()],
    )
    tx.insert_rows(
        "district",
        ("code", "name_th", "name_en", "province_code"),
        [(d.code, d.name_th, d.name_en, d.province_code) for d in reference.all_districts()],
    )
    pilots = reference.pilot_districts()
    tx.insert_rows(
        "pilot_district",
        ("code", "aliases", "mentor_title_th", "mentor_title_en"),
        [(p.code, ";".join(p.aliases), p.mentor_title_th, p.mentor_title_en) for p in pilots],
    )
    tx.insert_rows("mentor", ("district_code",), [(p.code,) for p in pilots])
    store_timeline(tx, calendar.build_weeks())


def store_timeline(tx: Tx, weeks: list[calendar.Week]) -> None:
    # Dates as ISO text: how SQLite stores a DATE and PostgreSQL reads one.
    tx.insert_rows(
        "week",
        ("number", "phase", "start", "end", "working_days"),
        [
            (w.number, w.phase, w.start.isoformat(), w.end.isoformat(), w.working_days)
            for w in weeks
        ],
    )
    tx.insert_rows(
        "holiday",
        ("date", "week", "name_en", "name_th"),
        [(h.date.isoformat(), w.number, h.name_en, h.name_th) for w in weeks for h in w.holidays],
    )
