"""Reference data use cases: the districts (shared by every intake)."""

from __future__ import annotations

from typing import Any

from castctl.core.intakes import Intake
from castctl.core.reference import REGIONS
from castctl.db.districts import intake_pilot_codes, load_districts, province_index
from castctl.db.store import Store
from castctl.errors import InputError


def list_districts(
    store: Store,
    intake: Intake | None = None,
    *,
    pilot: bool = False,
    province: str | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    """The reference districts (the contract's ``districts -f json`` objects), filtered by
    province (code or name), region and pilot.

    ``pilot`` (flag and filter) means a pilot district of ``intake`` when one is given, else a
    pilot district of any intake: with only intake 2566 these are the 10 districts of 2023."""
    rows = load_districts(store)
    pilots = set(intake.pilot_codes) if intake is not None else intake_pilot_codes(store)
    for r in rows:
        r["pilot"] = r["code"] in pilots
    if province:
        code = province_index(store).find(province).code
        rows = [r for r in rows if r["province_code"] == code]
    if region:
        if region.lower() not in REGIONS:
            raise InputError(f"unknown region {region!r}; use one of {', '.join(REGIONS)}")
        rows = [r for r in rows if r["region"] == region.lower()]
    if pilot:
        rows = [r for r in rows if r["pilot"]]
    return [{k: v for k, v in r.items() if k != "aliases"} for r in rows]
