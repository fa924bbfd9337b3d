"""The mentors of one intake (one per pilot district of the intake) as stored: an unset
capacity stays None."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from castctl.core.reference import mentor_title
from castctl.db.store import Store


def active_trainee_count(store: Store, intake: str) -> int:
    return int(
        store.read(
            "SELECT COUNT(*) FROM trainee WHERE intake = :intake AND status = 'active'",
            {"intake": intake},
        )[0][0]
    )


def load_mentors(store: Store, intake: str) -> list[dict[str, Any]]:
    """The intake's mentors with their pilot district, stored capacity (None when not set) and
    how many of the intake's active trainees they have.

    A pilot district of a later intake need not be one of the 2023 pilots that
    ``pilot_district`` describes: its mentor's title is then worded from the district's name
    (``core.reference.mentor_title``)."""
    params = {"intake": intake}
    placed = dict(
        store.read(
            "SELECT a.pilot_district_code, COUNT(*) FROM assignment a "
            "JOIN trainee t ON t.intake = a.intake AND t.trainee_id = a.trainee_id "
            "WHERE a.intake = :intake AND t.status = 'active' "
            "AND a.pilot_district_code IS NOT NULL "
            "GROUP BY a.pilot_district_code",
            params,
        )
    )
    rows = store.read(
        "SELECT m.district_code, d.name_th, d.name_en, p.name_th, p.name_en, "
        "pd.mentor_title_th, pd.mentor_title_en, m.name, m.email, m.capacity "
        "FROM mentor m LEFT JOIN pilot_district pd ON pd.code = m.district_code "
        "JOIN district d ON d.code = m.district_code JOIN province p ON p.code = d.province_code "
        "WHERE m.intake = :intake",
        params,
    )
    out = [
        {
            "district_code": code, "district_th": d_th, "district_en": d_en,
            "province_th": p_th, "province_en": p_en,
            "title_th": title[0], "title_en": title[1],
            "name": name, "email": email, "stored_capacity": capacity,
            "placed": int(placed.get(code, 0)),
        }
        for code, d_th, d_en, p_th, p_en, t_th, t_en, name, email, capacity in rows
        for title in [mentor_title(code, d_th, d_en, (t_th, t_en))]
    ]  # fmt: skip
    out.sort(key=lambda r: r["district_code"])
    return out


MENTOR_FIELDS = ("name", "email", "capacity")


def update_mentor(store: Store, intake: str, district_code: str, values: Mapping[str, Any]) -> None:
    """Set the given ``MENTOR_FIELDS`` of the intake's mentor of ``district_code`` (None
    clears one)."""
    unknown = set(values) - set(MENTOR_FIELDS)
    if unknown:
        raise ValueError(f"not mentor fields: {sorted(unknown)}")
    if not values:
        return
    assignments = ", ".join(f"{field} = :{field}" for field in values)
    with store.transaction() as tx:
        tx.execute(
            f"UPDATE mentor SET {assignments} WHERE intake = :intake AND district_code = :code",
            {**values, "intake": intake, "code": district_code},
        )
