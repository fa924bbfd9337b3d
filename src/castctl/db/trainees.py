"""The stored trainees of one intake: the cohort with placements, one trainee's status, its
history. A trainee is (intake, trainee_id): the same id in two intakes is two enrolments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from castctl.core.text import KnownIds, id_text, lost_zeros_message
from castctl.db.store import Store
from castctl.errors import InputError, NotFoundError

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


def trainee_ids(query: Query, intake: str) -> list[str]:
    """Every stored trainee id of ``intake``."""
    return [
        str(r[0])
        for r in query("SELECT trainee_id FROM trainee WHERE intake = :intake", {"intake": intake})
    ]


class TraineeRef(NamedTuple):
    """A stored trainee: its id as stored and its status."""

    trainee_id: str
    status: str


def find_trainee(query: Query, intake: str, typed: str) -> TraineeRef | None:
    """The trainee of ``intake`` that the id ``typed`` names, or None: ``t001``, ``Ｔ００１`` and
    ``T001`` with a zero-width space or surrounding spaces name the stored ``T001``
    (``core.text.KnownIds``, as the import files do). A digits-only id that is a stored id
    without its leading zeros (``42`` for ``00042``) is an ``InputError`` that says so."""
    sql = "SELECT trainee_id, status FROM trainee WHERE intake = :intake AND trainee_id = :t"
    row = query(sql, {"intake": intake, "t": typed})
    if not row:  # the exact spelling is the common case: one indexed lookup
        known = KnownIds(trainee_ids(query, intake))
        stored = known.get(typed)
        if stored is None:
            if (padded := known.lost_zeros(typed)) is not None:
                raise InputError(lost_zeros_message(id_text(typed), padded))
            return None
        row = query(sql, {"intake": intake, "t": stored})
    return TraineeRef(str(row[0][0]), str(row[0][1]))


def require_trainee(query: Query, intake: str, typed: str, *, active: bool = False) -> TraineeRef:
    """The trainee of ``intake`` that ``typed`` names (``find_trainee``: any case, width or
    invisible-character variant of its id); a ``NotFoundError`` when the intake has no such
    trainee (or, with ``active``, no such active trainee). Every command that takes a trainee
    id resolves it here."""
    found = find_trainee(query, intake, typed)
    if found is None or (active and found.status != "active"):
        shown = found.trainee_id if found is not None else id_text(typed)
        raise NotFoundError(
            f"no {'active ' if active else ''}trainee with id {shown!r} in intake {intake}"
        )
    return found


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
