"""The log of ``summary weekly --once``: which (week, format, destination) got its digest."""

from __future__ import annotations

from collections.abc import Sequence

from castctl.db.store import Store, now_text

DELIVERED_SQL = "SELECT destination FROM sent_log WHERE week = :week AND format = :fmt"


def delivered(store: Store, week: int, fmt: str) -> set[str]:
    """Destinations that already have this week's summary in this format."""
    return {str(r[0]) for r in store.read(DELIVERED_SQL, {"week": week, "fmt": fmt})}


def record_delivery(store: Store, week: int, fmt: str, destinations: Sequence[str]) -> None:
    """Log delivered destinations; one already there (a concurrent run) is left as it is."""
    if not destinations:
        return
    now = now_text()
    with store.transaction() as tx:
        tx.insert_rows(
            "sent_log",
            ("week", "format", "destination", "sent_at"),
            [(week, fmt, d, now) for d in dict.fromkeys(destinations)],
            skip_conflicts_on=("week", "format", "destination"),
        )
