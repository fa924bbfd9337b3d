"""The weekly digest (pure): aggregated figures in, the summary document out.

One document covers one intake: either its whole cohort or one mentor's trainees (``only`` =
that pilot district): the same figures, restricted. Its keys are the contract's ``summary weekly
-f json`` (``intake, week, phase, start, end, expected, submitted, missing, by_district``) plus
what the digest
shows: holidays this week and next, trainees with a missing streak, mechanism and network
coverage, and the submission rate of every week so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from castctl.core.calendar import Week, elapsed_weeks
from castctl.core.progress import FLAG_STREAK, coverage, level, percent
from castctl.errors import InputError

# A week "just ended" on a day up to this long after its Friday: the Friday itself up to the
# Thursday after, so a weekly cron run, whatever its weekday, sees every week once.
JUST_ENDED = dt.timedelta(days=7)


def default_week(weeks: Sequence[Week], as_of: dt.date) -> int:
    """The last completed week on ``as_of`` (its Friday is past); after the intake, its last
    week. A run that missed its slot (cron on a machine that was off) still gets the
    week that ended most recently."""
    done = elapsed_weeks(list(weeks), as_of)
    if done == 0:
        first = weeks[0]
        raise InputError(
            f"no week has ended yet on {as_of}: week 1 runs {first.start} to {first.end}; "
            "give --week N to preview a week"
        )
    return done


def just_ended_week(weeks: Sequence[Week], as_of: dt.date) -> int | None:
    """The week of an intake (``weeks``) that just ended on ``as_of``, for cron without a
    chosen intake: ``default_week``'s week, when its Friday is at most 6 days before
    ``as_of``; None when no week has ended yet or the intake's last week ended longer ago.

    While an intake runs, every day after its first Friday has such a week (weeks follow each
    other), and the week after its last Friday still gets that week's digest (the Monday cron
    after the last week); then the intake falls silent.
    """
    done = elapsed_weeks(list(weeks), as_of)
    if done == 0 or as_of - weeks[done - 1].end >= JUST_ENDED:
        return None
    return done


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the database aggregated for one week of one intake (all its pilot
    districts)."""

    intake: str  # the intake's name
    pilot_weeks: int
    week: Week
    next_week: Week | None
    weeks: Sequence[Week]
    districts: Sequence[Mapping[str, Any]]  # pilot districts: code, names, mentor_name, …
    by_district: Mapping[str, Mapping[str, Any]]  # code -> expected, submitted, coverage
    missing: Sequence[tuple[str, str, str]]  # (trainee_id, full_name, district)
    streaks: Sequence[tuple[str, str, str, int]]  # (trainee_id, full_name, district, last week)
    submitted_by_week: Mapping[tuple[str, int], int]  # (district, week) -> reports


def _holidays(week: Week, th: bool) -> list[dict[str, str]]:
    return [
        {"date": h.date.isoformat(), "name": h.name_th if th else h.name_en} for h in week.holidays
    ]


def _sum_coverage(raws: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, int] = {}
    for raw in raws:
        for key, value in raw.items():
            if key[:2] in ("m_", "n_", "s_"):
                merged[key] = merged.get(key, 0) + int(value or 0)
    return coverage(merged)


def build_summary(figures: Figures, *, only: str | None = None, th: bool = False) -> dict[str, Any]:
    """The digest of ``figures.week`` for the whole cohort, or for pilot district ``only``."""
    week = figures.week
    districts = [d for d in figures.districts if only is None or d["code"] == only]
    codes = {d["code"] for d in districts}
    by_district = []
    for d in districts:
        raw = figures.by_district.get(d["code"], {})
        expected = int(raw.get("expected") or 0)
        submitted = int(raw.get("submitted") or 0)
        pct = percent(submitted, expected)
        by_district.append(
            {
                "code": d["code"],
                "expected": expected,
                "submitted": submitted,
                "percent": pct,
                "level": level(pct),
                "name_th": d["name_th"],
                "name_en": d["name_en"],
                "mentor": d.get("mentor_name"),
                "missing": sorted(t for t, _, dist in figures.missing if dist == d["code"]),
            }
        )
    expected = sum(r["expected"] for r in by_district)
    submitted = sum(r["submitted"] for r in by_district)
    missing = sorted(
        ({"trainee_id": t, "full_name": n, "pilot_district_code": dist}
         for t, n, dist in figures.missing if dist in codes),
        key=lambda m: m["trainee_id"],
    )  # fmt: skip
    streaks = sorted(
        (
            {"trainee_id": t, "full_name": n, "pilot_district_code": dist,
             "missing_streak": week.number - last, "last_week": last or None}
            for t, n, dist, last in figures.streaks
            if dist in codes and week.number - last >= FLAG_STREAK
        ),
        key=lambda s: (-int(s["missing_streak"] or 0), str(s["trainee_id"])),
    )  # fmt: skip
    placed = {r["code"]: r["expected"] for r in by_district}
    rate_by_week = []
    for w in figures.weeks[: week.number]:
        done = sum(figures.submitted_by_week.get((code, w.number), 0) for code in codes)
        owed = sum(placed.values())
        pct = percent(done, owed)
        rate_by_week.append(
            {"week": w.number, "expected": owed, "submitted": done, "percent": pct,
             "level": level(pct)}
        )  # fmt: skip
    cover = _sum_coverage([figures.by_district.get(code, {}) for code in sorted(codes)])
    nxt = figures.next_week
    pct = percent(submitted, expected)
    doc: dict[str, Any] = {
        "intake": figures.intake,
        "week": week.number,
        "phase": week.phase,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "expected": expected,
        "submitted": submitted,
        "missing": [m["trainee_id"] for m in missing],
        "by_district": by_district,
        "percent": pct,
        "level": level(pct),
        "weeks": len(figures.weeks),
        "pilot_weeks": figures.pilot_weeks,
        "working_days": week.working_days,
        "holidays": _holidays(week, th),
        "missing_trainees": missing,
        "streaks": streaks,
        "mechanisms": cover["mechanisms"],
        "networks": cover["networks"],
        "sdgs": cover["sdgs"],
        "rate_by_week": rate_by_week,
        "next_week": None
        if nxt is None
        else {
            "week": nxt.number,
            "phase": nxt.phase,
            "start": nxt.start.isoformat(),
            "end": nxt.end.isoformat(),
            "working_days": nxt.working_days,
        },
        "next_week_holidays": _holidays(nxt, th) if nxt is not None else [],
        "mentor": None,
    }
    if only is not None and districts:
        d = districts[0]
        doc["mentor"] = {
            "district_code": d["code"],
            "district_th": d["name_th"],
            "district_en": d["name_en"],
            "province_th": d.get("province_th"),
            "province_en": d.get("province_en"),
            "title_th": d.get("title_th"),
            "title_en": d.get("title_en"),
            "name": d.get("mentor_name"),
        }
    return doc


def mentors_with_trainees(figures: Figures) -> list[str]:
    """Pilot districts (mentors) that have at least one active placed trainee, by code."""
    return sorted(
        code for code, raw in figures.by_district.items() if int(raw.get("expected") or 0) > 0
    )
