"""One intake's stored calendar (its weeks and their holidays) for the reports, progress and
summary use cases: read through the ``(intake, …)`` keys of ``week`` and ``holiday``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from castctl.core import calendar
from castctl.db.store import Store


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_intake_weeks(store: Store, intake: str) -> list[calendar.Week]:
    """The weeks 1..N of ``intake``, each with its holidays (closures included)."""
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
