"""Domain records: what a file row or a command means, before and after storage.

io/ parses files into these, db/ stores them, app/ passes them between the two. Plain frozen
dataclasses (named tuples where a file makes hundreds of thousands): no database, no file
format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class TraineeRow:
    trainee_id: str
    full_name: str
    department: str
    home_province: str
    email: str | None
    pilot_preferences: str  # ";"-joined codes
    target_preferences: str

    def values(self) -> dict[str, str | None]:
        return {
            "trainee_id": self.trainee_id,
            "full_name": self.full_name,
            "department": self.department,
            "home_province": self.home_province,
            "email": self.email,
            "pilot_preferences": self.pilot_preferences,
            "target_preferences": self.target_preferences,
        }


class ReportRow(NamedTuple):
    """One weekly report as a file row or ``reports add`` gives it (a named tuple: a file of
    220,000 reports makes one each, three times faster than a frozen dataclass)."""

    trainee_id: str
    week: int
    submitted_on: dt.date
    mechanisms: str = ""  # ";"-joined codes, vocabulary order
    networks: str = ""
    sdgs: str = ""  # ";"-joined numbers, ascending
    note: str = ""

    def key(self) -> tuple[str, int]:
        return (self.trainee_id, self.week)

    def stored(self) -> tuple[str, str, str, str, str]:
        """The values as the report table holds them (to tell "unchanged" from "updated")."""
        return (
            self.submitted_on.isoformat(),
            self.mechanisms,
            self.networks,
            self.sdgs,
            self.note,
        )

    def values(self) -> dict[str, Any]:
        return {
            "trainee_id": self.trainee_id,
            "week": self.week,
            "submitted_on": self.submitted_on.isoformat(),
            "mechanisms": self.mechanisms,
            "networks": self.networks,
            "sdgs": self.sdgs,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ImportCounts:
    added: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
