"""Dates as Thai offices write them, in files and on the command line.

Accepted: ``YYYY-MM-DD`` (a spreadsheet timestamp ``YYYY-MM-DDTHH:MM[:SS]`` counts as its
date), ``D/M/YYYY``, and a day, a Thai month name or abbreviation and a year (``17 พ.ย. 2566``,
``17 พฤศจิกายน พ.ศ. 2566``, ``17 พ.ย. 66``). A year of 2400 or more is Buddhist Era (543 years
ahead of the Common Era: 2566 is 2023); a two-digit year after a Thai month is the Buddhist
Era's, as ``thai_date`` prints it. Thai digits (๑๗) count as digits. Nothing else is guessed:
``11/17/2023`` is refused rather than read as the 11th of a 17th month, and ``17/11/66`` is
refused because its century is not known.
"""

from __future__ import annotations

import datetime as dt
import re

from castctl.core.text import canonical

BE_OFFSET = 543
FIRST_BE_YEAR = 2400  # 2400 BE is 1857 CE: no year of this programme is near either side

# The Royal Institute's abbreviations and the full names, January first.
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip


def _month_key(text: str) -> str:
    # "พ.ย.", "พ.ย", "พย" and "พ. ย." are all typed for November.
    return text.replace(".", "").replace(" ", "")


_MONTHS: dict[str, int] = {}
for _number, (_short, _long) in enumerate(zip(THAI_MONTHS_SHORT, THAI_MONTHS_LONG, strict=True)):
    _MONTHS[_month_key(_short)] = _number + 1
    _MONTHS[_month_key(_long)] = _number + 1

ACCEPTED_FORMS = "YYYY-MM-DD, D/M/YYYY or a Thai date such as 17 พ.ย. 2566 (years ≥ 2400 are BE)"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_THAI = re.compile(
    r"(\d{1,2})\s*"  # day
    r"([\u0e01-\u0e4e][\u0e01-\u0e4e. ]*?)\s*"  # month: Thai letters and dots
    r"(?:(พ\.?\s*ศ\.?)\s*)?"  # an optional "พ.ศ." (Buddhist Era) before the year
    r"(\d{4}|\d{2})"
)


def _date(year: int, month: int, day: int) -> dt.date | None:
    if year >= FIRST_BE_YEAR:
        year -= BE_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_thai_date(text: str) -> dt.date | None:
    """The date ``text`` names in one of the accepted forms, or None."""
    value = canonical(text)
    if not value.isascii():
        value = value.translate(_THAI_DIGITS)
    if (m := _ISO.fullmatch(value)) is not None:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if (m := _DMY.fullmatch(value)) is not None:
        return _date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _THAI.fullmatch(value)) is not None:
        month = _MONTHS.get(_month_key(m[2]))
        if month is None:
            return None
        year = int(m[4])
        if len(m[4]) == 2:
            year += 2500  # "66" after a Thai month: BE 2566, as thai_date() prints it
        elif m[3] and year < FIRST_BE_YEAR:
            return None  # "พ.ศ. 2023": a Common Era year labelled Buddhist Era
        return _date(year, month, int(m[1]))
    return None


def looks_like_a_date(text: str) -> bool:
    """Whether ``text`` is short and made of digits and date punctuation only, so quoting it
    back in an error cannot print a name or an address."""
    value = text.strip()
    return 0 < len(value) <= 25 and all(c.isdigit() or c in "-/.: T" for c in value)
