"""The timeline use case: the weeks of the field practice and where a day stands in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from castctl.core.calendar import Standing, Week, standing
from castctl.db.store import Store
from castctl.db.timeline import load_weeks


@dataclass
class Timeline:
    weeks: list[Week]
    standing: Standing  # of ``as_of``


def load_timeline(store: Store, as_of: dt.date) -> Timeline:
    weeks = load_weeks(store)
    return Timeline(weeks, standing(weeks, as_of))
