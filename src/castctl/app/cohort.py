"""Cohort use cases for one intake: import, list, show and withdraw trainees; import and list
target districts. A trainee id is unique within an intake; the same id in two intakes is two
enrolments. Pilot preferences name the intake's pilot districts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castctl.app.working import Working, quietly
from castctl.core.intakes import Intake
from castctl.core.records import ImportCounts
from castctl.core.reference import find_department
from castctl.core.text import canonical
from castctl.db import cohort
from castctl.db.cohort import load_placement_changes, load_target_fill
from castctl.db.districts import district_index, province_index
from castctl.db.store import Store
from castctl.db.trainees import load_trainees, require_trainee, status_history, trainee_ids
from castctl.errors import InputError
from castctl.io.cohort_file import (
    TARGET_OPTIONAL,
    TARGET_REQUIRED,
    TRAINEE_OPTIONAL,
    TRAINEE_REQUIRED,
    parse_targets,
    parse_trainees,
)
from castctl.io.tabular import read_table

STATUSES = ("active", "withdrawn")


def import_trainees(
    store: Store,
    intake: Intake,
    path: Path,
    *,
    dry_run: bool = False,
    working: Working = quietly,
) -> ImportCounts:
    """Add new trainees to the intake and update changed ones from a CSV/XLSX file, all or
    nothing; pilot preferences must be pilot districts of the intake."""
    sheet = read_table(path, required=TRAINEE_REQUIRED, optional=TRAINEE_OPTIONAL)
    with working(f"checking and importing {len(sheet):,} trainees…", size=len(sheet)):
        districts = district_index(store, pilots=intake.pilot_codes)
        known = trainee_ids(store.read, intake.name)
        rows = parse_trainees(sheet, districts, province_index(store), known, intake=intake.name)
        return cohort.import_trainees(store, intake.name, rows, dry_run=dry_run)


def list_trainees(
    store: Store,
    intake: Intake,
    *,
    department: str | None = None,
    province: str | None = None,
    pilot: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The intake's trainees with their placement, filtered by department (code or Thai name),
    home province and pilot district of the intake (code or name), and status."""
    rows = load_trainees(store, intake.name)
    if department:
        code = find_department(department).code
        rows = [r for r in rows if r["department"] == code]
    if province:
        province_code = province_index(store).find(province).code
        rows = [r for r in rows if r["home_province"] == province_code]
    if pilot:
        district = district_index(store, pilots=intake.pilot_codes, pilot_only=True).find(pilot)
        rows = [r for r in rows if r["pilot_district_code"] == district.code]
    if status:
        if status not in STATUSES:
            raise InputError(f"--status {status!r}: use active or withdrawn")
        rows = [r for r in rows if r["status"] == status]
    return rows


PLACEMENT_HISTORY_KEYS = ("changed_at", "stage", "old_code", "new_code", "reason")


def show_trainee(store: Store, intake: Intake, trainee_id: str) -> dict[str, Any]:
    """One trainee of the intake: details and placement, ``status_history``,
    ``placement_history``."""
    trainee_id = require_trainee(store.read, intake.name, trainee_id).trainee_id
    trainee = load_trainees(store, intake.name, trainee_id)[0]
    trainee["status_history"] = status_history(store, intake.name, trainee_id)
    trainee["placement_history"] = [
        {k: change[k] for k in PLACEMENT_HISTORY_KEYS}
        for change in load_placement_changes(store, intake.name, trainee_id)
    ]
    return trainee


@dataclass(frozen=True)
class Withdrawal:
    trainee_id: str  # as stored
    freed: list[str]  # the stages whose place was freed


def withdraw_trainee(
    store: Store, intake: Intake, trainee_id: str, on: dt.date, reason: str
) -> Withdrawal:
    """Withdraw an active trainee of the intake on ``on``, a day of the intake (from its start
    Monday to the Sunday after its last Friday), for a non-blank ``reason``."""
    reason = canonical(reason)
    if not reason:
        raise InputError("--reason is empty: say why (it is kept in the status history)")
    first, last = intake.start, intake.last_day_running
    if not first <= on <= last:
        raise InputError(
            f"--on {on} is outside intake {intake.name}, which runs from "
            f"{first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}"
        )
    stored = require_trainee(store.read, intake.name, trainee_id).trainee_id
    return Withdrawal(stored, cohort.withdraw(store, intake.name, stored, on, reason))


def import_targets(
    store: Store, intake: Intake, path: Path, *, dry_run: bool = False
) -> ImportCounts:
    """Add new target districts of the intake and update changed capacities from a file, all
    or nothing."""
    sheet = read_table(path, required=TARGET_REQUIRED, optional=TARGET_OPTIONAL)
    rows = parse_targets(sheet, district_index(store))
    return cohort.import_targets(store, intake.name, rows, dry_run=dry_run)


def list_targets(store: Store, intake: Intake) -> list[dict[str, Any]]:
    """The intake's target districts with capacity, places used (``placed``) and ``free``."""
    rows = load_target_fill(store, intake.name)
    for r in rows:
        r["free"] = r["capacity"] - r["placed"]
    return rows
