"""Keys a user types on the command line, looked up by their beginning (shell completion)."""

from __future__ import annotations

from castctl.db.store import Store


def trainee_ids(db: Store, intake: str, prefix: str, *, limit: int) -> list[str]:
    """Up to ``limit`` trainee ids of ``intake`` that start with ``prefix``, in order.

    Compared in Python, not with LIKE: ``_`` and ``%`` in an id are literal, and both backends
    then agree on case (exact) whatever their collation."""
    rows = db.read(
        "SELECT trainee_id FROM trainee WHERE intake = :intake ORDER BY trainee_id",
        {"intake": intake},
    )
    found = [str(r[0]) for r in rows if str(r[0]).startswith(prefix)]
    return found[:limit]
