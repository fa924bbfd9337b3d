"""The intakes as stored: the intake row, its pilot districts (one mentor row each), its
closures, and its calendar (weeks and holidays), written together in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from castctl.core.calendar import Week
from castctl.core.intakes import Closure, Intake, IntakePilot
from castctl.db.store import Store, Tx, now_text

Query = Callable[..., list[tuple[Any, ...]]]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_intakes(query: Query) -> list[Intake]:
    """Every intake with its pilot districts (by code) and closures, ordered by start, name."""
    pilots: dict[str, list[IntakePilot]] = {}
    for intake, code, name, email, capacity in query(
        "SELECT intake, district_code, name, email, capacity FROM mentor"
    ):
        pilots.setdefault(intake, []).append(IntakePilot(code, name, email, capacity))
    closures: dict[str, list[Closure]] = {}
    for intake, day, name in query("SELECT intake, date, name FROM intake_closure"):
        closures.setdefault(intake, []).append(Closure(_date(day), name))
    intakes = [
        Intake(
            name=name,
            title=title or None,
            start=_date(start),
            weeks=int(weeks),
            pilot_weeks=int(pilot_weeks),
            pilot_districts=tuple(sorted(pilots.get(name, []), key=lambda p: p.code)),
            closures=tuple(sorted(closures.get(name, []))),
        )
        for name, title, start, weeks, pilot_weeks in query(
            "SELECT name, title, start, weeks, pilot_weeks FROM intake"
        )
    ]
    intakes.sort(key=lambda i: (i.start, i.name))
    return intakes


def trainee_counts(store: Store) -> dict[str, int]:
    """Trainees (any status) per intake."""
    return {
        name: int(n)
        for name, n in store.read("SELECT intake, COUNT(*) FROM trainee GROUP BY intake")
    }


@dataclass(frozen=True)
class IntakeUse:
    """What an intake already holds that limits how it may change."""

    placements: int
    reports: int
    placed_pilots: frozenset[str]  # pilot districts with active trainees placed there

    @property
    def started(self) -> bool:
        return bool(self.placements or self.reports)


def intake_use(query: Query, name: str) -> IntakeUse:
    params = {"intake": name}
    placements = query(
        "SELECT COUNT(*) FROM assignment WHERE intake = :intake "
        "AND (pilot_district_code IS NOT NULL OR target_district_code IS NOT NULL)",
        params,
    )[0][0]
    reports = query("SELECT COUNT(*) FROM report WHERE intake = :intake", params)[0][0]
    placed = query(
        "SELECT DISTINCT a.pilot_district_code FROM assignment a "
        "JOIN trainee t ON t.intake = a.intake AND t.trainee_id = a.trainee_id "
        "WHERE a.intake = :intake AND t.status = 'active' AND a.pilot_district_code IS NOT NULL",
        params,
    )
    return IntakeUse(int(placements), int(reports), frozenset(r[0] for r in placed))


def save_intake(tx: Tx, intake: Intake, *, previous: Intake | None) -> None:
    """Create ``intake`` or bring the stored one (``previous``) to it, calendar included.

    Mentor settings the file leaves out stay as stored (``mentors set`` may have set them);
    a pilot district no longer listed loses its mentor row (the caller has checked that no
    trainee is placed there). Weeks are rewritten in place when their number is unchanged, so
    the reports that refer to them stay valid; otherwise (only possible before any report) they
    are replaced.
    """
    now = now_text()
    params = {
        "name": intake.name,
        "title": intake.title or "",
        "start": intake.start.isoformat(),
        "weeks": intake.weeks,
        "pilot_weeks": intake.pilot_weeks,
        "now": now,
    }
    if previous is None:
        tx.insert_rows(
            "intake",
            ("name", "title", "start", "weeks", "pilot_weeks", "created_at", "updated_at"),
            [(intake.name, params["title"], params["start"], intake.weeks, intake.pilot_weeks,
              now, now)],
        )  # fmt: skip
    else:
        tx.execute(
            "UPDATE intake SET title = :title, start = :start, weeks = :weeks, "
            "pilot_weeks = :pilot_weeks, updated_at = :now WHERE name = :name",
            params,
        )
    _save_pilots(tx, intake, previous)
    tx.execute("DELETE FROM intake_closure WHERE intake = :name", params)
    tx.insert_rows(
        "intake_closure",
        ("intake", "date", "name"),
        [(intake.name, c.date.isoformat(), c.name) for c in intake.closures],
    )
    same_weeks = (
        previous is not None and previous.weeks == intake.weeks and previous.start == intake.start
    )
    _save_calendar(tx, intake.name, intake.build_weeks(), same_weeks=same_weeks)


def _save_pilots(tx: Tx, intake: Intake, previous: Intake | None) -> None:
    stored = {p.code: p for p in previous.pilot_districts} if previous else {}
    wanted = {p.code for p in intake.pilot_districts}
    for code in sorted(set(stored) - wanted):
        tx.execute(
            "DELETE FROM mentor WHERE intake = :intake AND district_code = :code",
            {"intake": intake.name, "code": code},
        )
    new = [p for p in intake.pilot_districts if p.code not in stored]
    tx.insert_rows(
        "mentor",
        ("intake", "district_code", "name", "email", "capacity"),
        [(intake.name, p.code, p.mentor_name, p.mentor_email, p.capacity) for p in new],
    )
    for pilot in intake.pilot_districts:
        old = stored.get(pilot.code)
        if old is None:
            continue
        settings = {
            "name": pilot.mentor_name if pilot.mentor_name is not None else old.mentor_name,
            "email": pilot.mentor_email if pilot.mentor_email is not None else old.mentor_email,
            "capacity": pilot.capacity if pilot.capacity is not None else old.capacity,
        }
        if settings != {"name": old.mentor_name, "email": old.mentor_email,
                        "capacity": old.capacity}:  # fmt: skip
            tx.execute(
                "UPDATE mentor SET name = :name, email = :email, capacity = :capacity "
                "WHERE intake = :intake AND district_code = :code",
                {**settings, "intake": intake.name, "code": pilot.code},
            )


def _save_calendar(tx: Tx, name: str, weeks: list[Week], *, same_weeks: bool) -> None:
    params = {"intake": name}
    tx.execute("DELETE FROM holiday WHERE intake = :intake", params)
    if same_weeks:
        tx.executemany(
            'UPDATE week SET phase = :phase, start = :start, "end" = :end, '
            "working_days = :working_days WHERE intake = :intake AND number = :number",
            [
                {"intake": name, "number": w.number, "phase": w.phase,
                 "start": w.start.isoformat(), "end": w.end.isoformat(),
                 "working_days": w.working_days}
                for w in weeks
            ],
        )  # fmt: skip
    else:
        tx.execute("DELETE FROM week WHERE intake = :intake", params)
        tx.insert_rows(
            "week",
            ("intake", "number", "phase", "start", "end", "working_days"),
            [(name, w.number, w.phase, w.start.isoformat(), w.end.isoformat(), w.working_days)
             for w in weeks],
        )  # fmt: skip
    tx.insert_rows(
        "holiday",
        ("intake", "date", "week", "name_en", "name_th"),
        [(name, h.date.isoformat(), w.number, h.name_en, h.name_th)
         for w in weeks for h in w.holidays],
    )  # fmt: skip
