"""The mentors (one per pilot district) with their effective capacity."""

from __future__ import annotations

from typing import Any

from castctl.db.engine import Database


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
