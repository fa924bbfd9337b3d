"""Mentor use cases: list the mentors of an intake's pilot districts, set one's details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from castctl.core.emails import join_emails, normalize_emails, split_emails
from castctl.core.intakes import Intake, default_mentor_capacity
from castctl.core.reference import DistrictRef
from castctl.db.districts import district_index
from castctl.db.mentors import active_trainee_count, load_mentors, update_mentor
from castctl.db.store import Store
from castctl.errors import InputError, NotFoundError


def list_mentors(store: Store, intake: Intake) -> list[dict[str, Any]]:
    """The intake's mentors (one per pilot district) with their effective ``capacity``
    (``capacity_set``: whether it is an explicit setting; otherwise ceil(active / P)) and how
    many active trainees they have (``placed``). ``emails`` lists the mentor's addresses;
    ``email`` is the one address, or several joined by ", " (None when there is none)."""
    active = active_trainee_count(store, intake.name)
    mentors = load_mentors(store, intake.name)
    for mentor in mentors:
        stored = mentor.pop("stored_capacity")
        mentor["capacity"] = default_mentor_capacity(intake, active, stored)
        mentor["capacity_set"] = stored is not None
        mentor["emails"] = split_emails(mentor["email"])
        mentor["email"] = ", ".join(mentor["emails"]) or None
    return mentors


def find_pilot_district(store: Store, intake: Intake, district: str) -> DistrictRef:
    """``district`` (code or name) as one of the intake's pilot districts.

    A real district that is not one of them is named as such; an unknown name gets "did you
    mean" among the intake's pilot districts only (those are the only right answers)."""
    pilots = district_index(store, pilots=intake.pilot_codes, pilot_only=True)
    try:
        return pilots.find(district)
    except NotFoundError as not_a_pilot:
        try:
            found = district_index(store).find(district)
        except NotFoundError:
            raise not_a_pilot from None
        listed = ", ".join(intake.pilot_codes)
        raise InputError(
            f"{found.code} {found.name_en} is not a pilot district of intake {intake.name}; "
            f"its mentors are the chiefs of {listed} (castctl mentors)"
        ) from None


def set_mentor(
    store: Store,
    intake: Intake,
    district: str,
    *,
    name: str | None = None,
    emails: Sequence[str] | None = None,
    capacity: int | None = None,
) -> DistrictRef:
    """Set the mentor's name, addresses or capacity (an empty name, ``emails`` of one empty
    value, or capacity 0, clears it); returns the pilot district of the intake whose mentor
    changed. Each address is checked (``core.emails``); a bad one is named by its position."""
    if name is None and not emails and capacity is None:
        raise InputError("nothing to set: give --name, --email or --capacity")
    addresses = None
    if emails:
        addresses = [] if list(emails) == [""] else normalize_emails(emails, "--email")
    district_ref = find_pilot_district(store, intake, district)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name or None
    if addresses is not None:
        values["email"] = join_emails(addresses)
    if capacity is not None:
        values["capacity"] = capacity or None
    update_mentor(store, intake.name, district_ref.code, values)
    return district_ref
