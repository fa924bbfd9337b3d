"""Output formats: Thai tables line up, CSV is safe to open in a spreadsheet, JSON stands alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from castctl.cli.output import Column, View, safe_cell, write_csv
from castctl.io.json_text import json_text


def col(line: str, index: int) -> int:
    """The display column (terminal cells) at which ``line[index]`` starts."""
    return cell_len(line[:index])


def find_from(line: str, text: str, start: int) -> int:
    index = line.find(text, start)
    assert index >= 0, f"{text!r} not found in {line!r} after position {start}"
    return index


def table_lines(stdout: str) -> list[str]:
    """The rich table's lines: everything before the first blank line that follows the rule."""
    lines = stdout.split("\n")
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("─"))
    end = next(i for i in range(rule + 1, len(lines)) if not lines[i].strip())
    return lines[:end]


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


# ---- Thai table width -------------------------------------------------------------------------


def test_thai_district_table_columns_line_up(cli):
    rows = cli("districts", "--province", "56", "-f", "json").json()
    out = cli("districts", "--province", "56").stdout
    assert "\x1b" not in out
    lines = table_lines(out)
    widths = {cell_len(line) for line in lines}
    assert len(widths) == 1, f"lines of different display widths: {sorted(widths)}"

    header = next(line for line in lines if "District (Thai)" in line)
    headers = ["Code", "District (Thai)", "District", "Prov.", "Province (Thai)", "Province"]
    keys = ["code", "name_th", "name_en", "province_code", "province_th", "province_en"]
    starts, pos = [], 0
    for h in headers:
        index = find_from(header, h, pos)
        starts.append(col(header, index))
        pos = index + len(h)

    body = lines[lines.index(header) + 2 :]
    assert len(body) == len(rows) == 9
    thai_seen = False
    for line, row in zip(body, rows, strict=True):
        pos = 0
        for key, start in zip(keys, starts, strict=True):
            value = str(row[key])
            index = find_from(line, value, pos)
            assert col(line, index) == start, (
                f"{key} {value!r} starts at column {col(line, index)}, its header at {start}:\n"
                f"{header}\n{line}"
            )
            pos = index + len(value)
        thai_seen = thai_seen or cell_len(row["name_th"]) != len(row["name_th"])
    # The test is only meaningful if some names have zero-width (combining) Thai marks.
    assert thai_seen


def test_thai_timeline_columns_line_up(cli):
    doc = cli("timeline", "--lang", "th", "-f", "json", "--as-of", "2023-10-18").json()
    out = cli("timeline", "--lang", "th", "--as-of", "2023-10-18").stdout
    assert "\x1b" not in out
    lines = table_lines(out)
    widths = {cell_len(line) for line in lines}
    assert len(widths) == 1, f"lines of different display widths: {sorted(widths)}"

    header = next(line for line in lines if "วันหยุดราชการ" in line)
    week_h, phase_h, dates_h, days_h, hol_h = (
        "สัปดาห์", "ช่วง", "วันที่", "วันทำการ", "วันหยุดราชการ",
    )  # fmt: skip
    week_end = col(header, header.index(week_h) + len(week_h))
    phase_start = col(header, header.index(phase_h))
    dates_start = col(header, header.index(dates_h))
    days_end = col(header, header.index(days_h) + len(days_h))
    hol_start = col(header, header.index(hol_h))

    row_re = re.compile(r"^\s+(\d+)\s{2,}")
    seen_weeks = []
    holiday_lines = 0
    for line in lines[lines.index(header) + 2 :]:
        match = row_re.match(line)
        if match:
            number = int(match.group(1))
            seen_weeks.append(number)
            week = doc["weeks"][number - 1]
            assert col(line, match.end(1)) == week_end, f"week number misaligned:\n{line}"
            phase = find_from(line, "อำเภอ", match.end(1))
            assert col(line, phase) == phase_start, f"phase misaligned:\n{header}\n{line}"
            day_text = re.search(r"\d+ \S+\. \d\d – ", line[phase:])  # "3 ก.ค. 66 – "
            assert day_text, line
            assert col(line, phase + day_text.start()) == dates_start, line
            days = re.search(r"\s(\d)(\s|$)", line[phase + day_text.end() :])
            assert days, line
            days_index = phase + day_text.end() + days.start(1)
            assert int(days.group(1)) == week["working_days"]
            assert col(line, days_index + 1) == days_end, f"working days misaligned:\n{line}"
            rest = line[days_index + 1 :]
            if week["holidays"]:
                text_index = days_index + 1 + (len(rest) - len(rest.lstrip()))
                assert col(line, text_index) == hol_start, f"holiday misaligned:\n{line}"
                holiday_lines += 1
            else:
                assert not rest.strip()
        elif line.strip():
            # a holiday continued on its own line (week 5 has three)
            text_index = len(line) - len(line.lstrip())
            assert col(line, text_index) == hol_start, f"holiday misaligned:\n{line}"
            holiday_lines += 1
    assert seen_weeks == list(range(1, 23))
    assert holiday_lines == 7


# ---- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Mae Chai", "แม่ใจ", "2023-07-03", "a=b", "", 5, None, 1.5])
def test_safe_cell_leaves_plain_values_alone(value):
    assert safe_cell(value) == value


def test_write_csv_has_a_header_and_neutralised_cells():
    view = View(
        [Column("trainee_id", "ID"), Column("note", "Note"), Column("weeks", "Weeks")],
        [
            {"trainee_id": "T1", "note": "=cmd|' /C calc'!A0", "weeks": [1, 2]},
            {"trainee_id": "T2", "note": "ปกติ, with a comma", "weeks": []},
        ],
    )
    buffer = io.StringIO()
    write_csv(view, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["trainee_id", "note", "weeks"]
    assert rows[1] == ["T1", "'=cmd|' /C calc'!A0", "1; 2"]
    assert rows[2] == ["T2", "ปกติ, with a comma", ""]
    assert len(rows) == 3


def test_csv_from_a_command_has_a_header(cli):
    out = cli("districts", "--pilot", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["code", "name_th", "name_en"]
    assert len(rows) == 11


def test_csv_of_a_mentor_name_with_a_formula_is_neutralised(cli):
    cli("mentors", "set", "5607", "--name", '=HYPERLINK("http://evil")')
    out = cli("mentors", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    mae_chai = next(r for r in rows if r["district_code"] == "5607")
    assert mae_chai["name"].startswith("'=")


# ---- JSON alone on stdout -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "-f", "json"],
        ["timeline", "--format", "json", "--lang", "th"],
        ["districts", "-f", "json", "--pilot"],
        ["mentors", "-f", "json"],
    ],
)
def test_json_is_the_only_thing_on_stdout(args, backend, make_database):
    """In a real process, on a brand-new database (first use), stdout holds one JSON document."""
    new = make_database(backend, empty=True)
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "--db", new.url, *args],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "80"},
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    doc, end = json.JSONDecoder().raw_decode(proc.stdout)
    assert proc.stdout[end:].strip() == "", "something after the JSON document"
    assert proc.stdout.lstrip() == proc.stdout, "something before the JSON document"
    assert isinstance(doc, dict | list)
    assert "\x1b" not in proc.stdout


def test_no_escape_codes_off_a_terminal_even_with_a_colour_term(cli, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    for args in (["districts", "--pilot"], ["mentors"], ["timeline", "--as-of", "2023-07-04"]):
        out = cli(*args).stdout
        assert "\x1b" not in out
        assert out.strip()


# ---- JSON text (castctl.io.json_text): what -f json and the digest's JSON hold ---------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.integers(-5, 5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_json_text_reads_back_as_the_standard_library_writes_it(doc):
    """Any document, integers beyond 64 bits and integer keys included, reads back as the
    standard library's JSON of it, compact and indented."""
    want = json.loads(json.dumps(doc, ensure_ascii=False))
    assert json.loads(json_text(doc)) == want
    assert json.loads(json_text(doc, indent=True)) == want


def test_json_text_writes_what_json_has_no_type_for_as_text():
    doc = {
        "week": 3,
        "start": dt.date(2023, 7, 17),
        "sent_at": dt.datetime(2023, 7, 21, 17, 0, 5),
        "capacity": Decimal("11.50"),
        "district": "แม่ใจ",
        "empty": [],
        "nothing": {},
        1: ["int key"],
    }
    compact = json_text(doc)
    assert json.loads(compact) == {
        "week": 3,
        "start": "2023-07-17",
        "sent_at": "2023-07-21 17:00:05",
        "capacity": "11.50",
        "district": "แม่ใจ",
        "empty": [],
        "nothing": {},
        "1": ["int key"],
    }
    assert "แม่ใจ" in compact and "\\u" not in compact  # Thai as typed
    assert "\n" not in compact and ", " not in compact
    # Indented: byte for byte what a digest's JSON was before (json.dumps(indent=2)).
    assert json_text(doc, indent=True) == json.dumps(doc, ensure_ascii=False, indent=2, default=str)


def test_assign_json_in_a_pipe_is_one_compact_line(cli):
    cli("demo", "--trainees", "30", "--no-reports")
    out = cli("assign", "--dry-run", "-f", "json").stdout
    assert out.endswith("}\n") and out.count("\n") == 1
    doc = json.loads(out)
    assert len(doc["assignments"]) == 30
