"""The log of ``summary weekly --once``: which (intake, week, format, destination) got its
digest. The same destination and week in two intakes are two deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from castctl.db.store import Store, now_text

DELIVERED_SQL = (
    "SELECT destination FROM sent_log WHERE intake = :intake AND week = :week AND format = :fmt"
)


def delivered(store: Store, intake: str, week: int, fmt: str) -> set[str]:
    """Destinations that already have this intake's summary of this week in this format."""
    params = {"intake": intake, "week": week, "fmt": fmt}
    return {str(r[0]) for r in store.read(DELIVERED_SQL, params)}


def record_delivery(
    store: Store, intake: str, week: int, fmt: str, destinations: Sequence[str]
) -> None:
    """Log delivered destinations; one already there (a concurrent run) is left as it is."""
    if not destinations:
        return
    now = now_text()
    with store.transaction() as tx:
        tx.insert_rows(
            "sent_log",
            ("intake", "week", "format", "destination", "sent_at"),
            [(intake, week, fmt, d, now) for d in dict.fromkeys(destinations)],
            skip_conflicts_on=("intake", "week", "format", "destination"),
        )
