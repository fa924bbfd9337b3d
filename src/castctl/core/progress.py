"""Reports submitted against expected (pure: aggregated figures in, contract rows out).

The weeks that count are the elapsed ones: those whose Friday is on or before the as-of day.
Every active placed trainee owes one report per elapsed week. A trainee's missing streak is how
many elapsed weeks in a row, ending with the last one, have no report; it follows from the last
elapsed week they reported for: ``elapsed - last_week`` (``last_week`` = 0 if none).

The database layer aggregates in SQL and hands over one mapping per group with the counts named
as ``COVERAGE_COLUMNS`` says; nothing here loops over reports.

Coverage words: each report also stores which of the 29 codes it mentions as three integers
(``coverage_words``), code ``i`` of ``COVERAGE_COLUMNS`` as bit ``6 * (i % 10)`` of word
``i // 10``. Every code owns a 6-bit field, so SQL's ``SUM`` of one trainee's words counts the
reports mentioning each code in its own field: a trainee has at most 52 reports (one per week,
``weeks`` <= 52), fewer than 2**6, so a field never carries into the next, and 10 fields fill 60
of a signed 64-bit integer's bits. Summing any larger group (a week's reports, a district's) must
unpack the fields first. The order of ``COVERAGE_COLUMNS`` is stored in every report: changing
the vocabulary needs a migration that recomputes the words (as 0005 computed the first ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from castctl.core.vocabulary import MECHANISMS, NETWORKS, SDGS

FLAG_STREAK = 2  # this many missed weeks in a row or more is flagged
GOOD_PERCENT = 80  # green at or above
FAIR_PERCENT = 50  # yellow at or above, red below

# A report's three lists of codes, in the order every count and file column takes them.
COVERAGE_KINDS = ("mechanisms", "networks", "sdgs")
# (list name, vocabulary code, column name in the aggregated row)
COVERAGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *(("mechanisms", code, f"m_{code}") for code in MECHANISMS),
    *(("networks", code, f"n_{code}") for code in NETWORKS),
    *(("sdgs", str(n), f"s_{n}") for n in SDGS),
)

FIELD_BITS = 6  # a field counts up to 63 reports; a trainee has at most 52 (weeks <= 52)
FIELD_MASK = (1 << FIELD_BITS) - 1
FIELDS_PER_WORD = 10  # 60 bits of a signed 64-bit SQL integer
WORD_MASK = (1 << (FIELD_BITS * FIELDS_PER_WORD)) - 1
COVERAGE_WORDS = ("coverage_0", "coverage_1", "coverage_2")  # the report table's columns
MAX_REPORTS_SUMMED = FIELD_MASK  # the most reports one SUM of words may add up


def coverage_field(index: int) -> tuple[str, int]:
    """(word column, bit shift) of the field counting code ``index`` of ``COVERAGE_COLUMNS``."""
    return COVERAGE_WORDS[index // FIELDS_PER_WORD], FIELD_BITS * (index % FIELDS_PER_WORD)


_FIELD_OF = {(kind, code): i for i, (kind, code, _name) in enumerate(COVERAGE_COLUMNS)}
Words = tuple[int, int, int]
# Per kind, a list's words: a cohort's reports repeat a few hundred lists of each kind, so a
# report costs three dictionary lookups (a file of 220,000 reports: 0.05 s).
_CACHE_SIZE = 4096
_CACHED: dict[str, dict[str, Words]] = {kind: {} for kind in COVERAGE_KINDS}
_MECHANISMS, _NETWORKS, _SDGS = _CACHED["mechanisms"], _CACHED["networks"], _CACHED["sdgs"]


def _list_words(kind: str, text: str) -> Words:
    """The words of one ``;``-joined list of ``kind`` (unknown codes: none), cached."""
    bits = 0
    for code in text.split(";"):
        index = _FIELD_OF.get((kind, code))
        if index is not None:
            bits |= 1 << (FIELD_BITS * index)
    shift = FIELD_BITS * FIELDS_PER_WORD
    words = (bits & WORD_MASK, (bits >> shift) & WORD_MASK, bits >> (2 * shift))
    cache = _CACHED[kind]
    if len(cache) < _CACHE_SIZE:
        cache[text] = words
    return words


def coverage_words(mechanisms: str, networks: str, sdgs: str) -> Words:
    """A report's coverage words (see the module's docstring) from its stored ``;``-joined
    lists; each code counts once however often it is listed. The lists' words have no field
    in common, so adding them is setting every field of each."""
    m0, m1, m2 = _MECHANISMS.get(mechanisms) or _list_words("mechanisms", mechanisms)
    n0, n1, n2 = _NETWORKS.get(networks) or _list_words("networks", networks)
    s0, s1, s2 = _SDGS.get(sdgs) or _list_words("sdgs", sdgs)
    return (m0 + n0 + s0, m1 + n1 + s1, m2 + n2 + s2)


def percent(submitted: int, expected: int) -> float | None:
    """Submitted as a percentage of expected, one decimal; None when nothing is expected."""
    if expected <= 0:
        return None
    return round(100 * submitted / expected, 1)


def percent_text(value: float | None) -> str:
    """``87.5 %``; an en dash when nothing was expected (no percentage, not zero)."""
    return "–" if value is None else f"{value:.1f} %"


def level(pct: float | None) -> str | None:
    """``good`` (>= 80 %), ``fair`` (>= 50 %), ``poor`` (below), None when nothing expected."""
    if pct is None:
        return None
    if pct >= GOOD_PERCENT:
        return "good"
    if pct >= FAIR_PERCENT:
        return "fair"
    return "poor"


def missing_streak(elapsed: int, last_week: int | None) -> int:
    """Elapsed weeks in a row, ending with the last elapsed one, without a report."""
    return max(0, elapsed - (last_week or 0))


def coverage(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Reports mentioning each mechanism and network, and the SDGs touched, from ``raw``."""
    mechanisms = {code: int(raw.get(f"m_{code}") or 0) for code in MECHANISMS}
    networks = {code: int(raw.get(f"n_{code}") or 0) for code in NETWORKS}
    sdg_counts = {n: int(raw.get(f"s_{n}") or 0) for n in SDGS}
    return {
        "mechanisms": mechanisms,
        "networks": networks,
        "sdgs": [n for n, count in sdg_counts.items() if count],
        "sdg_reports": {str(n): c for n, c in sdg_counts.items() if c},
        "mechanisms_used": sum(1 for c in mechanisms.values() if c),
        "networks_used": sum(1 for c in networks.values() if c),
    }


def trainee_row(raw: Mapping[str, Any], elapsed: int) -> dict[str, Any]:
    """One active placed trainee's figures (contract: trainee_id, expected, submitted,
    missing_streak) from their aggregated row."""
    submitted = int(raw["submitted"] or 0)
    last_week = int(raw["last_week"] or 0) or None
    streak = missing_streak(elapsed, last_week)
    pct = percent(submitted, elapsed)
    return {
        "trainee_id": raw["trainee_id"],
        "expected": elapsed,
        "submitted": submitted,
        "missing_streak": streak,
        "percent": pct,
        "level": level(pct),
        "flagged": streak >= FLAG_STREAK,
        "last_week": last_week,
        "full_name": raw.get("full_name"),
        "department": raw.get("department"),
        "pilot_district_code": raw.get("district"),
        "target_district_code": raw.get("target"),
        **coverage(raw),
    }


def group_row(raw: Mapping[str, Any], elapsed: int, head: Mapping[str, Any]) -> dict[str, Any]:
    """A group's figures (pilot district, department): the sums over its trainees.

    ``raw`` holds ``trainees``, ``submitted``, ``missing_last`` (trainees without a report for
    the last elapsed week) and ``flagged`` (trainees with a streak >= FLAG_STREAK).
    """
    trainees = int(raw.get("trainees") or 0)
    submitted = int(raw.get("submitted") or 0)
    expected = trainees * elapsed
    pct = percent(submitted, expected)
    return {
        **head,
        "expected": expected,
        "submitted": submitted,
        "percent": pct,
        "level": level(pct),
        "trainees": trainees,
        "missing_last_week": int(raw.get("missing_last") or 0) if elapsed else 0,
        "flagged": int(raw.get("flagged") or 0) if elapsed else 0,
        **coverage(raw),
    }


def week_row(raw: Mapping[str, Any], placed: int, head: Mapping[str, Any]) -> dict[str, Any]:
    """One elapsed week: every active placed trainee owes a report for it."""
    submitted = int(raw.get("submitted") or 0)
    pct = percent(submitted, placed)
    return {
        **head,
        "expected": placed,
        "submitted": submitted,
        "percent": pct,
        "level": level(pct),
        **coverage(raw),
    }


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Expected and submitted summed over rows (for a table's footer)."""
    expected = sum(int(r["expected"]) for r in rows)
    submitted = sum(int(r["submitted"]) for r in rows)
    return {"expected": expected, "submitted": submitted}


def elapsed_bar(done: int, total: int, *, unit: str = "weeks") -> str:
    """``████████░░░░ 16/22 weeks``: one block per week."""
    done = max(0, min(done, total))
    return f"{'█' * done}{'░' * (total - done)} {done}/{total} {unit}"
