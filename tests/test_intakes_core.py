"""Intakes without a database: validating intake files, the per-intake calendar, the update
rules and which intake a command works on (issue 11).

Expected holidays come from the ``holidays`` package itself, computed here for every year an
intake spans; expected dates are written out from the contract, never taken from castctl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml

from castctl.core import calendar
from castctl.core.intakes import (
    Closure,
    Intake,
    IntakePilot,
    builtin_intake,
    check_update,
    choose_intake,
    default_mentor_capacity,
    department_spread,
    intake_document,
    intake_file_document,
    parse_intake,
)
from castctl.core.reference import DistrictIndex, all_districts
from castctl.errors import CastError, InputError
from castctl.io.intake_file import read_intake_file

D = dt.date
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def districts() -> DistrictIndex:
    return DistrictIndex(all_districts())


def doc(**changes: Any) -> dict[str, Any]:
    """A valid intake document with ``changes`` applied (a value of ``...`` removes the key)."""
    base: dict[str, Any] = {
        "name": "2567",
        "title": "MOI SMART Agent for CAST, intake 2",
        "start": D(2024, 7, 1),
        "weeks": 22,
        "pilot_weeks": 2,
        "pilot_districts": [
            {"district": "4001", "mentor_name": "นายสมชาย ใจดี", "capacity": 30},
            {"district": "แม่ริม", "mentor_email": "chief@example.go.th"},
        ],
        "closures": [{"date": D(2024, 11, 15), "name": "ปิดสำนักงาน"}],
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def problems_of(document: object, districts: DistrictIndex, **kwargs: Any) -> list[str]:
    with pytest.raises(InputError) as err:
        parse_intake(document, districts, **kwargs)  # type: ignore[arg-type]
    n = len(err.value.problems)
    assert err.value.message == f"the intake file has {n} problem{'s' if n != 1 else ''}"
    return err.value.problems


def intake(name: str, start: D, weeks: int = 22, pilots: tuple[str, ...] = ("4001",)) -> Intake:
    return Intake(name, None, start, weeks, 2, tuple(IntakePilot(c) for c in pilots))


# ---- the built-in intake 2566 ----------------------------------------------------------------


def test_builtin_intake_is_phase_2_of_2023_with_the_ten_pilot_districts():
    built_in = builtin_intake()
    pilot_file = yaml.safe_load((REPO / "data" / "pilot_districts.yaml").read_text("utf-8"))
    assert built_in.name == "2566"
    assert (built_in.start, built_in.end) == (D(2023, 7, 3), D(2023, 12, 1))
    assert (built_in.weeks, built_in.pilot_weeks, built_in.closures) == (22, 2, ())
    assert built_in.pilot_codes == tuple(str(row["code"]) for row in pilot_file)
    assert built_in.pilot_count == 10
    assert built_in.title


def test_builtin_intake_calendar_is_the_2023_timeline():
    weeks = builtin_intake().build_weeks()
    assert weeks == calendar.build_weeks()
    assert [w.number for w in weeks] == list(range(1, 23))
    assert sum(w.working_days for w in weeks) == 103  # 110 weekdays - 7 holidays (BRIEF.md)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (D(2023, 7, 2), "upcoming"),  # the Sunday before
        (D(2023, 7, 3), "running"),  # the start Monday
        (D(2023, 12, 1), "running"),  # the last Friday
        (D(2023, 12, 3), "running"),  # the Sunday after it: still running
        (D(2023, 12, 4), "ended"),
    ],
)
def test_status_runs_from_the_start_monday_to_the_sunday_after_the_last_friday(day, status):
    assert builtin_intake().last_day_running == D(2023, 12, 3)
    assert builtin_intake().status(day) == status


# ---- a valid file ------------------------------------------------------------------------------


def test_a_valid_document_gives_the_intake(districts):
    got = parse_intake(doc(), districts)
    assert got == Intake(
        name="2567",
        title="MOI SMART Agent for CAST, intake 2",
        start=D(2024, 7, 1),
        weeks=22,
        pilot_weeks=2,
        pilot_districts=(
            IntakePilot("4001", "นายสมชาย ใจดี", None, 30),
            IntakePilot("5007", None, "chief@example.go.th", None),
        ),
        closures=(Closure(D(2024, 11, 15), "ปิดสำนักงาน"),),
    )
    assert got.end == D(2024, 11, 29)


def test_plain_yaml_forms_are_accepted(districts):
    """`name: 2567` unquoted is a YAML number; a quoted date is text; a bare district works."""
    got = parse_intake(
        doc(name=2567, title=..., start="2024-07-01", pilot_districts=["Hang Dong", 4001]),
        districts,
    )
    assert (got.name, got.title, got.start) == ("2567", None, D(2024, 7, 1))
    assert got.pilot_codes == ("5015", "4001")


def test_the_email_check_hook_normalises_or_reports_the_mentor_address(districts):
    def check(address: str) -> str:
        if "@" not in address:
            raise ValueError("not an email address")
        return address.lower()

    got = parse_intake(
        doc(pilot_districts=[{"district": "4001", "mentor_email": "Chief@Example.go.th"}]),
        districts,
        check_email=check,
    )
    assert got.pilot_districts[0].mentor_email == "chief@example.go.th"
    bad = doc(pilot_districts=[{"district": "4001", "mentor_email": "chief.example.go.th"}])
    assert problems_of(bad, districts, check_email=check) == [
        "pilot_districts[1].mentor_email: not an email address"
    ]


# ---- bad files: every problem names its key ----------------------------------------------------


def test_a_start_that_is_not_a_monday(districts):
    assert problems_of(doc(start=D(2024, 7, 2)), districts) == [
        "start: 2024-07-02 is a Tuesday; an intake starts on a Monday (2024-07-01 or 2024-07-08?)"
    ]


@pytest.mark.parametrize("weeks", [2, 53, 0, -22, "many", 22.5, True])
def test_weeks_outside_3_to_52(districts, weeks):
    problems = problems_of(doc(weeks=weeks, pilot_weeks=1), districts)
    assert len(problems) == 1 and problems[0].startswith("weeks: ")
    assert "3 to 52" in problems[0]


@pytest.mark.parametrize("weeks", [3, 52])
def test_weeks_3_and_52_are_accepted(districts, weeks):
    assert parse_intake(doc(weeks=weeks, closures=...), districts).weeks == weeks


@pytest.mark.parametrize(("weeks", "pilot_weeks"), [(22, 0), (22, 22), (22, 30), (3, 3)])
def test_pilot_weeks_not_in_1_to_weeks_minus_1(districts, weeks, pilot_weeks):
    problems = problems_of(doc(weeks=weeks, pilot_weeks=pilot_weeks, closures=...), districts)
    assert problems == [f"pilot_weeks: {pilot_weeks} is not from 1 to {weeks - 1} (weeks - 1)"]


def test_an_unknown_pilot_district_says_which_item_with_did_you_mean(districts):
    bad = doc(pilot_districts=[{"district": "4001"}, {"district": "แม่ริน"}])
    (problem,) = problems_of(bad, districts)
    assert problem.startswith("pilot_districts[2]: unknown district 'แม่ริน'; did you mean ")
    assert "'แม่ริม'" in problem


def test_a_repeated_pilot_district_is_refused(districts):
    bad = doc(pilot_districts=[{"district": "4001"}, {"district": "5007"}, {"district": "4001"}])
    assert problems_of(bad, districts) == [
        "pilot_districts[3]: district 4001 already given as pilot_districts[1]; "
        "each pilot district once"
    ]


@pytest.mark.parametrize("second", ["เมืองขอนแก่น", "mueang khon kaen", 4001])
def test_the_same_district_by_code_and_by_name_is_refused(districts, second):
    bad = doc(pilot_districts=[{"district": "4001"}, {"district": second}])
    (problem,) = problems_of(bad, districts)
    assert problem.startswith("pilot_districts[2]: ")
    assert "district 4001" in problem and "already given as pilot_districts[1]" in problem


def test_the_article_spelling_and_the_official_one_are_one_district(districts):
    bad = doc(pilot_districts=["ศรีขรภูมิ", "ศีขรภูมิ"])
    assert problems_of(bad, districts) == [
        "pilot_districts[2]: 'ศีขรภูมิ' is district 3209, already given as pilot_districts[1]; "
        "each pilot district once"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pilot_week": 2}, "pilot_week: unknown key; did you mean 'pilot_weeks'?"),
        ({"Start": "x"}, "Start: unknown key; did you mean 'start'?"),
        ({"owner": "me"}, "owner: unknown key (expected name, title, start, weeks, "),
        (
            {"pilot_districts": [{"district": "4001", "mentor_mail": "a@b.th"}]},
            "pilot_districts[1].mentor_mail: unknown key; did you mean 'mentor_email'?",
        ),
        (
            {"closures": [{"dates": D(2024, 11, 15), "name": "x"}]},
            "closures[1].dates: unknown key; did you mean 'date'?",
        ),
    ],
)
def test_an_unknown_key_at_any_level_is_named_with_did_you_mean(districts, changes, expected):
    problems = problems_of(doc(**changes), districts)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_name(districts):
    assert problems_of(doc(name=...), districts) == [
        "name: required (letters, digits, '-' and '_', such as \"2567\")"
    ]


@pytest.mark.parametrize("name", ["25 67", "รุ่น2", "-2567", "a/b", "x" * 41])
def test_a_name_with_other_characters_is_refused(districts, name):
    (problem,) = problems_of(doc(name=name), districts)
    assert problem.startswith("name: ")


@pytest.mark.parametrize(
    "date", ["tomorrow", "2024-02-30", 15, dt.datetime(2024, 11, 15, 9, 0), [D(2024, 11, 15)]]
)
def test_a_closure_that_is_not_a_date(districts, date):
    (problem,) = problems_of(doc(closures=[{"date": date, "name": "ปิดสำนักงาน"}]), districts)
    assert problem.startswith("closures[1].date: ")


def test_closures_outside_the_intake_on_a_weekend_or_twice_are_refused(districts):
    closures = [
        {"date": D(2024, 11, 15), "name": "a"},
        {"date": D(2023, 11, 15), "name": "last year"},
        {"date": D(2024, 11, 16), "name": "a Saturday"},
        {"date": D(2024, 11, 15), "name": "again"},
        {"date": D(2024, 11, 14)},
    ]
    assert problems_of(doc(closures=closures), districts) == [
        "closures[2].date: 2023-11-15 is outside the intake (2024-07-01 to 2024-11-29)",
        "closures[3].date: 2024-11-16 is a Saturday; closures are weekdays",
        "closures[4].date: 2024-11-15 is already closures[1]",
        "closures[5].name: required (what the day off is)",
    ]


@pytest.mark.parametrize("capacity", [0, -1, "lots", 2.5])
def test_a_capacity_that_is_not_a_positive_whole_number(districts, capacity):
    bad = doc(pilot_districts=[{"district": "4001", "capacity": capacity}])
    assert problems_of(bad, districts) == [
        "pilot_districts[1].capacity: expected a whole number of trainees, 1 or more"
    ]


def test_required_keys_and_empty_pilot_list(districts):
    problems = problems_of({"name": "x", "pilot_districts": []}, districts)
    assert [p.split(":")[0] for p in problems] == [
        "start",
        "weeks",
        "pilot_weeks",
        "pilot_districts",
    ]
    assert problems[-1] == "pilot_districts: needs at least one district"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pilot_districts": "4001"}, "pilot_districts: expected a list of districts, not text"),
        ({"pilot_districts": [["4001"]]}, "pilot_districts[1]: expected a district ("),
        ({"pilot_districts": [{"capacity": 3}]}, "pilot_districts[1].district: required"),
        ({"pilot_districts": [{"district": 4.5}]}, "pilot_districts[1].district: expected a"),
        ({"pilot_districts": [{"district": "4001", "mentor_name": ["a"]}]}, "pilot_districts[1]"),
        ({"closures": {"date": D(2024, 11, 15)}}, "closures: expected a list of {date, name}"),
        ({"closures": ["2024-11-15"]}, "closures[1]: expected a mapping with date and name"),
        ({"closures": [{"name": "x"}]}, "closures[1].date: required"),
        ({"weeks": ...}, "weeks: required"),
        ({"pilot_weeks": "two"}, "pilot_weeks: expected a whole number from 1 to 21"),
        ({"start": 20240701}, "start: expected a date (YYYY-MM-DD), not a number"),
        ({"title": {"th": "x"}}, "title: expected text"),
        ({"name": True}, "name: expected text"),
    ],
)
def test_values_of_the_wrong_shape_name_their_key(districts, changes, expected):
    problems = problems_of(doc(**changes), districts)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_quoted_numbers_are_numbers(districts):
    got = parse_intake(
        doc(weeks="22", pilot_weeks="2", pilot_districts=[{"district": "4001", "capacity": "5"}]),
        districts,
    )
    assert (got.weeks, got.pilot_weeks, got.pilot_districts[0].capacity) == (22, 2, 5)


def test_every_problem_is_reported_at_once(districts):
    bad = doc(
        name=...,
        start=D(2024, 7, 3),
        weeks=60,
        pilot_weeks=0,
        pilot_districts=[{"district": "Nowhere"}, {"district": "4001", "capacity": 0}, "4001"],
        closures=[{"date": "soon", "name": "x"}],
        extra=1,
    )
    problems = problems_of(bad, districts)
    keys = [p.split(":")[0] for p in problems]
    assert keys == [
        "extra",
        "name",
        "start",
        "weeks",
        "pilot_weeks",
        "pilot_districts[1]",
        "pilot_districts[2].capacity",
        "pilot_districts[3]",
        "closures[1].date",
    ]


def test_a_document_that_is_not_a_mapping(districts):
    with pytest.raises(InputError, match="must be a mapping of keys .* not a list"):
        parse_intake(["name"], districts)  # type: ignore[arg-type]


# ---- reading the YAML file ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intake.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_yaml_says_the_line(tmp_path):
    path = write(tmp_path, 'name: "2567"\nstart: 2024-07-01\nweeks: 22\npilot_weeks: [2\n')
    with pytest.raises(InputError) as err:
        read_intake_file(path)
    assert err.value.message.startswith("intake.yaml is not valid YAML: line 5")
    bad_indent = write(tmp_path, 'name: "2567"\n  start: 2024-07-01\nweeks: 22\n')
    with pytest.raises(InputError, match="not valid YAML: line 2"):
        read_intake_file(bad_indent)


def test_a_key_given_twice_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path, 'name: "2567"\nweeks: 22\nname: "2568"\n')
    with pytest.raises(InputError, match=r"line 3, .*'name' is given twice \(first at line 1\)"):
        read_intake_file(path)


def test_an_impossible_yaml_date_is_reported_under_its_key(tmp_path, districts):
    text = (REPO / "data" / "intake.example.yaml").read_text("utf-8")
    path = write(tmp_path, text.replace("date: 2024-11-15", "date: 2024-11-31"))
    problems = problems_of(read_intake_file(path), districts)
    assert len(problems) == 1 and problems[0].startswith("closures[1].date: ")
    assert "2024-11-31" in problems[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- name: x\n", "must hold a mapping of keys .* not a list"),
        ("just text\n", "must hold a mapping of keys .* not a single value"),
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
    ],
)
def test_a_file_without_a_mapping(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_intake_file(write(tmp_path, text))


def test_an_unreadable_file(tmp_path):
    with pytest.raises(InputError, match="cannot read .*missing.yaml: no such file"):
        read_intake_file(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_intake_file(tmp_path)
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: \xe9t\xe9\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_intake_file(path)


def test_a_file_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: รุ่น\n".encode())
    assert read_intake_file(path) == {"name": "รุ่น"}


# ---- the example file --------------------------------------------------------------------------


def test_the_example_file_is_a_valid_intake(districts):
    example = read_intake_file(REPO / "data" / "intake.example.yaml")
    got = parse_intake(example, districts)
    assert (got.name, got.start, got.weeks, got.pilot_weeks) == ("2567", D(2024, 7, 1), 22, 2)
    assert got.end == D(2024, 11, 29)
    # By code, by Thai name, by the article's spelling, by English name.
    assert got.pilot_codes == ("4001", "5007", "3209", "5015")
    assert got.pilot_districts[0].capacity == 30
    assert got.closures == (Closure(D(2024, 11, 15), "ปิดสำนักงาน"),)


def test_the_package_ships_the_example_file():
    from importlib.resources import files

    packaged = files("castctl.data").joinpath("intake.example.yaml").read_text("utf-8")
    assert packaged == (REPO / "data" / "intake.example.yaml").read_text("utf-8")


def test_an_intake_written_out_reads_back_the_same(tmp_path, districts):
    original = parse_intake(read_intake_file(REPO / "data" / "intake.example.yaml"), districts)
    path = tmp_path / "again.yaml"
    path.write_text(yaml.safe_dump(intake_file_document(original), allow_unicode=True), "utf-8")
    assert parse_intake(read_intake_file(path), districts) == original
    assert parse_intake(intake_file_document(builtin_intake()), districts) == builtin_intake()


def test_intake_document_is_the_contract_json_object_without_trainees_and_status(districts):
    got = intake_document(parse_intake(doc(), districts))
    assert got == {
        "name": "2567",
        "title": "MOI SMART Agent for CAST, intake 2",
        "start": "2024-07-01",
        "end": "2024-11-29",
        "weeks": 22,
        "pilot_weeks": 2,
        "pilot_districts": ["4001", "5007"],
    }


# ---- the calendar of an intake ---------------------------------------------------------------


def test_a_cross_year_intake_has_the_holidays_of_both_years_and_its_closures(districts):
    closure_day, closure_on_holiday = D(2025, 1, 17), D(2025, 1, 1)
    got = parse_intake(
        doc(
            start=D(2024, 11, 4),
            weeks=22,
            pilot_weeks=3,
            closures=[
                {"date": closure_day, "name": "ปิดสำนักงาน"},
                {"date": closure_on_holiday, "name": "counted once"},
            ],
        ),
        districts,
    )
    first, last = D(2024, 11, 4), D(2025, 4, 4)  # week 22: Monday 31 March to Friday 4 April
    assert got.end == last
    public = holidays.Thailand(years=[2024, 2025])
    expected_off = {d for d in public if first <= d <= last and d.weekday() < 5} | {closure_day}
    assert {d.year for d in expected_off} == {2024, 2025}  # the test really spans New Year
    assert closure_on_holiday in public

    weeks = got.build_weeks()
    assert [w.number for w in weeks] == list(range(1, 23))
    for w in weeks:
        assert w.start == first + dt.timedelta(weeks=w.number - 1)
        assert w.end == w.start + dt.timedelta(days=4)
        assert w.phase == ("pilot" if w.number <= 3 else "target")
        off = {h.date for h in w.holidays}
        assert off == {d for d in expected_off if w.start <= d <= w.end}
        assert w.working_days == 5 - len(off)
    assert sum(w.working_days for w in weeks) == 22 * 5 - len(expected_off)
    by_date = {h.date: h for w in weeks for h in w.holidays}
    assert by_date[closure_day].name_th == "ปิดสำนักงาน"
    assert by_date[closure_on_holiday].name_en == holidays.Thailand(
        years=2025, language="en_US"
    ).get(closure_on_holiday)


def test_build_weeks_refuses_an_intake_that_does_not_start_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        calendar.build_weeks(D(2024, 7, 2), weeks=22, pilot_weeks=2)


# ---- updating an intake ------------------------------------------------------------------------


def updated(original: Intake, **changes: Any) -> Intake:
    from dataclasses import replace

    return replace(original, **changes)


@pytest.fixture
def current(districts) -> Intake:
    return parse_intake(doc(), districts)


def test_nothing_blocks_an_unchanged_intake(current):
    assert (
        check_update(current, current, has_placements_or_reports=True, placed_pilot_codes={"4001"})
        == []
    )


def test_length_and_start_are_free_until_there_are_placements_or_reports(current):
    longer = updated(current, weeks=24, pilot_weeks=3, start=D(2024, 7, 8))
    assert (
        check_update(current, longer, has_placements_or_reports=False, placed_pilot_codes=set())
        == []
    )
    problems = check_update(
        current, longer, has_placements_or_reports=True, placed_pilot_codes=set()
    )
    why = "intake 2567 already has placements or reports"
    assert problems == [
        f"start: cannot change from 2024-07-01 to 2024-07-08: {why}",
        f"weeks: cannot change from 22 to 24: {why}",
        f"pilot_weeks: cannot change from 2 to 3: {why}",
    ]


def test_a_pilot_district_with_placed_trainees_cannot_be_dropped(current):
    without = updated(current, pilot_districts=current.pilot_districts[1:])  # drops 4001
    assert check_update(
        current, without, has_placements_or_reports=True, placed_pilot_codes={"4001", "5007"}
    ) == [
        "pilot_districts: district 4001 cannot be dropped: trainees of intake 2567 are placed there"
    ]
    # Nobody placed at 4001: dropping it is fine.
    assert (
        check_update(current, without, has_placements_or_reports=True, placed_pilot_codes={"5007"})
        == []
    )


def test_check_update_compares_one_intake(current):
    with pytest.raises(ValueError):
        check_update(
            current, updated(current, name="other"), has_placements_or_reports=False,
            placed_pilot_codes=set(),
        )  # fmt: skip


def test_adding_pilot_districts_closures_and_mentors_is_fine(current):
    more = updated(
        current,
        title="renamed",
        pilot_districts=(*current.pilot_districts, IntakePilot("5015", capacity=5)),
        closures=(*current.closures, Closure(D(2024, 11, 18), "another")),
    )
    assert (
        check_update(current, more, has_placements_or_reports=True, placed_pilot_codes={"4001"})
        == []
    )


# ---- which intake ------------------------------------------------------------------------------

OLD = builtin_intake()  # 2023-07-03 .. 2023-12-01
A = intake("2567", D(2024, 7, 1))  # .. 2024-11-29
B = intake("2567b", D(2024, 9, 2))  # .. 2025-01-31: overlaps A from September
C = intake("2568", D(2025, 7, 7))


def test_intake_option_beats_environment_beats_the_date():
    every = [OLD, A, C]
    assert choose_intake(every, name="2566", env_name="2568", as_of=D(2024, 7, 10)) is OLD
    assert choose_intake(every, name=None, env_name="2568", as_of=D(2024, 7, 10)) is C
    assert choose_intake(every, name=None, env_name="  ", as_of=D(2024, 7, 10)) is A


@pytest.mark.parametrize(
    ("as_of", "chosen"),
    [
        (D(2024, 7, 1), "2567"),  # running from its start Monday
        (D(2024, 12, 1), "2567"),  # the Sunday after its last Friday: still running
        (D(2024, 12, 2), "2567"),  # ended most recently
        (D(2023, 12, 4), "2566"),  # ended most recently (2567 is upcoming)
        (D(2025, 7, 7), "2568"),
    ],
)
def test_running_then_most_recently_ended(as_of, chosen):
    assert choose_intake([C, A, OLD], name=None, env_name=None, as_of=as_of).name == chosen


def test_the_earliest_upcoming_one_when_none_has_started():
    assert choose_intake([C, A], name=None, env_name=None, as_of=D(2024, 1, 1)) is A


def test_two_running_intakes_need_the_intake_option_and_are_both_named():
    with pytest.raises(CastError) as err:
        choose_intake([OLD, A, B], name=None, env_name=None, as_of=D(2024, 10, 1))
    message = err.value.message
    assert "2567" in message and "2567b" in message and "2566" not in message
    assert "--intake" in message
    assert choose_intake([OLD, A, B], name="2567b", env_name=None, as_of=D(2024, 10, 1)) is B
    # Once A has ended, only B runs.
    assert choose_intake([OLD, A, B], name=None, env_name=None, as_of=D(2024, 12, 9)) is B


def test_an_unknown_name_says_did_you_mean():
    with pytest.raises(CastError, match=r"unknown intake '2576'; did you mean '2567'"):
        choose_intake([OLD, A], name="2576", env_name=None, as_of=D(2024, 7, 1))
    with pytest.raises(
        CastError, match=r"unknown intake 'zzz' \(from CASTCTL_INTAKE\); the intakes are 2566, 2567"
    ):
        choose_intake([OLD, A], name=None, env_name="zzz", as_of=D(2024, 7, 1))


def test_no_intakes_at_all():
    with pytest.raises(CastError, match="no intakes"):
        choose_intake([], name=None, env_name=None, as_of=D(2024, 7, 1))


# ---- P pilot districts -------------------------------------------------------------------------


def test_capacity_and_department_spread_divide_by_the_intakes_pilot_districts(current):
    four = updated(current, pilot_districts=tuple(IntakePilot(c) for c in ("1", "2", "3", "4")))
    assert four.pilot_count == 4
    assert default_mentor_capacity(four, active=10) == 3  # ceil(10 / 4)
    assert default_mentor_capacity(four, active=10, explicit=7) == 7
    assert default_mentor_capacity(builtin_intake(), active=101) == 11  # ceil(101 / 10)
    assert department_spread(four, ["DOPA"] * 9 + ["CDD"]) == {"CDD": 1, "DOPA": 3}
