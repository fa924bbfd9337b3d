"""Real files from Thai offices (issue 12): encodings and separators, XLSX as Excel writes it,
dates as Thai staff type them, ids that look alike, email cells, and error messages that never
print a person's name or address.

Pure parsing is tested on the functions; anything that touches the database goes through the
real command line (``cli``), on both backends.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from castctl.core.calendar import parse_date
from castctl.core.dates import parse_thai_date
from castctl.core.emails import _plain_address, checked_email, normalize_email
from castctl.core.reference import DistrictIndex, ProvinceIndex, all_districts, all_provinces
from castctl.core.text import KnownIds, canonical, id_key, id_text
from castctl.errors import InputError, NotFoundError
from castctl.io.cells import quotable
from castctl.io.tabular import read_table
from tests.cohort_files import TRAINEE_COLUMNS, make_cohort, write_csv, write_xlsx

REPORT_COLUMNS = ("trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note")
ZWSP, NBSP = "\u200b", "\u00a0"
NAM_COMPOSED = "น\u0e49\u0e33"  # น้ำ as Unicode spells it (SARA AM)
NAM_TYPED = "น\u0e49\u0e4d\u0e32"  # the same word typed with NIKHAHIT + SARA AA


def csv_text(header, rows, sep=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def read(path: Path, columns=TRAINEE_COLUMNS):
    return read_table(path, required=columns[:1], optional=columns[1:])


# ---- canonical text and ids ------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "T001", "t001", " T001 ", f"T001{ZWSP}", f"{ZWSP}T001", f"T001{NBSP}", "\ufeffT001",
        "Ｔ００１", "ｔ001", "T\u200c001",
    ],
)  # fmt: skip
def test_every_id_variant_has_one_key(variant):
    assert id_key(variant) == id_key("T001")
    assert id_text(variant).casefold() == "t001"


def test_thai_text_is_compared_in_one_form():
    nfd = unicodedata.normalize("NFD", "ศรีขรภูมิ")
    assert canonical(nfd) == canonical("ศรีขรภูมิ")
    assert canonical(NAM_TYPED) == NAM_COMPOSED
    assert canonical("\u0e19\u0e4d\u0e32") == "\u0e19\u0e33"  # นํา -> นำ
    assert canonical(f"  นาย{NBSP}สมชาย {ZWSP} ใจดี ") == "นาย สมชาย ใจดี"
    assert id_key(f"ก{NAM_TYPED}1") == id_key(f"ก{NAM_COMPOSED}1")


def test_known_ids_find_the_stored_spelling_and_lost_zeros():
    known = KnownIds(["T001", "00042", "MOI-7"])
    assert known.get("t001 ") == "T001"
    assert known.get("ｍｏｉ－７") == "MOI-7"
    assert known.get("42") is None
    assert known.lost_zeros("42") == "00042"
    assert known.lost_zeros("042") == "00042"
    assert known.lost_zeros("43") is None
    assert known.lost_zeros("00042") is None  # it is the stored id itself


def test_a_decomposed_sara_am_finds_the_place_and_did_you_mean_never_echoes_it():
    districts = DistrictIndex(all_districts())
    name = next(d.name_th for d in all_districts() if "\u0e33" in d.name_th)
    typed = name.replace("\u0e33", "\u0e4d\u0e32")
    assert districts.find(typed).name_th == name
    assert districts.find(unicodedata.normalize("NFD", typed) + ZWSP).name_th == name
    with pytest.raises(NotFoundError) as caught:
        districts.find(typed + "x")
    for suggestion in getattr(caught.value, "suggestions", ()):
        assert canonical(suggestion) != canonical(typed + "x")
    provinces = ProvinceIndex(all_provinces())
    assert provinces.find(f" {ZWSP}Bangkok{NBSP}").code == "10"


# ---- dates -----------------------------------------------------------------------------------

NOV_17 = dt.date(2023, 11, 17)


@pytest.mark.parametrize(
    "text",
    [
        "2023-11-17", "2566-11-17", "17/11/2023", "17/11/2566", "17 พ.ย. 2566", "17 พ.ย.2566",
        "17 พย 2566", "17 พฤศจิกายน 2566", "17 พฤศจิกายน พ.ศ. 2566", "๑๗ พ.ย. ๒๕๖๖",
        "17 พ.ย. 66", " 17/11/2566\u200b", "2023-11-17T09:30:00", "2023-11-17 09:30",
    ],
)  # fmt: skip
def test_every_accepted_date_form(text):
    assert parse_thai_date(text) == NOV_17
    assert parse_date(text, "--on") == NOV_17


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/7/2023", dt.date(2023, 7, 1)),
        ("3 ก.ค. 2566", dt.date(2023, 7, 3)),
        ("1 มกราคม 2567", dt.date(2024, 1, 1)),
        ("29 ก.พ. 2567", dt.date(2024, 2, 29)),
        ("31 ธันวาคม 2566", dt.date(2023, 12, 31)),
        ("2399-01-01", dt.date(2399, 1, 1)),  # below 2400: a Common Era year
    ],
)
def test_each_thai_month_and_the_buddhist_era_boundary(text, expected):
    assert parse_thai_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "31/06/2023", "11/17/2023", "17/11/66", "29 ก.พ. 2566", "17 พ.ศ. 2566",
        "17 นาย 2566", "2023/11/17", "yesterday", "17 พฤศจิกายน พ.ศ. 2023",
    ],
)  # fmt: skip
def test_a_date_that_is_not_one_names_the_accepted_forms(text):
    assert parse_thai_date(text) is None
    with pytest.raises(InputError) as caught:
        parse_date(text, "--as-of")
    assert "YYYY-MM-DD, D/M/YYYY" in caught.value.message
    assert "17 พ.ย. 2566" in caught.value.message


# ---- email -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("t1@example.go.th", "t1@example.go.th"),
        (" Somchai.J@MOI.GO.TH\u200b", "Somchai.J@moi.go.th"),
        ("สมชาย@ตัวอย่าง.ไทย", "สมชาย@ตัวอย่าง.ไทย"),
        ("first+tag@sub.example.co.th", "first+tag@sub.example.co.th"),
    ],
)
def test_one_valid_address_is_kept_normalised(text, address):
    assert checked_email(text) == (address, None)
    assert normalize_email(text) == address


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a@b@c", "not a valid email address"),
        ("a b@x.com", "not a valid email address"),
        ("x@a.com,y@b.com", "holds more than one address"),
        ("x@a.com; y@b.com", "holds more than one address"),
        ("x@a.com y@b.com", "holds more than one address"),
        ("not-an-email", "not an email address"),
        ("x@localhost", "not a valid email address"),
        ("x@example.test", "not a valid email address"),
        ("x@-bad.com", "not a valid email address"),
        ("x..y@example.com", "not a valid email address"),
    ],
)
def test_anything_but_one_address_is_refused_without_repeating_it(text, why):
    address, problem = checked_email(text)
    assert address is None
    assert problem is not None and problem.startswith(why)
    with pytest.raises(InputError) as caught:
        normalize_email(text, "--email")
    assert text not in caught.value.message


_label = st.from_regex(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,70}", fullmatch=True)
_local = st.from_regex(r"[A-Za-z0-9_+]{1,12}(?:[.-][A-Za-z0-9_+]{1,12}){0,6}", fullmatch=True)
_tld = st.sampled_from(["th", "com", "org", "test", "local", "INVALID", "Co", "museum", "x1"])
_mailbox = st.one_of(_local, st.sampled_from(["Postmaster", "INFO", "www", "abuse"]))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(local=_mailbox, labels=st.lists(_label, min_size=1, max_size=4), tld=_tld)
def test_the_fast_path_agrees_with_the_validator(local, labels, tld):
    """Plain addresses skip the validator for speed: it must accept each one the same way."""
    from email_validator import EmailNotValidError, validate_email

    address = f"{local}@{'.'.join(labels)}.{tld}"
    fast = _plain_address(address)
    if fast is None:
        return  # the validator decides these itself
    try:
        assert validate_email(address, check_deliverability=False).normalized == fast
    except EmailNotValidError as exc:
        raise AssertionError(f"{address}: fast path accepts, validator says {exc}") from None


# ---- privacy of messages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("DOPA", True), ("1001", True), ("2023-07-14", True), ("coordinate", True),
        ("SDG 4", True), ("???", True), ("T001", True), ("Somchai", False),
        ("นายสมชาย ใจดี", False), ("somchai@example.go.th", False), ("somchai jaidee", False),
        ("x" * 30, False),
    ],
)  # fmt: skip
def test_only_codes_numbers_and_dates_are_quotable(text, ok):
    assert quotable(text) is ok


# ---- CSV encodings and separators ------------------------------------------------------------

THAI_ROWS = [
    ["T001", "นายสมชาย ใจดี", "ปค.", "กรุงเทพมหานคร", "", "", ""],
    ["T002", "นางสาวสุภาพร ศรีสุข", "CDD", "เชียงใหม่", "", "", ""],
]


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [
        ("utf-8", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("utf-8-sig", "\t"),
        ("utf-16", "\t"), ("utf-16", ","), ("cp874", ","), ("cp874", ";"), ("cp874", "\t"),
        ("utf-16-le", "\t"),
    ],
)  # fmt: skip
def test_every_encoding_and_separator_reads_the_same_cells(tmp_path, encoding, sep):
    path = tmp_path / "thai.csv"
    path.write_bytes(csv_text(TRAINEE_COLUMNS, THAI_ROWS, sep).encode(encoding))
    sheet = read(path)
    assert sheet.columns == list(TRAINEE_COLUMNS)
    assert [(n, c["full_name"], c["home_province"]) for n, c in sheet] == [
        (2, "นายสมชาย ใจดี", "กรุงเทพมหานคร"),
        (3, "นางสาวสุภาพร ศรีสุข", "เชียงใหม่"),
    ]


def test_a_separator_inside_quotes_does_not_fool_the_sniffer(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text('trainee_id;full_name\nT1;"ใจดี, สมชาย"\n', encoding="utf-8")
    assert [c for _, c in read(path, ("trainee_id", "full_name"))] == [
        {"trainee_id": "T1", "full_name": "ใจดี, สมชาย"}
    ]


@pytest.mark.parametrize(
    ("content", "tried"),
    [
        ("trainee_id\ncafé\n".encode("latin-1"), "UTF-8, Windows-874/TIS-620"),
        (b"trainee_id\n\xff\xfe\xfd\xdb\n", "UTF-8, Windows-874/TIS-620"),
        (b"\xff\xfe" + "trainee_id\n".encode("utf-16-le") + b"\x00", "UTF-16 (with BOM)"),
    ],
)
def test_an_undecodable_file_says_which_encodings_were_tried(tmp_path, content, tried):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read(path)
    assert f"(tried {tried})" in caught.value.message
    assert "café" not in caught.value.message


def test_a_binary_file_and_an_old_xls_are_refused_in_one_line(tmp_path):
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"trainee_id\nab\x00\x01\x02cd\n")
    with pytest.raises(InputError, match="NUL bytes"):
        read(binary)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match="old-style .xls or a password-protected"):
        read(xls)


# ---- XLSX ------------------------------------------------------------------------------------


def test_xlsx_dates_are_dates_and_numeric_ids_lose_no_text(tmp_path):
    rows = [
        [42, 3, dt.datetime(2023, 7, 21), None, None, 4.0, None],
        ["T002", 4.0, dt.datetime(2023, 7, 28, 9, 30), None, None, None, 0.1 + 0.2],
    ]
    sheet = read(write_xlsx(tmp_path / "r.xlsx", REPORT_COLUMNS, rows), REPORT_COLUMNS)
    assert [c for _, c in sheet] == [
        {"trainee_id": "42", "week": "3", "submitted_on": "2023-07-21", "mechanisms": "",
         "networks": "", "sdgs": "4", "note": ""},
        {"trainee_id": "T002", "week": "4", "submitted_on": "2023-07-28T09:30:00",
         "mechanisms": "", "networks": "", "sdgs": "", "note": "0.3"},
    ]  # fmt: skip


def stray_cell_workbook(path: Path, row: int, column: int) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.append(list(TRAINEE_COLUMNS))
    for person in make_cohort(5, seed=3, prefix="S"):
        ws.append([person[c] for c in TRAINEE_COLUMNS])
    ws.cell(row=row, column=column).font = Font(bold=True)  # formatted, empty
    wb.save(path)
    return path


def test_a_stray_formatted_cell_is_ignored(tmp_path):
    sheet = read(stray_cell_workbook(tmp_path / "stray.xlsx", 1_000_000, 200))
    assert len(sheet) == 5 and sheet.columns == list(TRAINEE_COLUMNS)


# The child's own peak: VmHWM of its address space, which starts afresh at exec. (ru_maxrss
# would also count the forking parent, a pytest worker of a few hundred MiB, because Linux
# carries the pre-exec high-water mark over into the child's rusage.)
PEAK_RSS = """
import sys
from pathlib import Path
from castctl.io.tabular import read_table
sheet = read_table(Path(sys.argv[1]), required=("trainee_id",), optional=sys.argv[2:])
assert len(sheet) == 5, len(sheet)
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024)
"""


def peak_mib(path: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(path), *TRAINEE_COLUMNS[1:]],
        capture_output=True, text=True, timeout=120, env=os.environ, check=True,
    )  # fmt: skip
    return int(out.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS read from /proc")
def test_a_stray_cell_at_xfd1048576_costs_no_memory(tmp_path):
    """The sheet's dimension is A1:XFD1048576; reading costs what a 5-row file costs."""
    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, TRAINEE_COLUMNS, [[p[c] for c in TRAINEE_COLUMNS] for p in
                                        make_cohort(5, seed=3, prefix="S")])  # fmt: skip
    stray = stray_cell_workbook(tmp_path / "stray.xlsx", 1_048_576, 16_384)
    baseline, measured = peak_mib(plain), peak_mib(stray)
    assert measured <= baseline + 25, (baseline, measured)
    assert measured < 150, measured


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not a zip", "bad xml", "bad deflate", "no sheet", "empty zip"],
)
def test_a_damaged_workbook_is_one_line_never_a_traceback(tmp_path, damage):
    import zipfile

    good = write_xlsx(tmp_path / "good.xlsx", TRAINEE_COLUMNS, [["T1", "a", "DOPA", "10"]])
    data = good.read_bytes()
    path = tmp_path / "bad.xlsx"
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not a zip":
        path.write_bytes(b"trainee_id,full_name\n")
    elif damage == "bad deflate":
        start = data.index(b"xl/worksheets/sheet1.xml") + 40
        path.write_bytes(data[:start] + bytes(b ^ 0x5A for b in data[start : start + 60])
                         + data[start + 60 :])  # fmt: skip
    else:
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                content = src.read(item)
                if damage == "empty zip":
                    continue
                if item.filename == "xl/worksheets/sheet1.xml":
                    if damage == "no sheet":
                        continue
                    content = content[: len(content) // 2] + b"<<<"
                dst.writestr(item, content)
    with pytest.raises(InputError) as caught:
        read(path)
    message = caught.value.message
    assert message.startswith("bad.xlsx is not a readable XLSX workbook"), message
    assert "\n" not in message


# ---- through the command line, on both backends ----------------------------------------------


def trainees(cli) -> dict[str, dict]:
    return {t["trainee_id"]: t for t in cli("trainees", "-f", "json").json()}


@pytest.mark.parametrize(("encoding", "sep"), [("cp874", ","), ("utf-16", "\t"), ("utf-8", ";")])
def test_thai_excel_files_import(cli, tmp_path, encoding, sep):
    path = tmp_path / "thai.csv"
    path.write_bytes(csv_text(TRAINEE_COLUMNS, THAI_ROWS, sep).encode(encoding))
    r = cli("trainees", "import", path)
    assert "2 added" in r.stderr
    got = trainees(cli)
    assert got["T001"]["full_name"] == "นายสมชาย ใจดี"
    assert (got["T001"]["department"], got["T001"]["home_province"]) == ("DOPA", "10")
    assert "0 added, 0 updated, 2 unchanged" in cli("trainees", "import", path).stderr


def test_id_variants_in_one_file_are_one_trainee(cli, tmp_path):
    base = ["นายสมชาย ใจดี", "DOPA", "10", "", "", ""]
    variants = ["T001", " t001", f"T001{ZWSP}", "Ｔ００１", f"T{NBSP}001 "]
    rows = [[v, *base] for v in variants]
    r = cli("trainees", "import", write_csv(tmp_path / "dup.csv", rows), code=1)
    assert r.stderr.count("already used on row 2") == 3, r.stderr  # T{NBSP}001 is "T 001"
    assert trainees(cli) == {}


def test_canonical_variants_update_the_stored_trainee(cli, tmp_path):
    base = ["ก", "DOPA", "10", "", "", ""]
    cli(
        "trainees",
        "import",
        write_csv(tmp_path / "a.csv", [["T001", *base], [f"ก{NAM_COMPOSED}", *base]]),
    )
    for variant in (
        f" T001{ZWSP}",
        "Ｔ００１",
        f"ก{NAM_TYPED}",
        unicodedata.normalize("NFD", "T001"),
    ):
        r = cli("trainees", "import", write_csv(tmp_path / "b.csv", [[variant, *base]]))
        assert "0 added" in r.stderr, (variant, r.stderr)
    assert set(trainees(cli)) == {"T001", f"ก{NAM_COMPOSED}"}


def test_an_id_in_another_case_updates_the_stored_trainee(cli, tmp_path):
    base = ["ก", "DOPA", "10", "", "", ""]
    cli("trainees", "import", write_csv(tmp_path / "a.csv", [["T001", *base], ["00042", *base]]))
    r = cli("trainees", "import", write_csv(tmp_path / "b.csv", [["t001", *base]]))
    assert "0 added" in r.stderr
    r = cli("trainees", "import", write_csv(tmp_path / "c.csv", [["42", *base]]), code=1)
    assert "00042" in r.stderr


def test_reports_find_trainees_by_any_variant_of_their_id(cli, tmp_path):
    base = ["ก", "DOPA", "10", "", "", ""]
    cli("trainees", "import", write_csv(tmp_path / "t.csv", [["T001", *base], ["00042", *base]]))
    rows = [
        ["t001", 3, "21/7/2566", "coordinate", "", "", ""],
        [f"Ｔ００１{ZWSP}", 4, "28 ก.ค. 2566", "", "", "", ""],
        ["00042", 20, "17 พฤศจิกายน 2566", "", "", "", ""],
        ["T001", 20, "2566-11-17", "", "", "", ""],
    ]
    cli("reports", "import", write_csv(tmp_path / "r.csv", rows, REPORT_COLUMNS))
    stored = cli("reports", "list", "-f", "json").json()
    assert sorted((r["trainee_id"], r["week"], r["submitted_on"]) for r in stored) == [
        ("00042", 20, "2023-11-17"),
        ("T001", 3, "2023-07-21"),
        ("T001", 4, "2023-07-28"),
        ("T001", 20, "2023-11-17"),
    ]
    xlsx = write_xlsx(tmp_path / "zeros.xlsx", REPORT_COLUMNS, [[42, 5, "4/8/2566"]])
    r = cli("reports", "import", xlsx, code=1)
    assert "row 2, column trainee_id: 42 looks like the id 00042 without its leading zeros" in (
        r.stderr
    )


def test_on_and_as_of_take_thai_dates(cli, tmp_path):
    base = ["ก", "DOPA", "10", "", "", ""]
    cli("trainees", "import", write_csv(tmp_path / "t.csv", [["T001", *base]]))
    cli("reports", "add", "T001", "--week", "20", "--on", "17 พ.ย. 2566")
    stored = cli("reports", "list", "-f", "json").json()
    assert [(r["week"], r["submitted_on"]) for r in stored] == [(20, "2023-11-17")]
    timeline = cli("timeline", "--as-of", "17/11/2566", "-f", "json").json()
    assert timeline["current_week"] == 20


def test_errors_quote_codes_and_near_misses_but_never_a_name_or_an_address(cli, tmp_path):
    rows = [
        ["T1", "ok", "นายสมชาย ใจดี", "10", "", "", ""],  # a name in the department column
        ["T2", "ok", "DOPA", "Somchai Jaidee", "", "", ""],  # a name as the province
        ["T3", "ok", "DOPA", "10", "somchai@x@moi.go.th", "", ""],
        ["T4", "ok", "DOPA", "Bangkokk", "", "", ""],  # a near miss: quoted with the hint
        ["T5", "ok", "XYZ", "10", "", "", "9999"],  # codes: quoted
    ]
    r = cli("trainees", "import", write_csv(tmp_path / "bad.csv", rows), code=1)
    for secret in ("สมชาย", "Somchai", "somchai", "moi.go.th"):
        assert secret not in r.stderr, r.stderr
    assert "row 2, column department: not a department (use OPS" in r.stderr
    assert "row 3, column home_province: not a province code or name" in r.stderr
    assert "row 4, column email: not a valid email address" in r.stderr
    assert "unknown province 'Bangkokk'; did you mean 'Bangkok'?" in r.stderr
    assert "unknown department 'XYZ'" in r.stderr
    assert "unknown district '9999'" in r.stderr


def test_a_note_typed_into_the_date_column_is_not_printed(cli, tmp_path):
    base = ["ก", "DOPA", "10", "", "", ""]
    cli("trainees", "import", write_csv(tmp_path / "t.csv", [["T001", *base]]))
    rows = [["T001", 3, "โทร 081-234-5678 คุณสมหญิง", "", "", "", ""]]
    r = cli("reports", "import", write_csv(tmp_path / "r.csv", rows, REPORT_COLUMNS), code=1)
    assert "สมหญิง" not in r.stderr and "081" not in r.stderr
    assert "row 2, column submitted_on: the value is not a date; use YYYY-MM-DD" in r.stderr


def test_the_contract_date_forms_are_documented_in_the_message(cli, tmp_path):
    r = cli("timeline", "--as-of", "yesterday", code=1)
    assert r.stderr.startswith("Error: --as-of 'yesterday' is not a date; use YYYY-MM-DD")
    assert len(r.stderr.strip().splitlines()) == 1


def test_an_email_cell_holds_one_address(cli, tmp_path):
    base = ["ก", "DOPA", "10"]
    rows = [
        ["E1", *base, "x@a.com,y@b.com", "", ""],
        ["E2", *base, "a b@x.com", "", ""],
        ["E3", *base, "a@b@c", "", ""],
    ]
    r = cli("trainees", "import", write_csv(tmp_path / "e.csv", rows), code=1)
    assert "row 2, column email: holds more than one address" in r.stderr
    assert "row 3, column email: not a valid email address" in r.stderr
    assert "row 4, column email: not a valid email address" in r.stderr
    good = [["E1", *base, " E1@Example.GO.TH ", "", ""]]
    cli("trainees", "import", write_csv(tmp_path / "g.csv", good))
    assert trainees(cli)["E1"]["email"] == "E1@example.go.th"


def test_big_file_reading_stays_lean():
    """The reader keeps one tuple of shared strings per row (see _table): a sanity check that
    two equal cells of different rows are one object."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        rows = [["T001", "3", "2023-07-21", "coordinate", "", "", "x"]] * 3
        path.write_text(csv_text(REPORT_COLUMNS, rows), encoding="utf-8")
        sheet = read(path, REPORT_COLUMNS)
        (_, a), (_, b) = sheet.cells[:2]
        assert all(x is y for x, y in zip(a, b, strict=True))


def test_trainees_csv_export_imports_back_unchanged(cli, tmp_path):
    rows = make_cohort(6, seed=9, prefix="R")
    rows[0]["full_name"] = "=HYPERLINK(1)"
    rows[1]["full_name"] = "-นาย ขีด"
    cli("trainees", "import", write_csv(tmp_path / "in.csv", rows))
    exported = tmp_path / "out.csv"
    exported.write_text(cli("trainees", "-f", "csv").stdout, encoding="utf-8")
    r = cli("trainees", "import", exported)
    assert r.stderr.strip().endswith("0 added, 0 updated, 6 unchanged"), r.stderr
    assert trainees(cli)["R001"]["full_name"] == "=HYPERLINK(1)"
