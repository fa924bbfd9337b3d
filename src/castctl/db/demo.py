"""What the demo cohort needs from storage beyond the ordinary imports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from castctl.core.progress import COVERAGE_WORDS, coverage_words
from castctl.db.store import Store, now_text

REPORT_COLUMNS = (
    "trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note", "updated_at",
)  # fmt: skip


def count_other_trainees(store: Store, intake: str, prefix: str) -> int:
    """How many trainees of ``intake`` have an id that does not start with ``prefix``."""
    # Not LIKE: SQLite's ignores case, PostgreSQL's does not; substr is exact on both.
    return int(
        store.read(
            "SELECT COUNT(*) FROM trainee "
            "WHERE intake = :intake AND substr(trainee_id, 1, :n) <> :p",
            {"intake": intake, "n": len(prefix), "p": prefix},
        )[0][0]
    )


def add_missing_reports(store: Store, intake: str, reports: Sequence[dict[str, Any]]) -> int:
    """Store the reports of ``intake`` whose trainee and week have none yet; returns how many
    were added."""
    now = now_text()
    params = {"intake": intake}
    count = "SELECT COUNT(*) FROM report WHERE intake = :intake"
    with store.transaction() as tx:
        had = int(tx.query(count, params)[0][0])
        tx.insert_rows(
            "report",
            ("intake", *REPORT_COLUMNS, *COVERAGE_WORDS),
            [
                [
                    intake,
                    *(r[c] for c in REPORT_COLUMNS[:-1]),
                    now,
                    *coverage_words(r["mechanisms"], r["networks"], r["sdgs"]),
                ]
                for r in reports
            ],
            skip_conflicts_on=("intake", "trainee_id", "week"),
        )
        return int(tx.query(count, params)[0][0]) - had
