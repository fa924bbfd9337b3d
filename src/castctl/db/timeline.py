"""The stored timeline: weeks and their holidays, as core calendar objects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from castctl.core import calendar
from castctl.db.store import Store


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_weeks(store: Store) -> list[calendar.Week]:
    holidays: dict[int, list[calendar.Holiday]] = {}
    for day, week, name_en, name_th in store.read(
        "SELECT date, week, name_en, name_th FROM holiday ORDER BY date"
    ):
        holidays.setdefault(int(week), []).append(calendar.Holiday(_date(day), name_en, name_th))
    return [
        calendar.Week(
            number=int(number),
            phase=phase,
            start=_date(start),
            end=_date(end),
            working_days=int(working_days),
            holidays=tuple(holidays.get(int(number), ())),
        )
        for number, phase, start, end, working_days in store.read(
            'SELECT number, phase, start, "end", working_days FROM week ORDER BY number'
        )
    ]
