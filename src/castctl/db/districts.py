"""The reference districts and provinces as stored, with the pilot districts marked."""

from __future__ import annotations

from collections.abc import Iterable
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


def district_index(
    store: Store, *, pilots: Iterable[str] | None = None, pilot_only: bool = False
) -> DistrictIndex:
    """Every district, findable by code or name. ``pilots`` (an intake's pilot district codes)
    says which are pilot districts; without it, the 2023 pilots of ``pilot_district``. With
    ``pilot_only`` only the pilot districts are in the index (and in its suggestions)."""
    pilot_codes = None if pilots is None else set(pilots)
    refs = []
    for r in load_districts(store):
        pilot = r["pilot"] if pilot_codes is None else r["code"] in pilot_codes
        if pilot or not pilot_only:
            refs.append(
                DistrictRef(
                    r["code"], r["name_th"], r["name_en"], r["province_code"], pilot,
                    tuple(r["aliases"]),
                )
            )  # fmt: skip
    return DistrictIndex(refs)


def load_provinces(store: Store) -> list[ProvinceRef]:
    rows = store.read("SELECT code, name_th, name_en, region FROM province")
    return sorted((ProvinceRef(*row) for row in rows), key=lambda p: p.code)


def province_index(store: Store) -> ProvinceIndex:
    return ProvinceIndex(load_provinces(store))


def intake_pilot_codes(store: Store) -> set[str]:
    """The districts that are a pilot district of some intake."""
    return {str(r[0]) for r in store.read("SELECT DISTINCT district_code FROM mentor")}
