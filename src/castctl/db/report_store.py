"""Weekly reports in the database (plain, portable SQL).

Writes go through ``Store.transaction`` (one transaction, SQLite's write lock taken at BEGIN),
in bulk (``Tx.insert_rows`` for new reports, ``executemany`` for changed ones); the file is
compared against what is stored with dictionary lookups, so 220,000 rows import in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from castctl.core.progress import COVERAGE_WORDS, coverage_words
from castctl.core.records import ImportCounts, ReportRow
from castctl.db.store import Store, Tx, now_text

Query = Callable[..., list[tuple[Any, ...]]]


def trainee_statuses(store: Store, intake: str) -> dict[str, str]:
    """trainee_id -> status, for every trainee of ``intake`` (a dictionary lookup per report
    row, not a query)."""
    rows = store.read(
        "SELECT trainee_id, status FROM trainee WHERE intake = :intake", {"intake": intake}
    )
    return {tid: status for tid, status in rows}


def _stored(query: Query, intake: str, weeks: set[int]) -> dict[tuple[str, int], tuple[str, ...]]:
    """The intake's stored reports of ``weeks`` (through the ``(intake, week)`` index)."""
    if not weeks:
        return {}
    marks = ", ".join(f":w{i}" for i in range(len(weeks)))
    params: dict[str, Any] = {f"w{i}": w for i, w in enumerate(sorted(weeks))}
    params["intake"] = intake
    rows = query(
        "SELECT trainee_id, week, submitted_on, mechanisms, networks, sdgs, note FROM report "
        f"WHERE intake = :intake AND week IN ({marks})",
        params,
    )
    return {
        (tid, int(week)): (str(on), mech or "", nets or "", goals or "", note or "")
        for tid, week, on, mech, nets, goals, note in rows
    }


def _diff(
    stored: dict[tuple[str, int], tuple[str, ...]], rows: Sequence[ReportRow]
) -> tuple[list[ReportRow], list[dict[str, Any]], int]:
    """New rows (kept as they are: a dict per row of a 460,000-row file would cost 150 MB),
    changed rows as UPDATE parameters, and how many are unchanged."""
    added: list[ReportRow] = []
    updated: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        old = stored.get(row.key())
        if old is None:
            added.append(row)
        elif old != row.stored():
            updated.append(row.values())
        else:
            unchanged += 1
    return added, updated, unchanged


REPORT_COLUMNS = ("trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note")
UPDATE_SQL = (
    "UPDATE report SET submitted_on = :submitted_on, mechanisms = :mechanisms, "
    "networks = :networks, sdgs = :sdgs, note = :note, updated_at = :now, "
    "coverage_0 = :coverage_0, coverage_1 = :coverage_1, coverage_2 = :coverage_2 "
    "WHERE intake = :intake AND trainee_id = :trainee_id AND week = :week"
)


def _write(tx: Tx, intake: str, added: list[ReportRow], updated: list[dict[str, Any]]) -> None:
    now = now_text()
    days: dict[dt.date, str] = {}  # a file has a few hundred distinct dates

    def day(on: dt.date) -> str:
        text = days.get(on)
        if text is None:
            text = days[on] = on.isoformat()
        return text

    tx.insert_rows(
        "report",
        (*REPORT_COLUMNS, *COVERAGE_WORDS),
        (
            (tid, week, day(on), mech, nets, goals, note, *coverage_words(mech, nets, goals))
            for tid, week, on, mech, nets, goals, note in added
        ),
        constants={"intake": intake, "updated_at": now},
    )
    for row in updated:
        row["now"] = now
        row["intake"] = intake
        words = coverage_words(row["mechanisms"], row["networks"], row["sdgs"])
        row.update(zip(COVERAGE_WORDS, words, strict=True))
    tx.executemany(UPDATE_SQL, updated)


def save_reports(
    store: Store, intake: str, rows: Sequence[ReportRow], *, dry_run: bool
) -> ImportCounts:
    """Add new reports to ``intake`` and replace changed ones in one transaction (``dry_run``:
    only count).

    The comparison with what is stored happens inside the write transaction, so a concurrent
    writer cannot slip in between the check and the write.
    """
    if dry_run:
        added, updated, same = _diff_by_week(store.read, intake, rows)
        return ImportCounts(len(added), len(updated), same)
    with store.transaction() as tx:
        added, updated, same = _diff_by_week(tx.query, intake, rows)
        _write(tx, intake, added, updated)
    return ImportCounts(len(added), len(updated), same)


def _diff_by_week(
    query: Query, intake: str, rows: Sequence[ReportRow]
) -> tuple[list[ReportRow], list[dict[str, Any]], int]:
    """``_diff`` a week at a time: only one week of stored reports is in memory at once (a
    re-import of 460,000 rows would otherwise hold them all beside the file's)."""
    by_week: dict[int, list[ReportRow]] = {}
    for row in rows:
        by_week.setdefault(row.week, []).append(row)
    added: list[ReportRow] = []
    updated: list[dict[str, Any]] = []
    same = 0
    for week in sorted(by_week):
        new, changed, unchanged = _diff(_stored(query, intake, {week}), by_week.pop(week))
        added += new
        updated += changed
        same += unchanged
    return added, updated, same


LISTED = (*REPORT_COLUMNS, "status", "pilot_district_code")


def list_reports(
    store: Store, intake: str, *, trainee_id: str | None = None, week: int | None = None
) -> list[dict[str, Any]]:
    """Stored reports of ``intake`` (all, or one trainee's and/or one week's) with the trainee's
    status and pilot district, as they are stored (``;``-joined lists), by trainee and week."""
    where = ["r.intake = :intake"]
    params: dict[str, Any] = {"intake": intake}
    if trainee_id:
        where.append("r.trainee_id = :trainee_id")
        params["trainee_id"] = trainee_id
    if week is not None:
        where.append("r.week = :week")
        params["week"] = week
    sql = (
        "SELECT r.trainee_id, r.week, r.submitted_on, r.mechanisms, r.networks, r.sdgs, r.note, "
        "t.status, a.pilot_district_code FROM report r "
        "JOIN trainee t ON t.intake = r.intake AND t.trainee_id = r.trainee_id "
        "LEFT JOIN assignment a ON a.intake = r.intake AND a.trainee_id = r.trainee_id "
        "WHERE " + " AND ".join(where)
    )
    rows = [dict(zip(LISTED, raw, strict=True)) for raw in store.read(sql, params)]
    for row in rows:
        row["week"] = int(row["week"])
        row["submitted_on"] = str(row["submitted_on"])
    rows.sort(key=lambda r: (r["trainee_id"], r["week"]))
    return rows
