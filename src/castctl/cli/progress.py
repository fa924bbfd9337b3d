"""``castctl progress``: reports submitted against expected (stub: filled in by issue 5)."""

from __future__ import annotations


def progress() -> None:
    """Reports submitted against expected, by trainee, district, week or department."""
    raise NotImplementedError
