"""The intakes: import one from its YAML file, list them, and choose the one a command works on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from castctl.core.emails import checked_email
from castctl.core.intakes import Intake, check_update, intake_document
from castctl.core.intakes import parse_intake as parse_intake_document
from castctl.db.districts import district_index
from castctl.db.intakes import intake_use, load_intakes, save_intake, trainee_counts
from castctl.db.store import Store
from castctl.errors import InputError
from castctl.io.intake_file import read_intake_file


@dataclass(frozen=True)
class IntakeImport:
    name: str
    action: str  # added | updated | unchanged

    def __str__(self) -> str:
        counts = {"added": 0, "updated": 0, "unchanged": 0} | {self.action: 1}
        return ", ".join(f"{n} {action}" for action, n in counts.items())


def import_intake(store: Store, path: Path, *, dry_run: bool) -> IntakeImport:
    """Create or update one intake from its file: all checked before anything is written."""
    intake = parse_intake_document(
        read_intake_file(path), district_index(store), check_email=_mentor_email
    )
    with store.transaction() as tx:
        previous = next((i for i in load_intakes(tx.query) if i.name == intake.name), None)
        if previous is not None and _as_stored(intake, previous) == previous:
            return IntakeImport(intake.name, "unchanged")
        if previous is not None:
            use = intake_use(tx.query, intake.name)
            problems = check_update(
                previous,
                intake,
                has_placements_or_reports=use.started,
                placed_pilot_codes=set(use.placed_pilots),
            )
            if problems:
                held = f"{_count(use.placements, 'placement')} and {_count(use.reports, 'report')}"
                raise InputError(
                    f"intake {intake.name} cannot change that way: it already has {held}; "
                    "nothing was written",
                    problems,
                )
        if not dry_run:
            save_intake(tx, intake, previous=previous)
    return IntakeImport(intake.name, "added" if previous is None else "updated")


def _mentor_email(text: str) -> str:
    """An intake file's ``mentor_email`` checked by the one validator (``core.emails``); the
    parser puts the key in front of the reason (``pilot_districts[2].mentor_email: …``)."""
    address, problem = checked_email(text)
    if address is None:
        raise ValueError(problem)
    return address


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _as_stored(intake: Intake, previous: Intake) -> Intake:
    """``intake`` as saving it over ``previous`` would store it: pilots by code, and mentor
    settings the file leaves out kept from before (``mentors set`` may have made them)."""
    stored = {p.code: p for p in previous.pilot_districts}
    pilots = []
    for pilot in sorted(intake.pilot_districts, key=lambda p: p.code):
        old = stored.get(pilot.code)
        if old is not None:
            pilot = replace(
                pilot,
                mentor_name=pilot.mentor_name if pilot.mentor_name is not None else old.mentor_name,
                mentor_email=(
                    pilot.mentor_email if pilot.mentor_email is not None else old.mentor_email
                ),
                capacity=pilot.capacity if pilot.capacity is not None else old.capacity,
            )
        pilots.append(pilot)
    return replace(intake, pilot_districts=tuple(pilots), closures=tuple(sorted(intake.closures)))


def list_intakes(store: Store, as_of: dt.date) -> list[dict[str, Any]]:
    """The contract's ``intakes -f json`` objects, by start date."""
    counts = trainee_counts(store)
    return [
        {**intake_document(i), "trainees": counts.get(i.name, 0), "status": i.status(as_of)}
        for i in load_intakes(store.read)
    ]
