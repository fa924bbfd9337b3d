"""The stored timeline of an intake: its weeks and their holidays, as core calendar objects
(computed and stored when the intake is saved, see ``db.intakes.save_intake``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from castctl.core import calendar
from castctl.db.store import Store


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_weeks(store: Store, intake: str) -> list[calendar.Week]:
    """The weeks of ``intake``, in order, each with its holidays (closures included)."""
    params = {"intake": intake}
    holidays: dict[int, list[calendar.Holiday]] = {}
    for day, week, name_en, name_th in store.read(
        "SELECT date, week, name_en, name_th FROM holiday WHERE intake = :intake ORDER BY date",
        params,
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
            'SELECT number, phase, start, "end", working_days FROM week '
            "WHERE intake = :intake ORDER BY number",
            params,
        )
    ]
