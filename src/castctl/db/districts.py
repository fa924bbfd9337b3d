"""The reference districts and provinces as stored, with the pilot districts marked."""

from __future__ import annotations

from typing import Any

from castctl.core.reference import DistrictIndex, DistrictRef, ProvinceIndex, ProvinceRef
from castctl.db.store import Store

DISTRICT_SQL = """
SELECT d.code, d.name_th, d.name_en, d.province_code, p.name_th, p.name_en, p.region,
       pd.code IS NOT NULL, COALESCE(pd.aliases, '')
FROM district d
JOIN province p ON p.code = d.province_code
LEFT JOIN pilot_district pd ON pd.code = d.code
"""


def load_districts(store: Store) -> list[dict[str, Any]]:
    """All districts as the contract's ``districts -f json`` objects (plus ``aliases``)."""
    rows = [
        {
            "code": code, "name_th": name_th, "name_en": name_en, "province_code": prov,
            "province_th": prov_th, "province_en": prov_en, "region": region,
            "pilot": bool(pilot), "aliases": [a for a in aliases.split(";") if a],
        }
        for code, name_th, name_en, prov, prov_th, prov_en, region, pilot, aliases
        in store.read(DISTRICT_SQL)
    ]  # fmt: skip
    rows.sort(key=lambda r: r["code"])
    return rows


def district_index(store: Store, *, pilot_only: bool = False) -> DistrictIndex:
    return DistrictIndex(
        DistrictRef(
            r["code"], r["name_th"], r["name_en"], r["province_code"], r["pilot"],
            tuple(r["aliases"]),
        )
        for r in load_districts(store)
        if r["pilot"] or not pilot_only
    )  # fmt: skip


def load_provinces(store: Store) -> list[ProvinceRef]:
    rows = store.read("SELECT code, name_th, name_en, region FROM province")
    return sorted((ProvinceRef(*row) for row in rows), key=lambda p: p.code)


def province_index(store: Store) -> ProvinceIndex:
    return ProvinceIndex(load_provinces(store))
