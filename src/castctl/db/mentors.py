"""The mentors (one per pilot district) as stored: an unset capacity stays None."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from castctl.db.store import Store


def active_trainee_count(store: Store) -> int:
    return int(store.read("SELECT COUNT(*) FROM trainee WHERE status = 'active'")[0][0])


def load_mentors(store: Store) -> list[dict[str, Any]]:
    """The 10 mentors with their pilot district, stored capacity (None when not set) and how
    many active trainees they have."""
    placed = dict(
        store.read(
            "SELECT a.pilot_district_code, COUNT(*) FROM assignment a "
            "JOIN trainee t ON t.trainee_id = a.trainee_id "
            "WHERE t.status = 'active' AND a.pilot_district_code IS NOT NULL "
            "GROUP BY a.pilot_district_code"
        )
    )
    rows = store.read(
        "SELECT m.district_code, d.name_th, d.name_en, p.name_th, p.name_en, "
        "pd.mentor_title_th, pd.mentor_title_en, m.name, m.email, m.capacity "
        "FROM mentor m JOIN pilot_district pd ON pd.code = m.district_code "
        "JOIN district d ON d.code = m.district_code JOIN province p ON p.code = d.province_code"
    )
    out = [
        {
            "district_code": code, "district_th": d_th, "district_en": d_en,
            "province_th": p_th, "province_en": p_en, "title_th": t_th, "title_en": t_en,
            "name": name, "email": email, "stored_capacity": capacity,
            "placed": int(placed.get(code, 0)),
        }
        for code, d_th, d_en, p_th, p_en, t_th, t_en, name, email, capacity in rows
    ]  # fmt: skip
    out.sort(key=lambda r: r["district_code"])
    return out


MENTOR_FIELDS = ("name", "email", "capacity")


def update_mentor(store: Store, district_code: str, values: Mapping[str, Any]) -> None:
    """Set the given ``MENTOR_FIELDS`` of the mentor of ``district_code`` (None clears one)."""
    unknown = set(values) - set(MENTOR_FIELDS)
    if unknown:
        raise ValueError(f"not mentor fields: {sorted(unknown)}")
    if not values:
        return
    assignments = ", ".join(f"{field} = :{field}" for field in values)
    with store.transaction() as tx:
        tx.execute(
            f"UPDATE mentor SET {assignments} WHERE district_code = :code",
            {**values, "code": district_code},
        )
