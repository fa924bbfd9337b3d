"""Progress and summary figures, aggregated in SQL (GROUP BY), never by looping over reports.

Plain SQL through ``Store.read`` (the standard library's ``sqlite3`` on SQLite, no
SQLAlchemy import), portable to PostgreSQL (only ``group_concat`` / ``string_agg`` differ).
Counts (expected, submitted, last week reported) come from the ``(intake, trainee_id, week)``
index. The coverage of mechanisms, networks and SDGs is counted two ways, by the size of the
groups: per trainee (at most 52 reports) SQL sums the reports' coverage words and unpacks each
code's field (``_unpacked``, see ``castctl.core.progress``); per week or per district and week
(thousands of reports) it joins the reports' lists and counts them in Python (``coverage_by``).

Everything is one intake's (``:intake``): every table is filtered on it and every join between
intake-owned tables joins on it too, so each query reaches only that intake's rows through the
indexes that lead with ``intake``, however many other intakes the database holds.

"Active placed trainee" = ``trainee.status = 'active'`` with a pilot district in
``assignment``; those are the trainees who owe reports, grouped under their pilot district
(their mentor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from castctl.core.progress import (
    COVERAGE_COLUMNS,
    COVERAGE_KINDS,
    FIELD_MASK,
    FLAG_STREAK,
    coverage_field,
)
from castctl.core.reference import mentor_title
from castctl.db.store import Store

PLACED = """
placed AS (
    SELECT t.trainee_id AS trainee_id, t.full_name AS full_name, t.department AS department,
           a.pilot_district_code AS district, a.target_district_code AS target
    FROM assignment a JOIN trainee t ON t.intake = a.intake AND t.trainee_id = a.trainee_id
    WHERE a.intake = :intake AND t.status = 'active'
      AND a.pilot_district_code IS NOT NULL{filters}
)"""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which active placed trainees of the intake count: all, or one pilot district and/or
    department."""

    district: str | None = None
    department: str | None = None

    def filters(self) -> str:
        """Conditions on ``trainee t`` and ``assignment a`` (after the active-placed ones)."""
        filters = ""
        if self.district is not None:
            filters += " AND a.pilot_district_code = :scope_district"
        if self.department is not None:
            filters += " AND t.department = :scope_department"
        return filters

    def cte(self) -> str:
        return PLACED.format(filters=self.filters())

    def params(self, intake: str) -> dict[str, Any]:
        out: dict[str, Any] = {"intake": intake}
        if self.district is not None:
            out["scope_district"] = self.district
        if self.department is not None:
            out["scope_department"] = self.department
        return out


# Per trainee, through the (intake, trainee_id, week) index: a seek per trainee, no sort of all
# reports.
LAST_WEEK = (
    "COALESCE((SELECT MAX(r.week) FROM report r "
    "WHERE r.intake = :intake AND r.trainee_id = p.trainee_id AND r.week <= :elapsed), 0)"
)
COVERAGE_NAMES = tuple(name for _kind, _code, name in COVERAGE_COLUMNS)
# (kind, ";code;", column name): what to count in a group's text of that kind.
COVERAGE_NEEDLES = tuple((kind, f";{code};", name) for kind, code, name in COVERAGE_COLUMNS)


def _joined(store: Store, column: str) -> str:
    """SQL joining ``column`` over a group with ``;;`` (see ``count_codes``)."""
    if store.is_sqlite:
        return f"group_concat({column}, ';;')"
    return f"string_agg({column}, ';;')"


def _coverage(store: Store, scope: Scope, key: str, report_filter: str) -> str:
    """A query giving, per ``key``, the ``;;``-joined mechanisms, networks and SDGs of its
    reports (see ``count_codes``)."""
    texts = ", ".join(_joined(store, f"r.{kind}") for kind in COVERAGE_KINDS)
    return f"""
WITH {scope.cte()}
SELECT {key} AS grp, {texts}
FROM placed p JOIN report r
  ON r.intake = :intake AND r.trainee_id = p.trainee_id AND {report_filter}
GROUP BY {key}
"""


def count_codes(texts: Sequence[str | None]) -> dict[str, int]:
    """Reports mentioning each mechanism, network and SDG, from a group's joined texts.

    Each report's codes are ``;``-joined and reports are ``;;``-joined, so with a ``;`` on each
    end every code sits between two ``;`` of its own report: ``;11;`` never matches inside
    ``;1;`` and a report's last code never shares its ``;`` with the next report's first. A
    code occurs at most once in a report, so its occurrences are the reports that mention it.

    Why in Python: one pass of SQL concatenates the texts (it groups, which SQL does well),
    then ``str.count`` scans them at memory speed. Counting in SQL instead took 29
    ``replace`` calls over each group's text (twice as slow on 220,000 reports), or 29
    ``instr`` calls per report (three times as slow).
    """
    wrapped = {kind: f";{text or ''};" for kind, text in zip(COVERAGE_KINDS, texts, strict=True)}
    return {name: wrapped[kind].count(needle) for kind, needle, name in COVERAGE_NEEDLES}


def coverage_by(
    store: Store,
    intake: str,
    scope: Scope,
    key: str,
    report_filter: str,
    params: dict[str, Any],
) -> dict[Any, dict[str, int]]:
    """grp -> {coverage column: reports mentioning it}; groups without reports are absent."""
    sql = _coverage(store, scope, key, report_filter)
    rows = store.read(sql, {**scope.params(intake), **params})
    return {row[0]: count_codes(row[1:]) for row in rows}


def _unpacked(words: str) -> str:
    """SQL columns named as ``COVERAGE_COLUMNS``: each code's count from its field of the
    words, whose SQL is ``words`` with ``{}`` for the word's column name. The CAST: PostgreSQL's
    SUM of a BIGINT is a NUMERIC, which has no bit operators."""
    fields = (coverage_field(i) for i in range(len(COVERAGE_COLUMNS)))
    return ", ".join(
        f"((CAST({words.format(column)} AS BIGINT) >> {shift}) & {FIELD_MASK}) AS {name}"
        for (column, shift), (_kind, _code, name) in zip(fields, COVERAGE_COLUMNS, strict=True)
    )


def _dicts(names: Sequence[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(names, row, strict=True)) for row in rows]


# ---- progress ---------------------------------------------------------------------------


def _per_trainee(scope: Scope) -> str:
    """A query giving, per active placed trainee in ``scope``, their reports for the weeks up
    to ``:elapsed``: how many, the last week reported (0: none) and how many mention each code
    (named as ``COVERAGE_COLUMNS``: the sums of their coverage words, unpacked).

    One pass: the intake's assignments in trainee order (the primary key ``(intake,
    trainee_id)``; ``CROSS JOIN`` keeps SQLite from starting at the trainees' status index),
    each trainee's reports through the ``(intake, trainee_id, week)`` index, so the grouping
    needs no sort of the reports. Grouping by both primary keys lets PostgreSQL select the other
    columns of both tables.
    """
    return f"""
SELECT t.trainee_id AS trainee_id, t.full_name AS full_name, t.department AS department,
       a.pilot_district_code AS district, a.target_district_code AS target,
       COUNT(r.trainee_id) AS submitted, COALESCE(MAX(r.week), 0) AS last_week,
       {_unpacked("COALESCE(SUM(r.{}), 0)")}
FROM assignment a CROSS JOIN trainee t
LEFT JOIN report r
  ON r.intake = a.intake AND r.trainee_id = a.trainee_id AND r.week <= :elapsed
WHERE a.intake = :intake AND t.intake = a.intake AND t.trainee_id = a.trainee_id
  AND t.status = 'active' AND a.pilot_district_code IS NOT NULL{scope.filters()}
GROUP BY a.intake, a.trainee_id, t.intake, t.trainee_id
"""


def trainee_figures(store: Store, intake: str, elapsed: int, scope: Scope) -> list[dict[str, Any]]:
    """Per active placed trainee: reports for elapsed weeks, last such week, coverage."""
    names = (
        "trainee_id", "full_name", "department", "district", "target", "submitted", "last_week",
        *COVERAGE_NAMES,
    )  # fmt: skip
    rows = store.read(_per_trainee(scope), {**scope.params(intake), "elapsed": elapsed})
    return _dicts(names, rows)


def group_figures(
    store: Store, intake: str, elapsed: int, scope: Scope, by: str
) -> dict[str, dict[str, Any]]:
    """Per pilot district (``by="district"``) or department: trainees, reports for elapsed
    weeks, trainees missing the last elapsed week, trainees flagged, coverage; in one query
    (the trainees' figures of ``_per_trainee``, summed per group)."""
    key = {"district": "pt.district", "department": "pt.department"}[by]
    sums = ", ".join(f"SUM(pt.{name}) AS {name}" for name in COVERAGE_NAMES)
    sql = f"""
SELECT {key} AS grp, COUNT(*) AS trainees, SUM(pt.submitted) AS submitted,
       SUM(CASE WHEN pt.last_week < :elapsed THEN 1 ELSE 0 END) AS missing_last,
       SUM(CASE WHEN pt.last_week <= :elapsed - :flag THEN 1 ELSE 0 END) AS flagged,
       {sums}
FROM ({_per_trainee(scope)}) pt
GROUP BY {key}
"""
    names = ("grp", "trainees", "submitted", "missing_last", "flagged", *COVERAGE_NAMES)
    rows = store.read(sql, {**scope.params(intake), "elapsed": elapsed, "flag": FLAG_STREAK})
    return {str(row[0]): dict(zip(names, row, strict=True)) for row in rows}


def placed_count(store: Store, intake: str, scope: Scope) -> int:
    rows = store.read(f"WITH {scope.cte()} SELECT COUNT(*) FROM placed", scope.params(intake))
    return int(rows[0][0])


def week_figures(store: Store, intake: str, upto: int, scope: Scope) -> dict[int, dict[str, Any]]:
    """Per week 1..``upto``: reports of active placed trainees and their coverage."""
    sql = f"""
WITH {scope.cte()}
SELECT r.week, COUNT(*) AS submitted
FROM placed p JOIN report r ON r.intake = :intake AND r.trainee_id = p.trainee_id
WHERE r.week <= :upto
GROUP BY r.week
"""
    out = {
        int(week): {"submitted": submitted}
        for week, submitted in store.read(sql, {**scope.params(intake), "upto": upto})
    }
    cover_by_week = coverage_by(store, intake, scope, "r.week", "r.week <= :upto", {"upto": upto})
    for week, cover in cover_by_week.items():
        out.setdefault(int(week), {"submitted": 0}).update(cover)
    return out


# ---- weekly summary ---------------------------------------------------------------------


def district_week_figures(
    store: Store, intake: str, week: int, scope: Scope
) -> dict[str, dict[str, Any]]:
    """Per pilot district for one week: expected (trainees), submitted, coverage."""
    sql = f"""
WITH {scope.cte()}
SELECT p.district, COUNT(*) AS expected, COUNT(r.trainee_id) AS submitted
FROM placed p LEFT JOIN report r
  ON r.intake = :intake AND r.trainee_id = p.trainee_id AND r.week = :week
GROUP BY p.district
"""
    rows = store.read(sql, {**scope.params(intake), "week": week})
    out = {str(r["district"]): r for r in _dicts(("district", "expected", "submitted"), rows)}
    cover = coverage_by(store, intake, scope, "p.district", "r.week = :week", {"week": week})
    for district, row in out.items():
        row.update(cover.get(district, {}))
    return out


def missing_for_week(
    store: Store, intake: str, week: int, scope: Scope
) -> list[tuple[str, str, str]]:
    """(trainee_id, full_name, pilot district) of active placed trainees without a report."""
    sql = f"""
WITH {scope.cte()}
SELECT p.trainee_id, p.full_name, p.district FROM placed p
WHERE NOT EXISTS (
    SELECT 1 FROM report r
    WHERE r.intake = :intake AND r.trainee_id = p.trainee_id AND r.week = :week
)
"""
    rows = store.read(sql, {**scope.params(intake), "week": week})
    return sorted((str(t), str(n), str(d)) for t, n, d in rows)


def streaks_at(
    store: Store, intake: str, week: int, scope: Scope, minimum: int = FLAG_STREAK
) -> list[tuple[str, str, str, int]]:
    """(trainee_id, full_name, district, last week reported or 0) for trainees whose missing
    streak at ``week`` is ``minimum`` or more."""
    sql = f"""
WITH {scope.cte()},
latest AS (
    SELECT p.trainee_id, p.full_name, p.district, {LAST_WEEK} AS last_week
    FROM placed p
)
SELECT trainee_id, full_name, district, last_week FROM latest
WHERE last_week <= :elapsed - :minimum
"""
    rows = store.read(sql, {**scope.params(intake), "elapsed": week, "minimum": minimum})
    return [(str(t), str(n), str(d), int(w)) for t, n, d, w in rows]


def submitted_by_district_week(
    store: Store, intake: str, upto: int, scope: Scope
) -> dict[tuple[str, int], int]:
    """(pilot district, week) -> reports of active placed trainees, weeks 1..``upto``.

    A LEFT JOIN, whose rows without a report ``HAVING`` drops: it keeps SQLite (which has no
    statistics to go by) walking the placed trainees and seeking each one's reports through
    the (intake, trainee_id, week) key, instead of reading every report of the intake through
    the (intake, week) index and looking up its trainee (3 times slower on 220,000 reports)."""
    sql = f"""
WITH {scope.cte()}
SELECT p.district, r.week, COUNT(*) FROM placed p
LEFT JOIN report r ON r.intake = :intake AND r.trainee_id = p.trainee_id AND r.week <= :upto
GROUP BY p.district, r.week
HAVING r.week IS NOT NULL
"""
    rows = store.read(sql, {**scope.params(intake), "upto": upto})
    return {(str(d), int(w)): int(n) for d, w, n in rows}


def pilot_districts(store: Store, intake: str) -> list[dict[str, Any]]:
    """The intake's P pilot districts (one mentor row each) with their names and mentor
    (title, name, email), by code. The titles of the 2023 pilot districts are reference data;
    another district's are worded from its name (``core.reference.mentor_title``)."""
    rows = store.read(
        "SELECT m.district_code, d.name_th, d.name_en, p.name_th, p.name_en, "
        "pd.mentor_title_th, pd.mentor_title_en, m.name, m.email FROM mentor m "
        "JOIN district d ON d.code = m.district_code "
        "JOIN province p ON p.code = d.province_code "
        "LEFT JOIN pilot_district pd ON pd.code = m.district_code "
        "WHERE m.intake = :intake",
        {"intake": intake},
    )
    names = (
        "code", "name_th", "name_en", "province_th", "province_en", "title_th", "title_en",
        "mentor_name", "mentor_email",
    )  # fmt: skip
    out = _dicts(names, rows)
    for row in out:
        row["title_th"], row["title_en"] = mentor_title(
            row["code"], row["name_th"], row["name_en"], (row["title_th"], row["title_en"])
        )
    return sorted(out, key=lambda r: r["code"])
