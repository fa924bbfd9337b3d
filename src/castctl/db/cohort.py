"""The cohort in the database: trainees, target districts, placements and their history.

Plain SQL through ``Database.transaction`` / ``Database.read`` (portable SQL, ``:name``
parameters), so imports and ``assign`` never import SQLAlchemy on SQLite and run in one
transaction each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from castctl.core.plan import Plan, TraineeInfo, TraineePlacement, mentor_capacity
from castctl.core.records import ImportCounts, TraineeRow
from castctl.core.solver import Place
from castctl.db.engine import Database, Tx, now_text, os_user
from castctl.errors import InputError, NotFoundError

Query = Callable[..., list[tuple[Any, ...]]]

TRAINEE_FIELDS = (
    "full_name", "department", "home_province", "email", "pilot_preferences",
    "target_preferences",
)  # fmt: skip


def _diff_trainees(
    existing: dict[str, tuple[Any, ...]], rows: Sequence[TraineeRow]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    added, updated, unchanged = [], [], 0
    for row in rows:
        values = row.values()
        old = existing.get(row.trainee_id)
        if old is None:
            added.append(values)
        elif tuple(old) != tuple(
            values[f] or None if f == "email" else values[f] for f in TRAINEE_FIELDS
        ):
            updated.append(values)
        else:
            unchanged += 1
    return added, updated, unchanged


def _existing_trainees(query: Query) -> dict[str, tuple[Any, ...]]:
    cols = ", ".join(TRAINEE_FIELDS)
    return {r[0]: tuple(r[1:]) for r in query(f"SELECT trainee_id, {cols} FROM trainee")}


def import_trainees(db: Database, rows: Sequence[TraineeRow], *, dry_run: bool) -> ImportCounts:
    """Add new trainees, update changed ones, in one transaction; the same file twice is a no-op."""
    if dry_run:
        added, updated, same = _diff_trainees(_existing_trainees(db.read), rows)
        return ImportCounts(len(added), len(updated), same)
    now, user = now_text(), os_user()
    with db.transaction() as tx:
        added, updated, same = _diff_trainees(_existing_trainees(tx.query), rows)
        tx.executemany(
            "INSERT INTO trainee (trainee_id, full_name, department, home_province, email, "
            "pilot_preferences, target_preferences, status, created_at, updated_at) VALUES "
            "(:trainee_id, :full_name, :department, :home_province, :email, :pilot_preferences, "
            ":target_preferences, 'active', :now, :now)",
            [{**r, "now": now} for r in added],
        )
        tx.executemany(
            "INSERT INTO trainee_status_change (trainee_id, status, effective_on, reason, "
            "changed_at, os_user) VALUES (:trainee_id, 'active', :today, 'imported', :now, :user)",
            [
                {"trainee_id": r["trainee_id"], "today": now[:10], "now": now, "user": user}
                for r in added
            ],
        )
        tx.executemany(
            "UPDATE trainee SET full_name = :full_name, department = :department, "
            "home_province = :home_province, email = :email, "
            "pilot_preferences = :pilot_preferences, target_preferences = :target_preferences, "
            "updated_at = :now WHERE trainee_id = :trainee_id",
            [{**r, "now": now} for r in updated],
        )
    return ImportCounts(len(added), len(updated), same)


def import_targets(db: Database, rows: Sequence[tuple[str, int]], *, dry_run: bool) -> ImportCounts:
    def diff(query: Query) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        existing: dict[str, int] = dict(
            query("SELECT district_code, capacity FROM target_district")
        )
        added = [{"code": c, "cap": k} for c, k in rows if c not in existing]
        updated = [{"code": c, "cap": k} for c, k in rows if c in existing and existing[c] != k]
        return added, updated, len(rows) - len(added) - len(updated)

    if dry_run:
        added, updated, same = diff(db.read)
        return ImportCounts(len(added), len(updated), same)
    with db.transaction() as tx:
        added, updated, same = diff(tx.query)
        tx.executemany(
            "INSERT INTO target_district (district_code, capacity) VALUES (:code, :cap)", added
        )
        tx.executemany(
            "UPDATE target_district SET capacity = :cap WHERE district_code = :code", updated
        )
    return ImportCounts(len(added), len(updated), same)


def record_changes(
    tx: Tx, changes: Iterable[tuple[str, str, str | None, str | None]], reason: str
) -> None:
    """History rows: a change from nothing is a "first placement", any other gets ``reason``."""
    now, user = now_text(), os_user()
    tx.executemany(
        "INSERT INTO assignment_change (changed_at, os_user, trainee_id, stage, old_code, "
        "new_code, reason) VALUES (:now, :user, :tid, :stage, :old, :new, :reason)",
        [
            {"now": now, "user": user, "tid": tid, "stage": stage, "old": old, "new": new,
             "reason": "first placement" if old is None else reason}
            for tid, stage, old, new in changes
        ],
    )  # fmt: skip


def withdraw(db: Database, trainee_id: str, on: dt.date, reason: str) -> list[str]:
    """Mark a trainee withdrawn, free their places; returns the stages freed."""
    freed: list[str] = []
    with db.transaction() as tx:
        row = tx.query("SELECT status FROM trainee WHERE trainee_id = :t", {"t": trainee_id})
        if not row:
            raise NotFoundError(f"no trainee with id {trainee_id!r}")
        if row[0][0] == "withdrawn":
            raise InputError(f"trainee {trainee_id} is already withdrawn")
        now = now_text()
        tx.execute(
            "UPDATE trainee SET status = 'withdrawn', updated_at = :now WHERE trainee_id = :t",
            {"now": now, "t": trainee_id},
        )
        tx.execute(
            "INSERT INTO trainee_status_change (trainee_id, status, effective_on, reason, "
            "changed_at, os_user) VALUES (:t, 'withdrawn', :on, :reason, :now, :user)",
            {
                "t": trainee_id,
                "on": on.isoformat(),
                "reason": reason,
                "now": now,
                "user": os_user(),
            },
        )
        placed = tx.query(
            "SELECT pilot_district_code, target_district_code FROM assignment "
            "WHERE trainee_id = :t",
            {"t": trainee_id},
        )
        if placed:
            pilot, target = placed[0]
            changes = [
                (trainee_id, stage, code, None)
                for stage, code in (("pilot", pilot), ("target", target))
                if code is not None
            ]
            freed = [c[1] for c in changes]
            record_changes(tx, changes, "freed by withdrawal")
            tx.execute("DELETE FROM assignment WHERE trainee_id = :t", {"t": trainee_id})
    return freed


# ---- assign -----------------------------------------------------------------------------


@dataclass
class AssignInput:
    trainees: list[TraineeInfo]
    pilot_places: list[Place]
    target_places: list[Place]
    current: dict[str, TraineePlacement]
    district_province: dict[str, str]
    province_region: dict[str, str]


def _prefs(text: str | None) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split(";") if c)


def load_assign_input(query: Query) -> AssignInput:
    """Everything ``assign`` needs, sorted in Python (never by a database collation)."""
    province_region: dict[str, str] = dict(query("SELECT code, region FROM province"))
    district_province: dict[str, str] = dict(query("SELECT code, province_code FROM district"))
    trainees = sorted(
        (
            TraineeInfo(tid, dept, prov, province_region[prov], _prefs(pp), _prefs(tp))
            for tid, dept, prov, pp, tp in query(
                "SELECT trainee_id, department, home_province, pilot_preferences, "
                "target_preferences FROM trainee WHERE status = 'active'"
            )
        ),
        key=lambda t: t.trainee_id,
    )
    active = len(trainees)

    def place(code: str, capacity: int) -> Place:
        province = district_province[code]
        return Place(code, province, province_region[province], capacity)

    pilot_places = sorted(
        (
            place(code, mentor_capacity(cap, active))
            for code, cap in query("SELECT district_code, capacity FROM mentor")
        ),
        key=lambda p: p.code,
    )
    target_places = sorted(
        (
            place(code, cap)
            for code, cap in query("SELECT district_code, capacity FROM target_district")
        ),
        key=lambda p: p.code,
    )
    active_ids = {t.trainee_id for t in trainees}
    current = {
        tid: TraineePlacement(pilot, target, pc, tc)
        for tid, pilot, target, pc, tc in query(
            "SELECT trainee_id, pilot_district_code, target_district_code, pilot_cost, "
            "target_cost FROM assignment"
        )
        if tid in active_ids
    }
    return AssignInput(
        trainees, pilot_places, target_places, current, district_province, province_region
    )


def save_plan(tx: Tx, plan: Plan, before: dict[str, TraineePlacement], reason: str) -> None:
    """Write changed placements and costs, and every change into the history."""
    now = now_text()
    rows = [
        {"tid": tid, "pilot": a.pilot, "target": a.target, "pc": a.pilot_cost,
         "tc": a.target_cost, "now": now}
        for tid, a in plan.assignments.items()
        if before.get(tid) != a
    ]  # fmt: skip
    new_ids = {r["tid"] for r in rows if r["tid"] not in before}
    tx.executemany(
        "INSERT INTO assignment (trainee_id, pilot_district_code, target_district_code, "
        "pilot_cost, target_cost, updated_at) VALUES (:tid, :pilot, :target, :pc, :tc, :now)",
        [r for r in rows if r["tid"] in new_ids],
    )
    tx.executemany(
        "UPDATE assignment SET pilot_district_code = :pilot, target_district_code = :target, "
        "pilot_cost = :pc, target_cost = :tc, updated_at = :now WHERE trainee_id = :tid",
        [r for r in rows if r["tid"] not in new_ids],
    )
    record_changes(tx, plan.changes, reason)
