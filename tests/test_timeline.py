"""``castctl timeline``: the 22 weeks of phase 2, checked against the facts of BRIEF.md.

Every expected value here is written out from the brief (dates, holidays, working days), never
taken from castctl's own code, so a wrong calendar fails these tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys

import pytest
from icalendar import Calendar

D = dt.date

# ---- facts from BRIEF.md ---------------------------------------------------------------------
START = D(2023, 7, 3)  # Monday
END = D(2023, 12, 1)  # Friday
WEEKS = 22
# The weekdays off between 3 Jul and 1 Dec 2023, by week number.
HOLIDAYS = {
    D(2023, 7, 28): 4,  # HM the King's birthday
    D(2023, 7, 31): 5,  # bridge holiday
    D(2023, 8, 1): 5,  # Asarnha Bucha
    D(2023, 8, 2): 5,  # Buddhist Lent
    D(2023, 8, 14): 7,  # in lieu of Saturday 12 Aug (Mother's Day)
    D(2023, 10, 13): 15,  # King Bhumibol memorial day
    D(2023, 10, 23): 17,  # Chulalongkorn day
}
WORKING_DAYS = 103  # 22 * 5 = 110 weekdays - 7 holidays


def iso(day: D) -> str:
    return day.isoformat()


def monday_of(week: int) -> D:
    return START + dt.timedelta(weeks=week - 1)


def working_days_through(day: D) -> int:
    """Working days of the programme on or before ``day``, counted by hand from the facts."""
    count = 0
    current = START
    while current <= min(day, END):
        if current.weekday() < 5 and current not in HOLIDAYS:
            count += 1
        current += dt.timedelta(days=1)
    return count


# ---- the 22 weeks ---------------------------------------------------------------------------


def test_weeks_run_monday_to_friday_from_3_july_to_1_december(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2023-10-18").json()
    assert doc["start"] == "2023-07-03"
    assert doc["end"] == "2023-12-01"
    weeks = doc["weeks"]
    assert [w["week"] for w in weeks] == list(range(1, 23))
    for w in weeks:
        start, end = D.fromisoformat(w["start"]), D.fromisoformat(w["end"])
        assert start.weekday() == 0, f"week {w['week']} starts on a {start:%A}"
        assert end - start == dt.timedelta(days=4), f"week {w['week']} is not Monday-Friday"
        assert start == monday_of(w["week"])
    assert (weeks[-1]["start"], weeks[-1]["end"]) == ("2023-11-27", "2023-12-01")


def test_phases_are_pilot_for_weeks_1_2_and_target_for_3_to_22(cli):
    weeks = cli("timeline", "-f", "json").json()["weeks"]
    assert {w["week"]: w["phase"] for w in weeks} == {
        n: ("pilot" if n <= 2 else "target") for n in range(1, 23)
    }


def test_exactly_the_seven_weekday_holidays_with_103_working_days(cli):
    weeks = cli("timeline", "-f", "json").json()["weeks"]
    found = {
        D.fromisoformat(h["date"]): w["week"] for w in weeks for h in w["holidays"]
    }  # fmt: skip
    assert found == HOLIDAYS
    per_week = {w["week"]: w["working_days"] for w in weeks}
    expected = {n: 5 for n in range(1, 23)} | {4: 4, 5: 2, 7: 4, 15: 4, 17: 4}
    assert per_week == expected
    assert sum(per_week.values()) == WORKING_DAYS
    for w in weeks:
        for h in w["holidays"]:
            assert h["name"].strip(), f"holiday {h['date']} has no name"


def test_holiday_names_in_english(cli):
    weeks = cli("timeline", "-f", "json").json()["weeks"]
    names = {h["date"]: h["name"] for w in weeks for h in w["holidays"]}
    assert "Asarnha Bucha" in names["2023-08-01"]
    assert "Buddhist Lent" in names["2023-08-02"]
    assert "bridge" in names["2023-07-31"].lower()
    assert "in lieu" in names["2023-08-14"].lower()
    assert "Chulalongkorn" in names["2023-10-23"]


# ---- --as-of --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "week"),
    [
        ("2023-07-03", 1),  # the first Monday
        ("2023-10-18", 16),  # a Wednesday
        ("2023-10-21", 16),  # Saturday: the week that just ended
        ("2023-10-22", 16),  # Sunday: still that week
        ("2023-10-23", 17),  # Monday (a holiday): the next week
        ("2023-12-01", 22),  # the last Friday
        ("2023-12-03", 22),  # the Sunday after the last week
    ],
)
def test_current_week_inside_the_window(cli, as_of, week):
    doc = cli("timeline", "-f", "json", "--as-of", as_of).json()
    assert doc["current_week"] == week
    assert [w["week"] for w in doc["weeks"] if w["current"]] == [week]


def test_progress_line_in_the_table(cli):
    out = cli("timeline", "--as-of", "2023-10-18").stdout
    # By hand: weeks 1-15 have 75 weekdays, 6 of them holidays (28 Jul, 31 Jul, 1 Aug, 2 Aug,
    # 14 Aug, 13 Oct); then Mon-Wed of week 16. 72 of 103 working days: 69.9 % -> 70 %.
    done = 15 * 5 - 6 + 3
    assert done == working_days_through(D(2023, 10, 18)) == 72
    percent = round(100 * done / WORKING_DAYS)
    assert percent == 70
    assert f"week 16 of 22, {percent} % of working days done" in out


def test_progress_line_on_a_saturday_counts_the_whole_week(cli):
    out = cli("timeline", "--as-of", "2023-10-21").stdout
    done = working_days_through(D(2023, 10, 21))
    assert done == 74
    assert f"week 16 of 22, {round(100 * done / WORKING_DAYS)} % of working days done" in out
    assert "72 %" in out


def test_before_the_window(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2023-06-30").json()
    assert doc["current_week"] is None
    assert not any(w["current"] for w in doc["weeks"])
    out = cli("timeline", "--as-of", "2023-06-30").stdout
    assert "has not started" in out
    assert "of working days done" not in out


def test_after_the_window(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2024-01-10").json()
    assert doc["current_week"] is None
    assert not any(w["current"] for w in doc["weeks"])
    out = cli("timeline", "--as-of", "2024-01-10").stdout
    assert "ended" in out
    assert "of working days done" not in out


def test_the_monday_after_the_last_week_is_outside(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2023-12-04").json()
    assert doc["current_week"] is None


@pytest.mark.parametrize("bad", ["2023-13-01", "yesterday", "2023-02-30"])
def test_bad_as_of_is_one_error_line(cli, bad):
    r = cli("timeline", "--as-of", bad, code=1)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("Error:")
    assert "Traceback" not in r.stderr


def test_bad_as_of_in_a_real_process_has_no_traceback(database):
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "timeline", "--as-of", "2023-13-01"],
        capture_output=True,
        text=True,
        env=os.environ | {"CASTCTL_DB": database.url},
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error:")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


# ---- Thai -----------------------------------------------------------------------------------


def test_thai_labels_and_buddhist_era_dates(cli):
    out = cli("timeline", "--lang", "th", "--as-of", "2023-10-18").stdout
    assert "สัปดาห์" in out  # "week"
    assert "3 ก.ค. 66" in out  # Monday 3 July 2023 = BE 2566
    assert "1 ธ.ค. 66" in out  # Friday 1 December 2023
    assert "27 พ.ย. 66" in out  # week 22 starts
    assert "2023" not in out  # no Common Era years in the Thai table
    assert "Jul" not in out
    # Thai names of the holidays
    for name in ("วันอาสาฬหบูชา", "วันเข้าพรรษา", "วันปิยมหาราช"):
        assert name in out
    assert "สัปดาห์ที่ 16 จาก 22" in out  # "week 16 of 22"


def test_thai_json_keeps_iso_dates_and_names_holidays_in_thai(cli):
    doc = cli("timeline", "--lang", "th", "-f", "json").json()
    assert doc["start"] == "2023-07-03"
    names = {h["date"]: h["name"] for w in doc["weeks"] for h in w["holidays"]}
    assert "อาสาฬหบูชา" in names["2023-08-01"]
    assert "เข้าพรรษา" in names["2023-08-02"]


# ---- formats --------------------------------------------------------------------------------


def test_json_shape_is_the_contract(cli):
    doc = cli("timeline", "-f", "json", "--as-of", "2023-07-05").json()
    # The contract's keys must be there (extra keys are allowed at the top level).
    assert {"start", "end", "current_week", "weeks"} <= set(doc)
    assert isinstance(doc["start"], str) and isinstance(doc["end"], str)
    assert doc["current_week"] == 1
    assert len(doc["weeks"]) == WEEKS
    for w in doc["weeks"]:
        assert set(w) == {
            "week", "phase", "start", "end", "working_days", "holidays", "current"
        }  # fmt: skip
        assert isinstance(w["week"], int) and isinstance(w["working_days"], int)
        assert isinstance(w["current"], bool)
        assert w["phase"] in ("pilot", "target")
        assert isinstance(w["holidays"], list)
        for h in w["holidays"]:
            assert set(h) == {"date", "name"}
            D.fromisoformat(h["date"])
    assert doc["weeks"][0] == {
        "week": 1, "phase": "pilot", "start": "2023-07-03", "end": "2023-07-07",
        "working_days": 5, "holidays": [], "current": True,
    }  # fmt: skip
    assert doc["weeks"][3]["holidays"][0]["date"] == "2023-07-28"


def test_csv_has_a_header_and_22_rows(cli):
    out = cli("timeline", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    header, body = rows[0], rows[1:]
    assert {"week", "phase", "start", "end", "working_days"} <= set(header)
    assert len(body) == WEEKS
    by_week = {int(r[header.index("week")]): r for r in body}
    assert by_week[22][header.index("start")] == "2023-11-27"
    assert by_week[22][header.index("end")] == "2023-12-01"
    assert by_week[5][header.index("working_days")] == "2"


def test_markdown_is_a_pipe_table(cli):
    out = cli("timeline", "-f", "markdown", "--as-of", "2023-10-18").stdout
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + WEEKS  # header, alignment row, 22 weeks
    assert re.fullmatch(r"\|( *:?-+:? *\|)+", table[1].replace(" ", ""))
    cells = [len(line.strip("|").split(" | ")) for line in table]
    assert len(set(cells)) == 1, "every row of the table has the same number of cells"
    assert "week 16 of 22" in out


def test_table_has_no_escape_codes_off_a_terminal(cli):
    for args in (
        ["timeline", "--as-of", "2023-10-18"],
        ["timeline", "--as-of", "2023-10-18", "--lang", "th"],
    ):
        r = cli(*args)
        assert "\x1b" not in r.stdout
        assert "\x1b" not in r.stderr
        assert "Week" in r.stdout or "สัปดาห์" in r.stdout


def _events(cal: Calendar) -> list:
    return [c for c in cal.walk("VEVENT")]


def test_ics_is_a_valid_calendar_of_all_day_events(database):
    # A real process, so the bytes on stdout are exactly what a user would save to a file.
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "timeline", "-f", "ics"],
        capture_output=True,
        env=os.environ | {"CASTCTL_DB": database.url},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    raw = proc.stdout
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.rstrip().endswith(b"END:VCALENDAR")
    cal = Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).strip()
    events = _events(cal)
    assert len(events) == 2 + WEEKS + len(HOLIDAYS)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids), "UIDs must be unique"

    spans = []
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        # All-day: DATE values, not DATE-TIME.
        assert type(start) is D and type(end) is D, e.to_ical()
        assert b"DTSTART;VALUE=DATE:" in e.to_ical()
        assert "DTSTAMP" in e
        assert str(e["SUMMARY"]).strip()
        spans.append((start, end))
    # DTEND is exclusive: a Monday-Friday week ends on Saturday.
    week_spans = {(monday_of(n), monday_of(n) + dt.timedelta(days=5)) for n in range(1, 23)}
    phase_spans = {
        (START, monday_of(2) + dt.timedelta(days=5)),  # pilot: weeks 1-2
        (monday_of(3), END + dt.timedelta(days=1)),  # target: weeks 3-22
    }
    holiday_spans = {(day, day + dt.timedelta(days=1)) for day in HOLIDAYS}
    assert sorted(spans) == sorted(week_spans | phase_spans | holiday_spans)


def test_ics_in_thai_parses_too(cli):
    r = cli("timeline", "-f", "ics", "--lang", "th")
    cal = Calendar.from_ical(r.stdout)
    summaries = [str(e["SUMMARY"]) for e in _events(cal)]
    assert "สัปดาห์ที่ 22" in summaries
    assert len(summaries) == 2 + WEEKS + len(HOLIDAYS)


def test_timeline_works_on_a_database_never_used_before(cli, backend, make_database, monkeypatch):
    """The timeline is built on first use in a brand-new database, from the dates alone."""
    new = make_database(backend, empty=True)
    monkeypatch.setenv("CASTCTL_DB", new.url)
    doc = cli("timeline", "-f", "json").json()
    assert sum(w["working_days"] for w in doc["weeks"]) == WORKING_DAYS
    assert new.count("week") == WEEKS
    if new.path is not None:
        assert new.path.exists()
