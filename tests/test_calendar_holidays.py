"""Where the Thai public holidays come from: the ``holidays`` package's own class for Thailand,
loaded without the package's ~250 other countries (``castctl.core.calendar.thailand_holidays``).

Expected holidays come from the package itself (``holidays.country_holidays("TH")``), for every
year the span touches and in both languages, never from a list written here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
import sys
from collections.abc import Iterator

import holidays
import pytest

from castctl.core import calendar

D = dt.date

# An intake across New Year: 22 weeks from Monday 4 November 2024 to Friday 4 April 2025.
FIRST, LAST = D(2024, 11, 4), D(2025, 4, 4)


def package_holidays(first: dt.date, last: dt.date) -> list[tuple[str, str, str]]:
    """(date, English name, Thai name) of the weekday public holidays, as the package says."""
    years = range(first.year, last.year + 1)
    en = holidays.country_holidays("TH", years=years, language="en_US")
    th = holidays.country_holidays("TH", years=years, language="th")
    return [
        (day.isoformat(), en[day], th[day])
        for day in sorted(en)
        if first <= day <= last and day.weekday() < 5
    ]


def castctl_holidays(first: dt.date, last: dt.date) -> list[tuple[str, str, str]]:
    return [(h.date.isoformat(), h.name_en, h.name_th) for h in calendar.thai_holidays(first, last)]


@pytest.fixture
def fresh_source() -> Iterator[None]:
    """``thailand_holidays`` decides again (it is cached for the process), and forgets after."""
    calendar.thailand_holidays.cache_clear()
    yield
    calendar.thailand_holidays.cache_clear()


# ---- in a new process, as a command runs --------------------------------------------------------

NEW_PROCESS = f"""
import datetime as dt, json, sys
from castctl.core import calendar

first, last = dt.date.fromisoformat("{FIRST}"), dt.date.fromisoformat("{LAST}")
ours = [(h.date.isoformat(), h.name_en, h.name_th) for h in calendar.thai_holidays(first, last)]
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))

# Later in the same process, the package imported the ordinary ways still works.
import holidays
import holidays.countries.thailand

years = [2024, 2025]
later = {{
    "country_holidays": [
        sorted((d.isoformat(), n) for d, n in holidays.country_holidays(
            "TH", years=years, language=lang).items())
        for lang in ("en_US", "th")
    ],
    "module": sorted((d.isoformat(), n) for d, n in holidays.countries.thailand.Thailand(
        years=years, language="en_US").items()),
    "lazy_name": len(holidays.Thailand(years=2024)),
    "another_country": len(holidays.US(years=2024)),
    "own_copy": calendar.thailand_holidays() is not holidays.countries.thailand.Thailand,
}}
print(json.dumps({{"ours": ours, "loaded": loaded, "later": later}}))
"""


@pytest.fixture(scope="module")
def new_process() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", NEW_PROCESS], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_cross_year_intakes_holidays_are_the_packages_own_in_english_and_thai(new_process):
    expected = package_holidays(FIRST, LAST)
    assert {day[:4] for day, _, _ in expected} == {"2024", "2025"}  # really spans New Year
    assert [tuple(h) for h in new_process["ours"]] == expected


def test_building_the_calendar_imports_no_other_countrys_module(new_process):
    """Not even the package ``holidays.countries``, whose ``__init__`` imports all of them."""
    assert new_process["loaded"] == []


def test_the_package_still_works_when_imported_later_in_the_same_process(new_process):
    later = new_process["later"]
    years = [2024, 2025]
    for got, lang in zip(later["country_holidays"], ("en_US", "th"), strict=True):
        expected = holidays.country_holidays("TH", years=years, language=lang)
        assert [tuple(x) for x in got] == sorted((d.isoformat(), n) for d, n in expected.items())
    assert [tuple(x) for x in later["module"]] == sorted(
        (d.isoformat(), n)
        for d, n in holidays.country_holidays("TH", years=years, language="en_US").items()
    )
    assert later["lazy_name"] == len(holidays.country_holidays("TH", years=2024))
    assert later["another_country"] == len(holidays.country_holidays("US", years=2024))
    assert later["own_copy"] is True  # castctl's class is its own, the package's is untouched


# ---- the choice, in this process ----------------------------------------------------------------


def test_without_the_countries_package_thailand_is_loaded_alone(fresh_source, monkeypatch):
    expected = package_holidays(FIRST, LAST)
    monkeypatch.delitem(sys.modules, "holidays.countries", raising=False)
    source = calendar.thailand_holidays()
    assert isinstance(source, type) and issubclass(source, holidays.HolidayBase)
    assert source.__module__ == "holidays.countries.thailand"
    assert "holidays.countries" not in sys.modules  # nothing registered in its place
    assert castctl_holidays(FIRST, LAST) == expected


def is_the_package_way(source: object) -> bool:
    return (
        isinstance(source, functools.partial)
        and source.func is holidays.country_holidays
        and source.args == ("TH",)
    )


def test_with_the_countries_package_imported_already_the_package_way_is_taken(fresh_source):
    import holidays.countries  # noqa: F401  (as another part of the process may have done)

    assert is_the_package_way(calendar.thailand_holidays())
    assert castctl_holidays(FIRST, LAST) == package_holidays(FIRST, LAST)


class NotThailand(holidays.HolidayBase):
    country = "US"


@pytest.mark.parametrize("loaded", [None, dict, NotThailand], ids=["failed", "no-class", "other"])
def test_when_loading_alone_fails_the_package_way_gives_the_same_holidays(
    fresh_source, monkeypatch, loaded
):
    """As with another version of holidays that moved Thailand's module or class."""
    expected = package_holidays(FIRST, LAST)
    monkeypatch.delitem(sys.modules, "holidays.countries", raising=False)
    monkeypatch.setattr(calendar, "_load_alone", lambda *args: loaded)
    assert is_the_package_way(calendar.thailand_holidays())
    assert castctl_holidays(FIRST, LAST) == expected


@pytest.mark.parametrize(
    ("package", "module", "name"),
    [
        ("holidays.countries", "no_such_country", "Thailand"),  # no such file
        ("holidays.countries", "thailand", "NoSuchClass"),  # no such class
        ("holidays.countries", "thailand", "tr"),  # a function, not a class
        ("holidays.no_such_package", "thailand", "Thailand"),  # no such package
        ("no_such_top_package.countries", "thailand", "Thailand"),  # its parent is missing
        ("holidays.registry", "thailand", "Thailand"),  # a module, not a package
    ],
)
def test_loading_alone_answers_none_whatever_is_missing(package, module, name):
    before = set(sys.modules)
    assert calendar._load_alone(package, module, name) is None
    assert not {m for m in set(sys.modules) - before if m.startswith(package)}
