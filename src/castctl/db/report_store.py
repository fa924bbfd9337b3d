"""Weekly reports and the summary's sent-log in the database (plain, portable SQL).

Writes go through ``Database.transaction`` (one transaction, SQLite's write lock taken at
BEGIN), in bulk with ``executemany``; the file is compared against what is stored with
dictionary lookups, so 220,000 rows import in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from castctl.core.records import ImportCounts, ReportRow
from castctl.db.engine import Database, Tx, now_text

Query = Callable[..., list[tuple[Any, ...]]]


def trainee_statuses(db: Database) -> dict[str, str]:
    """trainee_id -> status, for every trainee (a set lookup per report row, not a query)."""
    return {tid: status for tid, status in db.read("SELECT trainee_id, status FROM trainee")}


def _stored(query: Query, weeks: set[int]) -> dict[tuple[str, int], tuple[str, ...]]:
    if not weeks:
        return {}
    marks = ", ".join(f":w{i}" for i in range(len(weeks)))
    params = {f"w{i}": w for i, w in enumerate(sorted(weeks))}
    rows = query(
        "SELECT trainee_id, week, submitted_on, mechanisms, networks, sdgs, note FROM report "
        f"WHERE week IN ({marks})",
        params,
    )
    return {
        (tid, int(week)): (str(on), mech or "", nets or "", goals or "", note or "")
        for tid, week, on, mech, nets, goals, note in rows
    }


def _diff(
    stored: dict[tuple[str, int], tuple[str, ...]], rows: Sequence[ReportRow]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    added: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        old = stored.get(row.key())
        if old is None:
            added.append(row.values())
        elif old != row.stored():
            updated.append(row.values())
        else:
            unchanged += 1
    return added, updated, unchanged


INSERT_SQL = (
    "INSERT INTO report (trainee_id, week, submitted_on, mechanisms, networks, sdgs, note, "
    "updated_at) VALUES (:trainee_id, :week, :submitted_on, :mechanisms, :networks, :sdgs, "
    ":note, :now)"
)
UPDATE_SQL = (
    "UPDATE report SET submitted_on = :submitted_on, mechanisms = :mechanisms, "
    "networks = :networks, sdgs = :sdgs, note = :note, updated_at = :now "
    "WHERE trainee_id = :trainee_id AND week = :week"
)


def _write(tx: Tx, added: list[dict[str, Any]], updated: list[dict[str, Any]]) -> None:
    now = now_text()
    for row in added:
        row["now"] = now
    for row in updated:
        row["now"] = now
    tx.executemany(INSERT_SQL, added)
    tx.executemany(UPDATE_SQL, updated)


def save_reports(db: Database, rows: Sequence[ReportRow], *, dry_run: bool) -> ImportCounts:
    """Add new reports and replace changed ones in one transaction (``dry_run``: only count).

    The comparison with what is stored happens inside the write transaction, so a concurrent
    writer cannot slip in between the check and the write.
    """
    weeks = {r.week for r in rows}
    if dry_run:
        added, updated, same = _diff(_stored(db.read, weeks), rows)
        return ImportCounts(len(added), len(updated), same)
    with db.transaction() as tx:
        added, updated, same = _diff(_stored(tx.query, weeks), rows)
        _write(tx, added, updated)
    return ImportCounts(len(added), len(updated), same)


def trainee_status(db: Database, trainee_id: str) -> str | None:
    rows = db.read("SELECT status FROM trainee WHERE trainee_id = :t", {"t": trainee_id})
    return str(rows[0][0]) if rows else None


# ---- summary weekly --once ----------------------------------------------------------------


def delivered(db: Database, week: int, fmt: str) -> set[str]:
    """Destinations that already have this week's summary in this format."""
    rows = db.read(
        "SELECT destination FROM sent_log WHERE week = :week AND format = :fmt",
        {"week": week, "fmt": fmt},
    )
    return {str(r[0]) for r in rows}


def record_delivery(db: Database, week: int, fmt: str, destinations: Sequence[str]) -> None:
    """Log delivered destinations; one already there (a concurrent run) is left as it is."""
    if not destinations:
        return
    now = now_text()
    with db.transaction() as tx:
        have = {
            str(r[0])
            for r in tx.query(
                "SELECT destination FROM sent_log WHERE week = :week AND format = :fmt",
                {"week": week, "fmt": fmt},
            )
        }
        tx.executemany(
            "INSERT INTO sent_log (week, format, destination, sent_at) "
            "VALUES (:week, :fmt, :dest, :now)",
            [
                {"week": week, "fmt": fmt, "dest": d, "now": now}
                for d in dict.fromkeys(destinations)
                if d not in have
            ],
        )
