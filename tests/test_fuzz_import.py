"""Fuzzing the importers (hypothesis): whatever the file holds, an import exits 0 or 1, never with
a traceback, and a refused file (exit 1) writes nothing. Names that look like spreadsheet
formulas are exported as text, in CSV and in XLSX.

Examples share the test's database: an accepted file (exit 0) moves the baseline on.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from castctl.db.store import open_store
from tests.cohort_files import TRAINEE_COLUMNS, make_cohort, write_csv

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure is reproducible in CI
)
COHORT_TABLES = ("trainee", "trainee_status_change", "target_district", "report", "assignment")
HEADERS = {
    "trainees": TRAINEE_COLUMNS,
    "targets": ("district_code", "capacity"),
    "reports": ("trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note"),
}
FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1)", "@x", "-2+3", '=HYPERLINK("http://x","y")', "=1+1"]

# Text a person could type, and worse: any code point but lone surrogates (not encodable).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
formula_like = st.one_of(
    st.sampled_from(FORMULAS), st.builds(lambda c, t: c + t, st.sampled_from("=+-@"), any_text)
)
huge = st.builds(
    lambda s, n: (s or "x") * n, st.text(min_size=1, max_size=3), st.integers(3_400, 12_000)
)
cell = st.one_of(any_text, formula_like, huge, st.sampled_from(["", " ", "1001", "T001", "3"]))


def state(location: str) -> str:
    """A digest of the cohort tables, rows sorted in Python (any backend)."""
    db = open_store(location)
    try:
        digest = hashlib.sha256()
        for table in COHORT_TABLES:
            for row in sorted(db.read(f"SELECT * FROM {table}"), key=repr):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        db.close()


def csv_bytes(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def importer(cli, database, tmp_path: Path) -> Callable[[str, bytes, str], int]:
    """Run ``castctl KIND import`` on ``content``; check the exit code and the all-or-nothing."""
    cli("trainees", "import", str(write_csv(tmp_path / "base.csv", make_cohort(5))))

    def run(kind: str, content: bytes, suffix: str = ".csv") -> int:
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(content)
        before = state(database.url)
        r = cli(kind, "import", str(path), code=None)  # an exception fails the test
        assert r.exit_code in (0, 1), (r.exit_code, r.stderr)
        assert "Traceback" not in r.stderr
        if r.exit_code == 1:
            assert r.stderr.startswith("Error: "), r.stderr
            assert state(database.url) == before
        return r.exit_code

    return run


KINDS = ["trainees", "targets", "reports"]


# Reading and checking a file happen before the database is touched: SQLite alone is enough.
@pytest.mark.sqlite_only
@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(prefix=st.sampled_from(["", "header"]), noise=st.binary(max_size=3000))
def test_random_bytes(importer, kind, prefix, noise):
    head = csv_bytes(HEADERS[kind], []) if prefix else b""
    assert importer(kind, head + noise) in (0, 1)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_random_cells_under_a_valid_header(importer, kind, data):
    header = HEADERS[kind]
    rows = data.draw(
        st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=4)
    )
    importer(kind, csv_bytes(header, rows))


@pytest.mark.sqlite_only
@FUZZ
@given(noise=st.binary(max_size=2000), zip_head=st.booleans())
def test_random_bytes_as_a_workbook(importer, noise, zip_head):
    content = (b"PK\x03\x04" if zip_head else b"") + noise
    assert importer("trainees", content, ".xlsx") in (0, 1)


@FUZZ
@given(name=st.one_of(formula_like, any_text, huge), column=st.sampled_from(TRAINEE_COLUMNS))
def test_one_odd_cell_in_an_otherwise_good_trainee_file(importer, name, column):
    rows = make_cohort(3, seed=4, prefix="F")
    rows[1][column] = name
    content = csv_bytes(TRAINEE_COLUMNS, [[r[c] for c in TRAINEE_COLUMNS] for r in rows])
    code = importer("trainees", content)
    if column == "full_name" and 0 < len(name.strip()) <= 10_000 and "\x00" not in name:
        assert code == 0  # any name a person has is accepted, formulas included (as text)


# ---- formula-looking names are exported as text ----------------------------------------------


def test_formula_looking_names_are_exported_as_text(cli, tmp_path: Path):
    from openpyxl import load_workbook

    rows = make_cohort(len(FORMULAS), seed=8, prefix="X")
    for row, name in zip(rows, FORMULAS, strict=True):
        row["full_name"] = name
    cli("trainees", "import", str(write_csv(tmp_path / "formulas.csv", rows)))
    cli("assign", "--stage", "pilot", "-f", "json")
    names = {r["trainee_id"]: r["full_name"] for r in rows}

    out = cli("assignments", "-f", "csv").stdout
    exported = {r["trainee_id"]: r["full_name"] for r in csv.DictReader(io.StringIO(out))}
    assert exported == {tid: "'" + name for tid, name in names.items()}
    for args in (["trainees", "-f", "csv"], ["assignments", "-f", "csv", "-o", "x.csv"]):
        if "-o" in args:
            args[-1] = str(tmp_path / "x.csv")
            text = (tmp_path / "x.csv").read_text(encoding="utf-8") if cli(*args) else ""
        else:
            text = cli(*args).stdout
        for row in csv.DictReader(io.StringIO(text)):
            assert row["full_name"].startswith("'"), row

    workbook = tmp_path / "placements.xlsx"
    cli("assignments", "-f", "xlsx", "-o", str(workbook))
    wb = load_workbook(workbook)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    id_col, name_col = header.index("trainee_id"), header.index("full_name")
    seen = {}
    for line in ws.iter_rows(min_row=2):
        cell_ = line[name_col]
        assert cell_.data_type == "s", (cell_.value, cell_.data_type)  # text, never "f"
        seen[line[id_col].value] = cell_.value
    assert seen == names  # as typed: a text cell never runs, and a quote would become data
    wb.close()
    # the stored names are untouched: only exports are neutralised
    stored = {t["trainee_id"]: t["full_name"] for t in cli("trainees", "-f", "json").json()}
    assert stored == names


@pytest.mark.sqlite_only
@FUZZ
@given(name=formula_like.filter(lambda s: s.strip() and "\x00" not in s and "\r" not in s))
def test_any_formula_looking_name_stays_text_in_csv(cli, tmp_path: Path, name):
    rows = make_cohort(1, seed=1, prefix="Y")
    rows[0]["full_name"] = name
    r = cli("trainees", "import", str(write_csv(tmp_path / "one.csv", rows)), code=None)
    if r.exit_code:
        return  # a cell the importer refuses (e.g. too odd to be a name) is not exported
    out = cli("trainees", "-f", "csv").stdout
    for row in csv.DictReader(io.StringIO(out)):
        if row["trainee_id"] == "Y001":
            value = row["full_name"]
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# ---- damaged real files: a good workbook or CSV with bytes flipped, cut or inserted ----------


def good_workbook() -> bytes:
    from tests.cohort_files import write_xlsx

    rows = [[r[c] for c in TRAINEE_COLUMNS] for r in make_cohort(4, seed=6, prefix="Z")]
    buffer = io.BytesIO()
    write_xlsx(buffer, TRAINEE_COLUMNS, rows)  # type: ignore[arg-type]
    return buffer.getvalue()


def good_csv(encoding: str, sep: str) -> bytes:
    rows = [[r[c] for c in TRAINEE_COLUMNS] for r in make_cohort(4, seed=6, prefix="Z")]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep).writerows([TRAINEE_COLUMNS, *rows])
    return buffer.getvalue().encode(encoding)


def corrupt(data: bytes, seed: int) -> bytes:
    """Seeded damage as disks, mail gateways and half-finished downloads do it."""
    import random

    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(("flip", "cut", "insert", "zero", "truncate"))
        at = rng.randrange(len(out)) if out else 0
        if kind == "flip" and out:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == "cut":
            del out[at : at + rng.randint(1, 64)]
        elif kind == "insert":
            out[at:at] = rng.randbytes(rng.randint(1, 32))
        elif kind == "zero":
            out[at : at + 16] = bytes(len(out[at : at + 16]))
        else:
            del out[at:]
    return bytes(out)


# Reading happens before the database is touched: SQLite alone is enough.
@pytest.mark.sqlite_only
@FUZZ
@given(seed=st.integers(0, 2**32 - 1))
def test_a_damaged_workbook_exits_1_or_imports(importer, seed):
    assert importer("trainees", corrupt(good_workbook(), seed), ".xlsx") in (0, 1)


@pytest.mark.sqlite_only
@FUZZ
@given(
    seed=st.integers(0, 2**32 - 1),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp874"]),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_a_damaged_csv_in_any_encoding_exits_1_or_imports(importer, seed, encoding, sep):
    assert importer("trainees", corrupt(good_csv(encoding, sep), seed)) in (0, 1)
