"""The cohort of one intake in the database: trainees, target districts, placements and their
history. Every function takes the intake's name and touches only that intake's rows.

Plain SQL through ``Store.transaction`` / ``Store.read`` (portable SQL, ``:name``
parameters), so imports and ``assign`` never import SQLAlchemy on SQLite and run in one
transaction each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any

from castctl.core.plan import Plan, TraineeInfo, TraineePlacement
from castctl.core.records import ImportCounts, TraineeRow
from castctl.core.solver import Place, records
from castctl.db.store import Store, Tx, now_text, os_user
from castctl.db.trainees import Query, require_trainee
from castctl.errors import InputError

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


def _existing_trainees(query: Query, intake: str) -> dict[str, tuple[Any, ...]]:
    cols = ", ".join(TRAINEE_FIELDS)
    return {
        r[0]: tuple(r[1:])
        for r in query(
            f"SELECT trainee_id, {cols} FROM trainee WHERE intake = :intake", {"intake": intake}
        )
    }


def import_trainees(
    store: Store, intake: str, rows: Sequence[TraineeRow], *, dry_run: bool
) -> ImportCounts:
    """Add new trainees to ``intake``, update changed ones, in one transaction; the same file
    twice is a no-op. Trainees of other intakes are neither read nor touched."""
    if dry_run:
        added, updated, same = _diff_trainees(_existing_trainees(store.read, intake), rows)
        return ImportCounts(len(added), len(updated), same)
    now, user = now_text(), os_user()
    with store.transaction() as tx:
        added, updated, same = _diff_trainees(_existing_trainees(tx.query, intake), rows)
        tx.insert_rows(
            "trainee",
            ("intake", "trainee_id", "full_name", "department", "home_province", "email",
             "pilot_preferences", "target_preferences", "status", "created_at", "updated_at"),
            [[intake, r["trainee_id"], *(r[f] for f in TRAINEE_FIELDS), "active", now, now]
             for r in added],
        )  # fmt: skip
        tx.insert_rows(
            "trainee_status_change",
            ("intake", "trainee_id", "status", "effective_on", "reason", "changed_at",
             "os_user"),
            [[intake, r["trainee_id"], "active", now[:10], "imported", now, user]
             for r in added],
        )  # fmt: skip
        tx.executemany(
            "UPDATE trainee SET full_name = :full_name, department = :department, "
            "home_province = :home_province, email = :email, "
            "pilot_preferences = :pilot_preferences, target_preferences = :target_preferences, "
            "updated_at = :now WHERE intake = :intake AND trainee_id = :trainee_id",
            [{**r, "now": now, "intake": intake} for r in updated],
        )
    return ImportCounts(len(added), len(updated), same)


def import_targets(
    store: Store, intake: str, rows: Sequence[tuple[str, int]], *, dry_run: bool
) -> ImportCounts:
    """Add new target districts of ``intake`` and update changed capacities."""

    def diff(query: Query) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        existing: dict[str, int] = dict(
            query(
                "SELECT district_code, capacity FROM target_district WHERE intake = :intake",
                {"intake": intake},
            )
        )
        added = [{"code": c, "cap": k} for c, k in rows if c not in existing]
        updated = [
            {"code": c, "cap": k, "intake": intake}
            for c, k in rows
            if c in existing and existing[c] != k
        ]
        return added, updated, len(rows) - len(added) - len(updated)

    if dry_run:
        added, updated, same = diff(store.read)
        return ImportCounts(len(added), len(updated), same)
    with store.transaction() as tx:
        added, updated, same = diff(tx.query)
        tx.insert_rows(
            "target_district",
            ("intake", "district_code", "capacity"),
            [[intake, r["code"], r["cap"]] for r in added],
        )
        tx.executemany(
            "UPDATE target_district SET capacity = :cap "
            "WHERE intake = :intake AND district_code = :code",
            updated,
        )
    return ImportCounts(len(added), len(updated), same)


def record_changes(
    tx: Tx,
    intake: str,
    changes: Iterable[tuple[str, str, str | None, str | None]],
    reason: str,
    *,
    now: str | None = None,
) -> None:
    """History rows: a change from nothing is a "first placement", any other gets ``reason``."""
    same = {"intake": intake, "changed_at": now or now_text(), "os_user": os_user()}
    # A run of changes of one stage, all from nothing or all not, shares its stage and reason
    # (and the old code, None, when from nothing): given once, each row carries only the rest.
    for (stage, first), run in groupby(changes, key=_stage_and_first):
        if first:
            tx.insert_rows(
                "assignment_change",
                ("trainee_id", "new_code"),
                ((tid, new) for tid, _, _, new in run),
                constants={**same, "stage": stage, "old_code": None, "reason": "first placement"},
            )
        else:
            tx.insert_rows(
                "assignment_change",
                ("trainee_id", "old_code", "new_code"),
                ((tid, old, new) for tid, _, old, new in run),
                constants={**same, "stage": stage, "reason": reason},
            )


def _stage_and_first(change: tuple[str, str, str | None, str | None]) -> tuple[str, bool]:
    return change[1], change[2] is None


def withdraw(store: Store, intake: str, trainee_id: str, on: dt.date, reason: str) -> list[str]:
    """Mark a trainee of ``intake`` withdrawn, free their places; returns the stages freed.
    ``trainee_id`` is the stored id (``db.trainees.require_trainee`` resolves a typed one)."""
    freed: list[str] = []
    with store.transaction() as tx:
        if require_trainee(tx.query, intake, trainee_id).status == "withdrawn":
            raise InputError(f"trainee {trainee_id} is already withdrawn")
        now = now_text()
        tx.execute(
            "UPDATE trainee SET status = 'withdrawn', updated_at = :now "
            "WHERE intake = :intake AND trainee_id = :t",
            {"now": now, "t": trainee_id, "intake": intake},
        )
        tx.execute(
            "INSERT INTO trainee_status_change (intake, trainee_id, status, effective_on, "
            "reason, changed_at, os_user) "
            "VALUES (:intake, :t, 'withdrawn', :on, :reason, :now, :user)",
            {
                "intake": intake,
                "t": trainee_id,
                "on": on.isoformat(),
                "reason": reason,
                "now": now,
                "user": os_user(),
            },
        )
        placed = tx.query(
            "SELECT pilot_district_code, target_district_code FROM assignment "
            "WHERE intake = :intake AND trainee_id = :t",
            {"intake": intake, "t": trainee_id},
        )
        if placed:
            pilot, target = placed[0]
            changes = [
                (trainee_id, stage, code, None)
                for stage, code in (("pilot", pilot), ("target", target))
                if code is not None
            ]
            freed = [c[1] for c in changes]
            record_changes(tx, intake, changes, "freed by withdrawal")
            tx.execute(
                "DELETE FROM assignment WHERE intake = :intake AND trainee_id = :t",
                {"intake": intake, "t": trainee_id},
            )
    return freed


# ---- assign -----------------------------------------------------------------------------


@dataclass
class AssignInput:
    trainees: list[TraineeInfo]
    mentor_capacities: dict[str, int | None]  # pilot district -> explicit capacity or None
    target_places: list[Place]
    current: dict[str, TraineePlacement]
    district_province: dict[str, str]
    province_region: dict[str, str]
    pilot_places: list[Place] = field(default_factory=list)  # set by the caller: see places()

    def place(self, code: str, capacity: int) -> Place:
        province = self.district_province[code]
        return Place(code, province, self.province_region[province], capacity)

    def with_pilot_capacities(self, capacity: Callable[[int | None, int], int]) -> AssignInput:
        """Fill ``pilot_places``: ``capacity(explicit, active trainees)`` per mentor (the
        intake's rule, ceil(active / P) unless set), sorted by code."""
        active = len(self.trainees)
        self.pilot_places = [
            self.place(code, capacity(explicit, active))
            for code, explicit in sorted(self.mentor_capacities.items())
        ]
        return self


def _prefs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    codes = tuple(text.split(";"))
    return tuple(c for c in codes if c) if "" in codes else codes


def load_assign_input(query: Query, intake: str) -> AssignInput:
    """Everything ``assign`` needs for ``intake``, sorted in Python (never by a database
    collation). The pilot places' capacities depend on the intake's P: the caller fills them
    with :meth:`AssignInput.with_pilot_capacities`."""
    params = {"intake": intake}
    province_region: dict[str, str] = dict(query("SELECT code, region FROM province"))
    district_province: dict[str, str] = dict(query("SELECT code, province_code FROM district"))
    trainees = records(
        TraineeInfo,
        (
            (tid, dept, prov, province_region[prov], _prefs(pp), _prefs(tp))
            for tid, dept, prov, pp, tp in query(
                "SELECT trainee_id, department, home_province, pilot_preferences, "
                "target_preferences FROM trainee WHERE intake = :intake AND status = 'active'",
                params,
            )
        ),
    )
    trainees.sort(key=attrgetter("trainee_id"))
    mentor_capacities: dict[str, int | None] = {
        code: None if cap is None else int(cap)
        for code, cap in query(
            "SELECT district_code, capacity FROM mentor WHERE intake = :intake", params
        )
    }

    def place(code: str, capacity: int) -> Place:
        province = district_province[code]
        return Place(code, province, province_region[province], capacity)

    target_places = sorted(
        (
            place(code, cap)
            for code, cap in query(
                "SELECT district_code, capacity FROM target_district WHERE intake = :intake",
                params,
            )
        ),
        key=lambda p: p.code,
    )
    active_ids = {t.trainee_id for t in trainees}
    current = {
        tid: TraineePlacement(pilot, target, pc, tc)
        for tid, pilot, target, pc, tc in query(
            "SELECT trainee_id, pilot_district_code, target_district_code, pilot_cost, "
            "target_cost FROM assignment WHERE intake = :intake",
            params,
        )
        if tid in active_ids
    }
    return AssignInput(
        trainees, mentor_capacities, target_places, current, district_province, province_region
    )


def save_plan(
    tx: Tx, intake: str, plan: Plan, before: dict[str, TraineePlacement], reason: str
) -> None:
    """Write changed placements and costs, and every change into the history."""
    now = now_text()
    added: list[tuple[Any, ...]] = []
    moved: list[dict[str, Any]] = []
    for tid, a in plan.assignments.items():
        old = before.get(tid)
        if old is None:
            added.append((tid, a.pilot, a.target, a.pilot_cost, a.target_cost))
        elif old != a:
            moved.append(
                {"tid": tid, "pilot": a.pilot, "target": a.target, "pc": a.pilot_cost,
                 "tc": a.target_cost, "now": now, "intake": intake}
            )  # fmt: skip
    tx.insert_rows(
        "assignment",
        ("trainee_id", "pilot_district_code", "target_district_code", "pilot_cost",
         "target_cost"),
        added,
        constants={"intake": intake, "updated_at": now},
    )  # fmt: skip
    tx.executemany(
        "UPDATE assignment SET pilot_district_code = :pilot, target_district_code = :target, "
        "pilot_cost = :pc, target_cost = :tc, updated_at = :now "
        "WHERE intake = :intake AND trainee_id = :tid",
        moved,
    )
    record_changes(tx, intake, plan.changes, reason, now=now)


def district_names(query: Query) -> dict[str, str]:
    """Thai name of every district, by code."""
    return dict(query("SELECT code, name_th FROM district"))


# ---- what is stored: placements, their history, the target districts' fill ----------------

PLACEMENT_KEYS = (
    "trainee_id", "full_name", "department", "pilot_district_code", "pilot_th",
    "target_district_code", "target_th", "pilot_cost", "target_cost",
)  # fmt: skip


def load_placements(store: Store, intake: str) -> list[dict[str, Any]]:
    """Every active placed trainee's placement in ``intake``, with names, sorted by id."""
    rows = [
        dict(zip(PLACEMENT_KEYS, r, strict=True))
        for r in store.read(
            "SELECT t.trainee_id, t.full_name, t.department, a.pilot_district_code, pd.name_th, "
            "a.target_district_code, td.name_th, a.pilot_cost, a.target_cost "
            "FROM trainee t JOIN assignment a "
            "ON a.intake = t.intake AND a.trainee_id = t.trainee_id "
            "LEFT JOIN district pd ON pd.code = a.pilot_district_code "
            "LEFT JOIN district td ON td.code = a.target_district_code "
            "WHERE t.intake = :intake AND t.status = 'active'",
            {"intake": intake},
        )
    ]
    rows.sort(key=lambda r: r["trainee_id"])
    return rows


CHANGE_KEYS = ("id", "changed_at", "os_user", "trainee_id", "stage", "old_code", "new_code",
               "reason")  # fmt: skip


def load_placement_changes(
    store: Store, intake: str, trainee_id: str | None = None
) -> list[dict[str, Any]]:
    """The placement history of ``intake`` (everyone's, or one trainee's), oldest first."""
    sql = f"SELECT {', '.join(CHANGE_KEYS)} FROM assignment_change WHERE intake = :intake"
    params: dict[str, Any] = {"intake": intake}
    if trainee_id:
        sql += " AND trainee_id = :t"
        params["t"] = trainee_id
    rows = [dict(zip(CHANGE_KEYS, r, strict=True)) for r in store.read(sql, params)]
    rows.sort(key=lambda r: r["id"])
    return rows


def load_target_fill(store: Store, intake: str) -> list[dict[str, Any]]:
    """Every target district of ``intake`` with its capacity and how many of the intake's
    active trainees it holds."""
    rows = [
        dict(zip(("code", "name_th", "name_en", "province_en", "capacity", "placed"), r,
                 strict=True))
        for r in store.read(
            "SELECT t.district_code, d.name_th, d.name_en, p.name_en, t.capacity, "
            "(SELECT COUNT(*) FROM assignment a JOIN trainee tr "
            " ON tr.intake = a.intake AND tr.trainee_id = a.trainee_id "
            " WHERE a.intake = t.intake AND a.target_district_code = t.district_code "
            " AND tr.status = 'active') "
            "FROM target_district t JOIN district d ON d.code = t.district_code "
            "JOIN province p ON p.code = d.province_code WHERE t.intake = :intake",
            {"intake": intake},
        )
    ]  # fmt: skip
    rows.sort(key=lambda r: r["code"])
    return rows
