"""Read queries in plain SQL through ``Database.read`` (no SQLAlchemy import on SQLite).

They return core objects or plain dicts, ordered in Python where order matters to results.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from castctl.core import calendar
from castctl.core.reference import DistrictIndex, DistrictRef, ProvinceIndex, ProvinceRef
from castctl.db.engine import Database


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_weeks(db: Database) -> list[calendar.Week]:
    holidays: dict[int, list[calendar.Holiday]] = {}
    for day, week, name_en, name_th in db.read(
        "SELECT date, week, name_en, name_th FROM holiday ORDER BY date"
    ):
        holidays.setdefault(int(week), []).append(calendar.Holiday(_date(day), name_en, name_th))
    return [
        calendar.Week(
            number=int(number),
            phase=phase,
            start=_date(start),
            end=_date(end),
            working_days=int(working_days),
            holidays=tuple(holidays.get(int(number), ())),
        )
        for number, phase, start, end, working_days in db.read(
            'SELECT number, phase, start, "end", working_days FROM week ORDER BY number'
        )
    ]


DISTRICT_SQL = """
SELECT d.code, d.name_th, d.name_en, d.province_code, p.name_th, p.name_en, p.region,
       pd.code IS NOT NULL, COALESCE(pd.aliases, '')
FROM district d
JOIN province p ON p.code = d.province_code
LEFT JOIN pilot_district pd ON pd.code = d.code
"""


def load_districts(db: Database) -> list[dict[str, Any]]:
    """All districts as the contract's ``districts -f json`` objects (plus ``aliases``)."""
    rows = [
        {
            "code": code, "name_th": name_th, "name_en": name_en, "province_code": prov,
            "province_th": prov_th, "province_en": prov_en, "region": region,
            "pilot": bool(pilot), "aliases": [a for a in aliases.split(";") if a],
        }
        for code, name_th, name_en, prov, prov_th, prov_en, region, pilot, aliases
        in db.read(DISTRICT_SQL)
    ]  # fmt: skip
    rows.sort(key=lambda r: r["code"])
    return rows


def district_index(db: Database, *, pilot_only: bool = False) -> DistrictIndex:
    return DistrictIndex(
        DistrictRef(
            r["code"], r["name_th"], r["name_en"], r["province_code"], r["pilot"],
            tuple(r["aliases"]),
        )
        for r in load_districts(db)
        if r["pilot"] or not pilot_only
    )  # fmt: skip


def load_provinces(db: Database) -> list[ProvinceRef]:
    rows = db.read("SELECT code, name_th, name_en, region FROM province")
    return sorted((ProvinceRef(*row) for row in rows), key=lambda p: p.code)


def province_index(db: Database) -> ProvinceIndex:
    return ProvinceIndex(load_provinces(db))


def active_trainee_count(db: Database) -> int:
    return int(db.read("SELECT COUNT(*) FROM trainee WHERE status = 'active'")[0][0])


def load_mentors(db: Database) -> list[dict[str, Any]]:
    """The 10 mentors with their pilot district and effective capacity."""
    import math

    active = active_trainee_count(db)
    default_capacity = math.ceil(active / 10)
    placed = dict(
        db.read(
            "SELECT a.pilot_district_code, COUNT(*) FROM assignment a "
            "JOIN trainee t ON t.trainee_id = a.trainee_id "
            "WHERE t.status = 'active' AND a.pilot_district_code IS NOT NULL "
            "GROUP BY a.pilot_district_code"
        )
    )
    rows = db.read(
        "SELECT m.district_code, d.name_th, d.name_en, p.name_th, p.name_en, "
        "pd.mentor_title_th, pd.mentor_title_en, m.name, m.email, m.capacity "
        "FROM mentor m JOIN pilot_district pd ON pd.code = m.district_code "
        "JOIN district d ON d.code = m.district_code JOIN province p ON p.code = d.province_code"
    )
    out = [
        {
            "district_code": code, "district_th": d_th, "district_en": d_en,
            "province_th": p_th, "province_en": p_en, "title_th": t_th, "title_en": t_en,
            "name": name, "email": email,
            "capacity": capacity if capacity is not None else default_capacity,
            "capacity_set": capacity is not None, "placed": int(placed.get(code, 0)),
        }
        for code, d_th, d_en, p_th, p_en, t_th, t_en, name, email, capacity in rows
    ]  # fmt: skip
    out.sort(key=lambda r: r["district_code"])
    return out
