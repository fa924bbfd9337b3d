"""What a hostile tester found (issue 12), through the real command line on both backends:
trainee ids typed any way, withdrawals outside the intake, out-of-range options, the
infeasibility message, "did you mean", help texts."""

from __future__ import annotations

import pytest

from tests.cohort import Person, add_people
from tests.cohort_files import PILOT_CODES, TRAINEE_COLUMNS, write_csv

ZWSP = "\u200b"
VARIANTS = ("t001", " T001 ", "Ｔ００１", f"T001{ZWSP}", "T\u200b001")


@pytest.fixture
def two(database):
    add_people(
        database,
        [Person("T001", "ก", "DOPA", "5607"), Person("00042", "ข", "DLA", "4001")],
    )
    return database


# ---- 1. one way to find a trainee by its id --------------------------------------------------


def _commands(typed: str) -> list[list[str]]:
    return [
        ["trainees", "show", typed, "-f", "json"],
        ["reports", "list", "--trainee", typed, "-f", "json"],
        ["assign", "--stage", "pilot", "--explain", typed, "-f", "json"],
        ["assignments", "history", "--trainee", typed, "-f", "json"],
    ]


@pytest.mark.parametrize("typed", VARIANTS)
def test_every_command_finds_a_trainee_by_any_variant_of_its_id(cli, two, typed):
    r = cli("reports", "add", typed, "--week", "3", "--on", "2023-07-21")
    assert r.stderr.strip() == "report of T001 for week 3 added"
    show, listed, explained, history = (cli(*args).json() for args in _commands(typed))
    assert show["trainee_id"] == "T001"
    assert [(x["trainee_id"], x["week"]) for x in listed] == [("T001", 3)]
    assert explained["trainee_id"] == "T001"
    assert all(h["trainee_id"] == "T001" for h in history)
    r = cli("trainees", "withdraw", typed, "--on", "2023-08-01", "--reason", "moved")
    assert r.stderr.startswith("T001 withdrawn on 2023-08-01")
    assert two.query("SELECT status FROM trainee WHERE trainee_id = 'T001'") == [("withdrawn",)]
    assert two.count("trainee") == 2


def test_an_id_without_its_leading_zeros_is_named_by_every_command(cli, two):
    before = two.dump()
    commands = [
        *_commands("42"),
        ["reports", "add", "42", "--week", "3", "--on", "2023-07-21"],
        ["trainees", "withdraw", "42", "--on", "2023-08-01", "--reason", "moved"],
    ]
    for args in commands:
        r = cli(*args, code=1)
        assert r.stderr.startswith("Error: 42 looks like the id 00042 without its leading zeros")
        assert len(r.stderr.strip().splitlines()) == 1
    assert two.dump() == before


def test_an_unknown_id_is_still_unknown(cli, two):
    r = cli("trainees", "show", "T002", code=1)
    assert r.stderr == "Error: no trainee with id 'T002' in intake 2566\n"
    r = cli("reports", "list", "--trainee", "T002", code=1)
    assert r.stderr == "Error: no trainee with id 'T002' in intake 2566\n"


# ---- 2. withdrawals inside the intake, for a reason -------------------------------------------


@pytest.mark.parametrize(
    ("on", "day"),
    [
        ("2023-07-03", "2023-07-03"),  # the first Monday
        ("17 พ.ย. 2566", "2023-11-17"),
        ("17 พฤศจิกายน 2566", "2023-11-17"),
        ("3/12/2566", "2023-12-03"),  # the Sunday after the last Friday
        ("2566-08-01", "2023-08-01"),
    ],
)
def test_withdraw_takes_every_date_form_inside_the_intake(cli, two, on, day):
    r = cli("trainees", "withdraw", "T001", "--on", on, "--reason", "moved")
    assert r.stderr.startswith(f"T001 withdrawn on {day}")
    assert two.query(
        "SELECT effective_on, reason FROM trainee_status_change WHERE status = 'withdrawn'"
    ) == [(day, "moved")]


@pytest.mark.parametrize("on", ["2023-07-02", "2023-12-04", "2030-01-01", "1/1/2500"])
def test_withdraw_outside_the_intake_is_refused_naming_the_window(cli, two, on):
    before = two.dump()
    r = cli("trainees", "withdraw", "T001", "--on", on, "--reason", "moved", code=1)
    assert r.stderr.startswith("Error: --on ")
    assert "outside intake 2566, which runs from Mon 2023-07-03 to Sun 2023-12-03" in r.stderr
    assert two.dump() == before


@pytest.mark.parametrize("reason", ["", "   ", ZWSP])
def test_withdraw_without_a_reason_is_refused(cli, two, reason):
    before = two.dump()
    r = cli("trainees", "withdraw", "T001", "--on", "2023-08-01", "--reason", reason, code=1)
    assert r.stderr.startswith("Error: --reason is empty")
    assert two.dump() == before


# ---- 3. one exit code for out-of-range options --------------------------------------------------


@pytest.mark.parametrize("week", ["0", "23", "99"])
@pytest.mark.parametrize(
    "command",
    [
        ["reports", "add", "T001", "--on", "2023-07-21"],
        ["reports", "list"],
        ["summary", "weekly"],
    ],
)
def test_a_week_outside_the_intake_is_a_usage_error_everywhere(cli, two, command, week):
    before = two.dump()
    r = cli(*command, "--week", week, code=2)
    assert r.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--week': {week} is not in the range 1-22 (intake 2566's weeks)"
    )
    assert r.stderr.startswith(f"Usage: castctl {' '.join(command[:2])} ")
    assert "Traceback" not in r.stderr
    assert two.dump() == before


# ---- 4. the infeasibility message counts what it means ------------------------------------------


def test_late_joiners_that_only_a_rematch_can_place_say_so(cli, database):
    """Kept: 2 DLA in each of five pilot districts (their full share once DLA has 16), 4 OPS
    filling each of the other five (mentor capacity ceil(36 / 10) = 4). Six DLA join: no district
    with room may take another DLA, but a full re-solve spreads OPS 2 per district and fits all.
    """
    kept = [Person(f"D{k:02d}", "ด", "DLA", PILOT_CODES[k // 2]) for k in range(10)] + [
        Person(f"O{k:02d}", "อ", "OPS", PILOT_CODES[5 + k // 4]) for k in range(20)
    ]
    joiners = [Person(f"N{k}", "น", "DLA", None) for k in range(6)]
    add_people(database, kept + joiners)
    before = database.dump()
    r = cli("assign", "--stage", "pilot", code=3)
    assert r.stderr == (
        "Error: 6 unplaced DLA trainees (of 16) need a district but every district with room "
        "already has its DLA share (ceil(16 / 10) = 2); castctl assign --rematch-all can place "
        "everyone by moving placed trainees\n"
    )
    assert database.dump() == before
    done = cli("assign", "--stage", "pilot", "--rematch-all", "-f", "json").json()
    assert all(a["pilot_district_code"] for a in done["assignments"])


def test_no_rematch_hint_when_a_rematch_would_fail_too(cli, database):
    # Every mentor takes 1: 10 places for 12 trainees, however they are moved.
    add_people(
        database,
        [Person(f"D{k:02d}", "ด", "DLA", PILOT_CODES[k]) for k in range(9)]
        + [Person(f"N{k}", "น", "DLA", None) for k in range(3)],
    )
    for code in PILOT_CODES:
        cli("mentors", "set", code, "--capacity", "1")
    r = cli("assign", "--stage", "pilot", code=3)
    assert r.stderr == "Error: mentor capacity 10 < 12 active trainees\n"


# ---- 5. "did you mean" offers only what the command accepts -------------------------------------

MUEANG_PILOTS = "'Mueang Khon Kaen', 'Mueang Phitsanulok' or 'Mueang Yala'"


@pytest.mark.parametrize(
    "args",
    [
        ["trainees", "--pilot", "Mueang"],
        ["mentors", "set", "Mueang", "--capacity", "3"],
        ["progress", "--district", "Mueang"],
    ],
)
def test_did_you_mean_lists_every_matching_pilot_district_and_only_those(cli, two, args):
    r = cli(*args, code=1)
    assert r.stderr == f"Error: unknown district 'Mueang'; did you mean {MUEANG_PILOTS}?\n"


def test_a_pilot_preference_suggests_pilot_districts_only(cli, two, tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [["T9", "ก", "DOPA", "10", "", "Mueang", ""]],
        header=TRAINEE_COLUMNS,
    )
    r = cli("trainees", "import", path, code=1)
    assert f"unknown district 'Mueang'; did you mean {MUEANG_PILOTS}?" in r.stderr


@pytest.mark.parametrize(
    "name", ["กทม.", "กทม", "กรุงเทพฯ", "กรุงเทพมหานคร", "Bangkok", "BKK", "bkk", " กทม. "]
)
def test_bangkok_by_every_name_people_type(cli, two, tmp_path, name):
    districts = cli("districts", "--province", name, "-f", "json").json()
    assert len(districts) == 50 and {d["province_code"] for d in districts} == {"10"}
    assert [t["trainee_id"] for t in cli("trainees", "--province", name, "-f", "json").json()] == [
        "00042",
        "T001",
    ]
    path = write_csv(
        tmp_path / "t.csv", [["T9", "ก", "DOPA", name, "", "", ""]], header=TRAINEE_COLUMNS
    )
    cli("trainees", "import", path)
    assert two.query("SELECT home_province FROM trainee WHERE trainee_id = 'T9'") == [("10",)]


def test_province_aliases_name_one_province_each():
    from castctl.core.reference import ProvinceIndex, all_provinces, province_aliases

    provinces = {p.code: p for p in all_provinces()}
    index = ProvinceIndex(provinces.values())
    for code, aliases in province_aliases().items():
        for alias in aliases:
            assert index.find(alias).code == code, alias


# ---- 6. help says what files are read -----------------------------------------------------------


@pytest.mark.backend_independent
@pytest.mark.parametrize("command", ["trainees", "targets", "reports"])
def test_import_help_names_every_accepted_encoding_and_separator(cli, command):
    text = " ".join(cli(command, "import", "-h").stdout.split())
    assert "BOM or not" not in text
    for part in ("UTF-8 with or without BOM", "UTF-16 with BOM", "Windows-874/TIS-620",
                 "',', ';' or tab", "XLSX (first sheet)"):  # fmt: skip
        assert part in text, part
