"""Cohort use cases: import, list, show and withdraw trainees; import and list target
districts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from castctl.app.working import Working, quietly
from castctl.core.records import ImportCounts
from castctl.core.reference import find_department
from castctl.db import cohort
from castctl.db.cohort import load_placement_changes, load_target_fill
from castctl.db.districts import district_index, province_index
from castctl.db.store import Store
from castctl.db.trainees import load_trainees, require_trainee, status_history
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
    store: Store, path: Path, *, dry_run: bool = False, working: Working = quietly
) -> ImportCounts:
    """Add new trainees and update changed ones from a CSV/XLSX file, all or nothing."""
    sheet = read_table(path, required=TRAINEE_REQUIRED, optional=TRAINEE_OPTIONAL)
    with working(f"checking and importing {len(sheet):,} trainees…", size=len(sheet)):
        rows = parse_trainees(sheet, district_index(store), province_index(store))
        return cohort.import_trainees(store, rows, dry_run=dry_run)


def list_trainees(
    store: Store,
    *,
    department: str | None = None,
    province: str | None = None,
    pilot: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The trainees with their placement, filtered by department (code or Thai name), home
    province and pilot district (code or name), and status."""
    rows = load_trainees(store)
    if department:
        code = find_department(department).code
        rows = [r for r in rows if r["department"] == code]
    if province:
        province_code = province_index(store).find(province).code
        rows = [r for r in rows if r["home_province"] == province_code]
    if pilot:
        district = district_index(store, pilot_only=True).find(pilot).code
        rows = [r for r in rows if r["pilot_district_code"] == district]
    if status:
        if status not in STATUSES:
            raise InputError(f"--status {status!r}: use active or withdrawn")
        rows = [r for r in rows if r["status"] == status]
    return rows


PLACEMENT_HISTORY_KEYS = ("changed_at", "stage", "old_code", "new_code", "reason")


def show_trainee(store: Store, trainee_id: str) -> dict[str, Any]:
    """One trainee: details and placement, ``status_history``, ``placement_history``."""
    require_trainee(store.read, trainee_id)
    trainee = load_trainees(store, trainee_id)[0]
    trainee["status_history"] = status_history(store, trainee_id)
    trainee["placement_history"] = [
        {k: change[k] for k in PLACEMENT_HISTORY_KEYS}
        for change in load_placement_changes(store, trainee_id)
    ]
    return trainee


def withdraw_trainee(store: Store, trainee_id: str, on: dt.date, reason: str) -> list[str]:
    """Withdraw an active trainee on ``on``; returns the stages whose place was freed."""
    return cohort.withdraw(store, trainee_id, on, reason)


def import_targets(store: Store, path: Path, *, dry_run: bool = False) -> ImportCounts:
    """Add new target districts and update changed capacities from a file, all or nothing."""
    sheet = read_table(path, required=TARGET_REQUIRED, optional=TARGET_OPTIONAL)
    rows = parse_targets(sheet, district_index(store))
    return cohort.import_targets(store, rows, dry_run=dry_run)


def list_targets(store: Store) -> list[dict[str, Any]]:
    """The target districts with capacity, places used (``placed``) and ``free``."""
    rows = load_target_fill(store)
    for r in rows:
        r["free"] = r["capacity"] - r["placed"]
    return rows
