"""Mentor use cases: list the mentors of the pilot districts, set one's details."""

from __future__ import annotations

from typing import Any

from castctl.core.plan import mentor_capacity
from castctl.core.reference import DistrictRef
from castctl.db.districts import district_index
from castctl.db.mentors import active_trainee_count, load_mentors, update_mentor
from castctl.db.store import Store
from castctl.errors import InputError


def list_mentors(store: Store) -> list[dict[str, Any]]:
    """The 10 mentors with their effective ``capacity`` (``capacity_set``: whether it is an
    explicit setting) and how many active trainees they have (``placed``)."""
    active = active_trainee_count(store)
    mentors = load_mentors(store)
    for mentor in mentors:
        stored = mentor.pop("stored_capacity")
        mentor["capacity"] = mentor_capacity(stored, active)
        mentor["capacity_set"] = stored is not None
    return mentors


def set_mentor(
    store: Store,
    district: str,
    *,
    name: str | None = None,
    email: str | None = None,
    capacity: int | None = None,
) -> DistrictRef:
    """Set the mentor's name, email or capacity (an empty name or email, or capacity 0, clears
    it); returns the pilot district whose mentor changed."""
    if name is None and email is None and capacity is None:
        raise InputError("nothing to set: give --name, --email or --capacity")
    district_ref = district_index(store).find(district)
    if not district_ref.pilot:
        raise InputError(
            f"{district_ref.code} {district_ref.name_en} is not a pilot district; "
            "mentors are the chiefs of the 10 pilot districts (castctl districts --pilot)"
        )
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name or None
    if email is not None:
        values["email"] = email or None
    if capacity is not None:
        values["capacity"] = capacity or None
    update_mentor(store, district_ref.code, values)
    return district_ref
