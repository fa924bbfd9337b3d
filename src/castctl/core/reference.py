"""Reference data: provinces and regions, the 928 districts, the 10 pilot districts,
MOI departments, and how a user may name each of them.

Provinces and districts come from ``geothai`` (DOPA codes, Thai and English names); the region
of each province from ``data/regions.yaml``; the pilot districts from
``data/pilot_districts.yaml``. Resolution never guesses: an exact code or a case-insensitive
Thai/English name (or a listed alias) matches, anything else is an error that offers the
closest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Generic, NamedTuple, TypeVar

from castctl.core.text import canonical, name_key
from castctl.errors import NotFoundError

# "Did you mean" lists at most this many names that begin with what was typed.
MAX_SUGGESTIONS = 8

REGIONS = ("north", "northeast", "central", "east", "west", "south")

BANGKOK = "10"  # province code: its districts (เขต) are run by a director, not a district chief


def mentor_title(
    district_code: str,
    name_th: str,
    name_en: str,
    stored: tuple[str | None, str | None] = (None, None),
) -> tuple[str, str]:
    """(Thai, English) title of the head of a district, who mentors its trainees: the
    ``stored`` one (the 2023 pilot districts' reference data) where there is one, else worded
    from its name: the district chief (นายอำเภอเมืองเชียงใหม่, District Chief of Mueang Chiang
    Mai); in Bangkok the district director (ผู้อำนวยการเขตพระนคร, Director of Phra Nakhon
    District)."""
    if stored[0] and stored[1]:
        return stored[0], stored[1]
    if district_code.startswith(BANGKOK):
        khet = name_th if name_th.startswith("เขต") else f"เขต{name_th}"
        return f"ผู้อำนวยการ{khet}", f"Director of {name_en} District"
    return f"นายอำเภอ{name_th}", f"District Chief of {name_en}"


# Reference records are named tuples: read-only, compared by value, and made at import for
# every command (a frozen dataclass costs ten times as much to define).


class Department(NamedTuple):
    code: str
    name_en: str
    name_th: str
    abbrev_th: str


DEPARTMENTS: tuple[Department, ...] = (
    Department("OPS", "Office of the Permanent Secretary", "สำนักงานปลัดกระทรวงมหาดไทย", "สป.มท."),
    Department("DOPA", "Department of Provincial Administration", "กรมการปกครอง", "ปค."),
    Department("CDD", "Community Development Department", "กรมการพัฒนาชุมชน", "พช."),
    Department("DLA", "Department of Local Administration", "กรมส่งเสริมการปกครองท้องถิ่น", "สถ."),
    Department("DOL", "Department of Lands", "กรมที่ดิน", "ทด."),
    Department("DPT", "Department of Public Works and Town & Country Planning",
               "กรมโยธาธิการและผังเมือง", "ยผ."),
    Department("DDPM", "Department of Disaster Prevention and Mitigation",
               "กรมป้องกันและบรรเทาสาธารณภัย", "ปภ."),
)  # fmt: skip


class ProvinceRef(NamedTuple):
    code: str
    name_th: str
    name_en: str
    region: str


class DistrictRef(NamedTuple):
    code: str
    name_th: str
    name_en: str
    province_code: str
    pilot: bool = False
    aliases: tuple[str, ...] = ()


class PilotRef(NamedTuple):
    code: str
    name_th: str
    name_en: str
    province_th: str
    province_en: str
    mentor_title_th: str
    mentor_title_en: str
    aliases: tuple[str, ...] = ()


def _key(text: str) -> str:
    """Comparison key: castctl's one canonical text (NFC, Thai sara am composed, invisible
    characters and surrounding spaces dropped), case-folded."""
    return name_key(text)


class UnknownName(NotFoundError):
    """No item has this code or name; ``suggestions`` are the closest names (may be empty), so
    an importer can decide whether to quote what was typed."""

    def __init__(self, kind: str, text: str, suggestions: Sequence[str], more: int = 0) -> None:
        hint = ""
        if suggestions:
            quoted = [repr(s) for s in suggestions]
            listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
            hint = f"; did you mean {listed}?"
            if more:
                hint = f"; did you mean {', '.join(quoted)} or one of {more} more (give the code)?"
        super().__init__(f"unknown {kind} {text!r}{hint}")
        self.kind = kind
        self.text = text
        self.suggestions = tuple(suggestions)


def _load_yaml(name: str) -> object:
    # Here, not at import, like yaml: importlib.resources brings tempfile and random (9 M
    # instructions), and the data files are read only to create a database or the built-in
    # intake, not by a command on an existing one (assign, timeline).
    from importlib.resources import files

    import yaml

    text = files("castctl.data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def pilot_districts() -> tuple[PilotRef, ...]:
    rows = _load_yaml("pilot_districts.yaml")
    assert isinstance(rows, list)
    return tuple(
        PilotRef(
            code=str(r["code"]),
            name_th=r["name_th"],
            name_en=r["name_en"],
            province_th=r["province_th"],
            province_en=r["province_en"],
            mentor_title_th=r["mentor_title_th"],
            mentor_title_en=r["mentor_title_en"],
            aliases=tuple(r.get("aliases") or ()),
        )
        for r in rows
    )


@cache
def province_regions() -> dict[str, str]:
    data = _load_yaml("regions.yaml")
    assert isinstance(data, dict)
    return {str(code): region for region, codes in data.items() for code in codes}


def all_provinces() -> list[ProvinceRef]:
    import geothai

    regions = province_regions()
    return [ProvinceRef(p.code, p.name_th, p.name_en, regions[p.code]) for p in geothai.provinces()]


def all_districts() -> list[DistrictRef]:
    import geothai

    pilots = {p.code: p for p in pilot_districts()}
    out = []
    for province in geothai.provinces():
        for d in geothai.districts(province.code):
            pilot = pilots.get(d.code)
            out.append(
                DistrictRef(
                    d.code, d.name_th, d.name_en, d.province_code,
                    pilot=pilot is not None, aliases=pilot.aliases if pilot else (),
                )
            )  # fmt: skip
    return out


T = TypeVar("T")


class _Index(Generic[T]):
    """Look items up by code or any of their names, case-insensitively, with suggestions."""

    def __init__(self, kind: str, items: Iterable[tuple[T, str, Sequence[str]]]) -> None:
        self.kind = kind
        self.by_code: dict[str, T] = {}
        self.by_name: dict[str, list[T]] = {}
        self.labels: dict[str, str] = {}
        for item, code, names in items:
            self.by_code[code] = item
            for name in names:
                if not name:
                    continue
                bucket = self.by_name.setdefault(_key(name), [])
                if item not in bucket:
                    bucket.append(item)
                self.labels.setdefault(_key(name), name)

    def find(self, text: str) -> T:
        found = self.by_code.get(text)
        if found is not None:  # a clean code: most cells of a file
            return found
        raw = canonical(str(text))
        if raw in self.by_code:
            return self.by_code[raw]
        key = _key(raw)
        matches = self.by_name.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            codes = ", ".join(sorted(str(getattr(m, "code", m)) for m in matches))
            raise NotFoundError(f"{self.kind} {raw!r} is ambiguous: use a code ({codes})")
        # A name that begins with what was typed, or has a word that does ("Mueang" for the
        # three pilot "Mueang …" districts): every one, each item once, by code.
        if len(key) >= 2:
            starts: dict[str, str] = {}
            for name, items in self.by_name.items():
                if name.startswith(key) or f" {key}" in name:
                    for item in items:
                        starts.setdefault(str(getattr(item, "code", item)), self.labels[name])
            if starts:
                labels = [starts[code] for code in sorted(starts)]
                shown = labels if len(labels) <= MAX_SUGGESTIONS + 1 else labels[:MAX_SUGGESTIONS]
                raise UnknownName(self.kind, raw, shown, more=len(labels) - len(shown))
        close = difflib.get_close_matches(key, list(self.by_name), n=6, cutoff=0.6)
        # Offer only names that read differently from what was typed (a name that is the same
        # text canonically would have matched), each once.
        labels = list(dict.fromkeys(self.labels[c] for c in close if c != key))[:3]
        raise UnknownName(self.kind, raw, labels)


class DistrictIndex(_Index[DistrictRef]):
    def __init__(self, districts: Iterable[DistrictRef]) -> None:
        super().__init__(
            "district", ((d, d.code, (d.name_th, d.name_en, *d.aliases)) for d in districts)
        )


class ProvinceIndex(_Index[ProvinceRef]):
    """Provinces by code, Thai or English name, or an alias of ``data/province_aliases.yaml``
    (``กทม.``, ``กรุงเทพฯ``, ``BKK`` are Bangkok)."""

    def __init__(self, provinces: Iterable[ProvinceRef]) -> None:
        aliases = province_aliases()
        super().__init__(
            "province",
            ((p, p.code, (p.name_th, p.name_en, *aliases.get(p.code, ()))) for p in provinces),
        )


@cache
def province_aliases() -> dict[str, tuple[str, ...]]:
    """Province code -> the other names people type for it (data, not code)."""
    data = _load_yaml("province_aliases.yaml")
    assert isinstance(data, dict)
    return {str(code): tuple(str(a) for a in names) for code, names in data.items()}


@cache
def department_index() -> _Index[Department]:
    """Departments by code or Thai abbreviation (with or without the dots) or Thai name."""
    return _Index(
        "department",
        (
            (d, d.code, (d.code, d.abbrev_th, d.abbrev_th.replace(".", ""), d.name_th, d.name_en))
            for d in DEPARTMENTS
        ),
    )


def find_department(text: str) -> Department:
    return department_index().find(text.upper() if text.isascii() else text)
