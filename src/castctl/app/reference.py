"""Reference data use cases: the districts."""

from __future__ import annotations

from typing import Any

from castctl.core.reference import REGIONS
from castctl.db.districts import load_districts, province_index
from castctl.db.store import Store
from castctl.errors import InputError


def list_districts(
    store: Store, *, pilot: bool = False, province: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """The reference districts (the contract's ``districts -f json`` objects), filtered by
    province (code or name), region and pilot."""
    rows = load_districts(store)
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
