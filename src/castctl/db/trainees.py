"""The stored trainees of one intake: the cohort with placements, one trainee's status, its
history. A trainee is (intake, trainee_id): the same id in two intakes is two enrolments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from castctl.db.store import Store
from castctl.errors import NotFoundError

Query = Callable[..., list[tuple[Any, ...]]]

TRAINEE_SQL = """
SELECT t.trainee_id, t.full_name, t.department, t.home_province, p.name_en, p.name_th, t.email,
       t.pilot_preferences, t.target_preferences, t.status, a.pilot_district_code,
       a.target_district_code
FROM trainee t
JOIN province p ON p.code = t.home_province
LEFT JOIN assignment a ON a.intake = t.intake AND a.trainee_id = t.trainee_id
WHERE t.intake = :intake
"""
TRAINEE_KEYS = (
    "trainee_id", "full_name", "department", "home_province", "province_en", "province_th",
    "email", "pilot_preferences", "target_preferences", "status", "pilot_district_code",
    "target_district_code",
)  # fmt: skip


def load_trainees(store: Store, intake: str, trainee_id: str | None = None) -> list[dict[str, Any]]:
    """Every trainee of ``intake`` (or just ``trainee_id``) with home province names and
    placement; the preferences as lists of codes; sorted by id in Python (never by a database
    collation)."""
    params: dict[str, Any] = {"intake": intake}
    where = ""
    if trainee_id:
        where, params["t"] = " AND t.trainee_id = :t", trainee_id
    rows = [
        dict(zip(TRAINEE_KEYS, r, strict=True)) for r in store.read(TRAINEE_SQL + where, params)
    ]
    for r in rows:
        r["pilot_preferences"] = [c for c in (r["pilot_preferences"] or "").split(";") if c]
        r["target_preferences"] = [c for c in (r["target_preferences"] or "").split(";") if c]
    rows.sort(key=lambda r: r["trainee_id"])
    return rows


def require_trainee(query: Query, intake: str, trainee_id: str, *, active: bool = False) -> str:
    """The trainee's status in ``intake``; a ``NotFoundError`` when the intake has no such
    trainee (or, with ``active``, no such active trainee)."""
    row = query(
        "SELECT status FROM trainee WHERE intake = :intake AND trainee_id = :t",
        {"intake": intake, "t": trainee_id},
    )
    if not row or (active and row[0][0] != "active"):
        raise NotFoundError(
            f"no {'active ' if active else ''}trainee with id {trainee_id!r} in intake {intake}"
        )
    return str(row[0][0])


def status_history(store: Store, intake: str, trainee_id: str) -> list[dict[str, Any]]:
    """The trainee's status changes, oldest first."""
    return [
        dict(zip(("status", "effective_on", "reason", "changed_at", "os_user"), r, strict=True))
        for r in store.read(
            "SELECT status, effective_on, reason, changed_at, os_user FROM trainee_status_change "
            "WHERE intake = :intake AND trainee_id = :t ORDER BY id",
            {"intake": intake, "t": trainee_id},
        )
    ]
