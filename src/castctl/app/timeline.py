"""The timeline use case: the weeks of an intake and where a day stands in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from castctl.core.calendar import Standing, Week, standing
from castctl.core.intakes import Intake
from castctl.db.store import Store
from castctl.db.timeline import load_weeks


@dataclass
class Timeline:
    intake: Intake
    weeks: list[Week]
    standing: Standing  # of ``as_of``


def load_timeline(store: Store, intake: Intake, as_of: dt.date) -> Timeline:
    """The intake's stored weeks (phases, holidays of every year it spans, closures)."""
    weeks = load_weeks(store, intake.name)
    return Timeline(intake, weeks, standing(weeks, as_of))
