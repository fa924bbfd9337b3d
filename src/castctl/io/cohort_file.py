"""Validating trainee and target-district files against the reference data.

Pure functions over a ``Sheet`` and the reference indexes: they return clean rows or raise one
``InputError`` that lists every bad cell.
"""

from __future__ import annotations

from collections.abc import Iterable

from castctl.core.emails import checked_email
from castctl.core.records import TraineeRow
from castctl.core.reference import DistrictIndex, ProvinceIndex, find_department
from castctl.core.text import KnownIds, canonical, id_text, lost_zeros_message
from castctl.errors import InputError, NotFoundError
from castctl.io.cells import as_typed, lookup_problem, shown
from castctl.io.tabular import Problems, Sheet, split_list

TRAINEE_REQUIRED = ("trainee_id", "full_name", "department", "home_province")
# Written by `trainees -f csv` beside the contract's columns; accepted and ignored on import, so
# that an export imports back unchanged (status and placements have their own commands).
TRAINEE_EXPORTED = ("status", "pilot_district_code", "target_district_code")
TRAINEE_OPTIONAL = ("email", "pilot_preferences", "target_preferences", *TRAINEE_EXPORTED)
TARGET_REQUIRED = ("district_code",)
TARGET_OPTIONAL = ("capacity",)
MAX_PILOT_PREFS = 3
MAX_TARGET_PREFS = 5
DEPARTMENT_HINT = "use OPS, DOPA, CDD, DLA, DOL, DPT, DDPM or Thai"


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
    pilots: DistrictIndex | None = None,
) -> str:
    codes: list[str] = []
    items = split_list(text)
    if len(items) > limit:
        problems.add(row, column, f"{len(items)} preferences; at most {limit} allowed")
    for item in items:
        try:
            ref = districts.find(item)
        except NotFoundError as exc:
            why = exc
            if pilot_only and pilots is not None:  # "did you mean" among the right answers
                try:
                    pilots.find(item)
                except NotFoundError as among_pilots:
                    why = among_pilots
            problems.add(row, column, lookup_problem(why, item, "a district code or name"))
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
    sheet: Sheet,
    districts: DistrictIndex,
    provinces: ProvinceIndex,
    known_ids: Iterable[str] = (),
    *,
    intake: str | None = None,
) -> list[TraineeRow]:
    """Clean trainee rows, or one ``InputError`` listing every bad cell.

    ``known_ids`` are the intake's stored trainee ids: a row whose id differs from one only in
    letter case, spaces, invisible characters, Unicode form or full-width digits updates that
    trainee under its stored id, and a digits-only id that is a stored id without its leading
    zeros is an error. Within the file, such ids are the same trainee listed twice. A pilot
    preference must be a district marked ``pilot`` in ``districts`` (the app marks the pilot
    districts of ``intake``, the intake named in the message).
    """
    _require_rows(sheet)
    problems = Problems(sheet.path)
    known = KnownIds(known_ids)
    pilots = DistrictIndex(d for d in districts.by_code.values() if d.pilot)
    seen: dict[str, int] = {}
    out: list[TraineeRow] = []
    for number, cells in sheet:
        trainee_id = id_text(as_typed(cells.get("trainee_id", "")))
        if not trainee_id:
            problems.add(number, "trainee_id", "missing")
        else:
            key = trainee_id.casefold()
            if key in seen:
                typed = shown(trainee_id, what="the id")
                problems.add(number, "trainee_id", f"{typed} already used on row {seen[key]}")
            else:
                seen[key] = number
            stored = known.get(trainee_id) if known else None
            if stored is not None:
                trainee_id = stored
            elif known and (padded := known.lost_zeros(trainee_id)) is not None:
                problems.add(number, "trainee_id", lost_zeros_message(trainee_id, padded))
        full_name = canonical(as_typed(cells.get("full_name", "")))
        if not full_name:
            problems.add(number, "full_name", "missing")
        department = ""
        raw_dept = canonical(cells.get("department", ""))
        if not raw_dept:
            problems.add(number, "department", "missing")
        else:
            try:
                department = find_department(raw_dept).code
            except NotFoundError as exc:
                why = lookup_problem(exc, raw_dept, "a department")
                problems.add(number, "department", f"{why} ({DEPARTMENT_HINT})")
        province = ""
        raw_prov = canonical(cells.get("home_province", ""))
        if not raw_prov:
            problems.add(number, "home_province", "missing")
        else:
            try:
                province = provinces.find(raw_prov).code
            except NotFoundError as exc:
                problems.add(
                    number, "home_province",
                    lookup_problem(exc, raw_prov, "a province code or name"),
                )  # fmt: skip
        email: str | None = None
        raw_email = as_typed(cells.get("email", ""))
        if raw_email:
            email, bad_email = checked_email(raw_email)
            if bad_email is not None:
                problems.add(number, "email", bad_email)
        pilot = _preferences(
            problems, number, "pilot_preferences", cells.get("pilot_preferences", ""), districts,
            limit=MAX_PILOT_PREFS, pilot_only=True, intake=intake, pilots=pilots,
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
        raw = canonical(cells.get("district_code", ""))
        code = ""
        if not raw:
            problems.add(number, "district_code", "missing")
        else:
            try:
                code = districts.find(raw).code
            except NotFoundError as exc:
                problems.add(
                    number, "district_code", lookup_problem(exc, raw, "a district code or name")
                )
        if code and code in seen:
            problems.add(number, "district_code", f"{code} already listed on row {seen[code]}")
        elif code:
            seen[code] = number
        capacity = 1
        raw_cap = cells.get("capacity", "")
        if raw_cap:
            try:
                capacity = int(raw_cap.removesuffix(".0"))
                if capacity < 1:
                    raise ValueError
            except ValueError:
                problems.add(number, "capacity", f"{shown(raw_cap)} is not a whole number ≥ 1")
        out.append((code, capacity))
    problems.raise_if_any()
    return out
