"""Validating trainee and target-district files against the reference data.

Pure functions over a ``Sheet`` and the reference indexes: they return clean rows or raise one
``InputError`` that lists every bad cell.
"""

from __future__ import annotations

from castctl.core.records import TraineeRow
from castctl.core.reference import DistrictIndex, ProvinceIndex, find_department
from castctl.errors import InputError, NotFoundError
from castctl.io.tabular import Problems, Sheet, split_list

TRAINEE_REQUIRED = ("trainee_id", "full_name", "department", "home_province")
TRAINEE_OPTIONAL = ("email", "pilot_preferences", "target_preferences")
TARGET_REQUIRED = ("district_code",)
TARGET_OPTIONAL = ("capacity",)
MAX_PILOT_PREFS = 3
MAX_TARGET_PREFS = 5


def _preferences(
    problems: Problems,
    row: int,
    column: str,
    text: str,
    districts: DistrictIndex,
    *,
    limit: int,
    pilot_only: bool,
    intake: str | None = None,
) -> str:
    codes: list[str] = []
    items = split_list(text)
    if len(items) > limit:
        problems.add(row, column, f"{len(items)} preferences; at most {limit} allowed")
    for item in items:
        try:
            ref = districts.find(item)
        except NotFoundError as exc:
            problems.add(row, column, exc.message)
            continue
        if pilot_only and not ref.pilot:
            of = f" of intake {intake}" if intake else ""
            problems.add(row, column, f"{ref.code} {ref.name_en} is not a pilot district{of}")
        elif ref.code in codes:
            problems.add(row, column, f"{ref.code} is listed twice")
        else:
            codes.append(ref.code)
    return ";".join(codes)


def _require_rows(sheet: Sheet) -> None:
    # A header with nothing under it is almost always the wrong sheet or a failed export.
    if not len(sheet):
        raise InputError(f"{sheet.path.name} has a header row but no data rows; nothing written")


def parse_trainees(
    sheet: Sheet, districts: DistrictIndex, provinces: ProvinceIndex, *, intake: str | None = None
) -> list[TraineeRow]:
    """The trainee rows of ``sheet``; every problem of every row raised together.

    A pilot preference must be a district marked ``pilot`` in ``districts`` (the app marks the
    pilot districts of ``intake``, the intake named in the message)."""
    _require_rows(sheet)
    problems = Problems(sheet.path)
    seen: dict[str, int] = {}
    out: list[TraineeRow] = []
    for number, cells in sheet:
        trainee_id = cells.get("trainee_id", "")
        if not trainee_id:
            problems.add(number, "trainee_id", "missing")
        elif trainee_id in seen:
            problems.add(
                number, "trainee_id", f"{trainee_id!r} already used on row {seen[trainee_id]}"
            )
        else:
            seen[trainee_id] = number
        full_name = " ".join(cells.get("full_name", "").split())
        if not full_name:
            problems.add(number, "full_name", "missing")
        department = ""
        raw_dept = cells.get("department", "")
        if not raw_dept:
            problems.add(number, "department", "missing")
        else:
            try:
                department = find_department(raw_dept).code
            except NotFoundError as exc:
                problems.add(
                    number, "department",
                    f"{exc.message} (use OPS, DOPA, CDD, DLA, DOL, DPT, DDPM or Thai)",
                )  # fmt: skip
        province = ""
        raw_prov = cells.get("home_province", "")
        if not raw_prov:
            problems.add(number, "home_province", "missing")
        else:
            try:
                province = provinces.find(raw_prov).code
            except NotFoundError as exc:
                problems.add(number, "home_province", exc.message)
        email = cells.get("email", "") or None
        if email and ("@" not in email or email.split() != [email]):
            problems.add(number, "email", "not an email address")
        pilot = _preferences(
            problems, number, "pilot_preferences", cells.get("pilot_preferences", ""), districts,
            limit=MAX_PILOT_PREFS, pilot_only=True, intake=intake,
        )  # fmt: skip
        target = _preferences(
            problems, number, "target_preferences", cells.get("target_preferences", ""),
            districts, limit=MAX_TARGET_PREFS, pilot_only=False,
        )  # fmt: skip
        out.append(TraineeRow(trainee_id, full_name, department, province, email, pilot, target))
    problems.raise_if_any()
    return out


def parse_targets(sheet: Sheet, districts: DistrictIndex) -> list[tuple[str, int]]:
    """(district code, capacity) pairs; capacity defaults to 1."""
    _require_rows(sheet)
    problems = Problems(sheet.path)
    seen: dict[str, int] = {}
    out: list[tuple[str, int]] = []
    for number, cells in sheet:
        raw = cells.get("district_code", "")
        code = ""
        if not raw:
            problems.add(number, "district_code", "missing")
        else:
            try:
                code = districts.find(raw).code
            except NotFoundError as exc:
                problems.add(number, "district_code", exc.message)
        if code and code in seen:
            problems.add(number, "district_code", f"{code} already listed on row {seen[code]}")
        elif code:
            seen[code] = number
        capacity = 1
        raw_cap = cells.get("capacity", "")
        if raw_cap:
            try:
                capacity = int(raw_cap)
                if capacity < 1:
                    raise ValueError
            except ValueError:
                problems.add(number, "capacity", f"{raw_cap!r} is not a whole number ≥ 1")
        out.append((code, capacity))
    problems.raise_if_any()
    return out
