"""Reference data: 77 provinces, 928 districts, six regions, the 10 pilot districts, mentors.

Expected values come from BRIEF.md and CONTRACT.md (and ``geothai`` itself where the brief says
the data is geothai's), never from castctl's code.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import geothai
import pytest
import yaml

from castctl.db.districts import district_index
from castctl.db.store import open_store
from castctl.errors import NotFoundError

REPO = Path(__file__).resolve().parents[1]

# BRIEF.md: the 10 pilot districts, DOPA code -> (Thai, English, province Thai, province English)
PILOTS = {
    "5607": ("แม่ใจ", "Mae Chai", "พะเยา", "Phayao"),
    "4001": ("เมืองขอนแก่น", "Mueang Khon Kaen", "ขอนแก่น", "Khon Kaen"),
    "4105": ("โนนสะอาด", "Non Sa-at", "อุดรธานี", "Udon Thani"),
    "3209": ("ศีขรภูมิ", "Sikhoraphum", "สุรินทร์", "Surin"),
    "9005": ("เทพา", "Thepha", "สงขลา", "Songkhla"),
    "9501": ("เมืองยะลา", "Mueang Yala", "ยะลา", "Yala"),
    "6501": ("เมืองพิษณุโลก", "Mueang Phitsanulok", "พิษณุโลก", "Phitsanulok"),
    "6309": ("วังเจ้า", "Wang Chao", "ตาก", "Tak"),
    "1806": ("หันคา", "Hankha", "ชัยนาท", "Chai Nat"),
    "2506": ("บ้านสร้าง", "Ban Sang", "ปราจีนบุรี", "Prachin Buri"),
}
DISTRICT_KEYS = {
    "code", "name_th", "name_en", "province_code", "province_th", "province_en", "region",
    "pilot",
}  # fmt: skip
REGION_COUNTS = {"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}


@pytest.fixture
def all_districts(cli) -> list[dict]:
    return cli("districts", "-f", "json").json()


def test_928_districts_in_77_provinces_with_the_contract_keys(all_districts):
    assert len(all_districts) == 928
    assert len({d["province_code"] for d in all_districts}) == 77
    assert len({d["code"] for d in all_districts}) == 928
    for d in all_districts:
        assert set(d) >= DISTRICT_KEYS, d
        assert isinstance(d["code"], str) and len(d["code"]) == 4 and d["code"].isdigit()
        assert isinstance(d["province_code"], str) and len(d["province_code"]) == 2
        assert d["code"].startswith(d["province_code"])
        assert isinstance(d["pilot"], bool)
        assert d["name_th"] and d["name_en"] and d["province_th"] and d["province_en"]
    # 50 Bangkok khet + 878 amphoe
    assert sum(d["province_code"] == "10" for d in all_districts) == 50


def test_six_regions_with_the_official_province_counts(all_districts):
    region_of: dict[str, set[str]] = collections.defaultdict(set)
    for d in all_districts:
        region_of[d["province_code"]].add(d["region"])
    assert all(len(r) == 1 for r in region_of.values()), "a province has one region"
    counts = collections.Counter(next(iter(r)) for r in region_of.values())
    assert dict(counts) == REGION_COUNTS
    assert region_of["10"] == {"central"}  # Bangkok


def test_districts_agree_with_geothai(all_districts):
    ours = {d["code"]: (d["name_th"], d["name_en"], d["province_code"]) for d in all_districts}
    theirs = {
        d.code: (d.name_th, d.name_en, d.province_code)
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
    }
    assert ours == theirs


def test_pilot_gives_the_ten_districts_of_the_brief(cli):
    rows = cli("districts", "--pilot", "-f", "json").json()
    assert {r["code"]: r["name_en"] for r in rows} == {c: v[1] for c, v in PILOTS.items()}
    for r in rows:
        name_th, _, province_th, province_en = PILOTS[r["code"]]
        assert r["name_th"] == name_th
        assert (r["province_th"], r["province_en"]) == (province_th, province_en)
        assert r["pilot"] is True


def test_only_the_pilot_districts_are_flagged(all_districts):
    assert {d["code"] for d in all_districts if d["pilot"]} == set(PILOTS)


def test_pilot_districts_yaml_agrees_with_geothai():
    rows = yaml.safe_load((REPO / "data" / "pilot_districts.yaml").read_text(encoding="utf-8"))
    assert {str(r["code"]) for r in rows} == set(PILOTS)
    for r in rows:
        code = str(r["code"])
        district = geothai.district(code)
        assert district is not None, code
        province = geothai.province(district.province_code)
        assert province is not None
        assert (r["name_th"], r["name_en"]) == (district.name_th, district.name_en)
        assert (r["province_th"], r["province_en"]) == (province.name_th, province.name_en)
        assert (r["name_th"], r["name_en"], r["province_th"], r["province_en"]) == PILOTS[code]
        assert r["mentor_title_th"].startswith("นายอำเภอ")
    sikhoraphum = next(r for r in rows if str(r["code"]) == "3209")
    assert "ศรีขรภูมิ" in sikhoraphum["aliases"]  # the article's spelling


@pytest.mark.parametrize("name", ["ศรีขรภูมิ", "ศีขรภูมิ", "sikhoraphum", "SIKHORAPHUM", "3209"])
def test_every_spelling_of_sikhoraphum_resolves(cli, name):
    cli("mentors", "set", name, "--name", f"chief via {name}")
    mentors = {m["district_code"]: m for m in cli("mentors", "-f", "json").json()}
    assert mentors["3209"]["name"] == f"chief via {name}"
    assert sum(m["name"] is not None for m in mentors.values()) == 1


@pytest.mark.parametrize("province", ["56", "พะเยา", "Phayao", "phayao", " PHAYAO "])
def test_province_by_code_thai_or_english_name(cli, province):
    rows = cli("districts", "--province", province, "-f", "json").json()
    assert {r["province_code"] for r in rows} == {"56"}
    assert len(rows) == len(geothai.districts("56"))
    assert "5607" in {r["code"] for r in rows}


def test_unknown_province_suggests_a_near_name(cli):
    r = cli("districts", "--province", "Phayo", code=1)
    assert r.stdout == ""
    assert r.stderr.startswith("Error:")
    assert "did you mean" in r.stderr and "Phayao" in r.stderr


def test_unknown_district_suggests_a_near_name(cli):
    r = cli("mentors", "set", "Sikoraphum", "--name", "x", code=1)
    assert r.stderr.startswith("Error:")
    assert len(r.stderr.strip().splitlines()) == 1
    assert "did you mean" in r.stderr and "Sikhoraphum" in r.stderr
    assert "Traceback" not in r.stderr


def _ambiguous_english_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = collections.defaultdict(list)
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            names[d.name_en.casefold()].append(d.code)
    return {n: sorted(codes) for n, codes in names.items() if len(codes) > 1}


def test_an_ambiguous_district_name_asks_for_a_code(database):
    ambiguous = _ambiguous_english_names()
    assert ambiguous, "geothai has districts that share an English name (e.g. Chom Thong)"
    db = open_store(database.url)
    try:
        index = district_index(db)
        for name, codes in ambiguous.items():
            with pytest.raises(NotFoundError) as info:
                index.find(name.title())
            message = info.value.message
            assert "code" in message, message
            for code in codes:
                assert code in message
            for code in codes:  # the code itself always resolves
                assert index.find(code).code == code
    finally:
        db.close()


# ---- mentors --------------------------------------------------------------------------------


def test_mentors_lists_the_ten_pilot_district_chiefs(cli):
    mentors = cli("mentors", "-f", "json").json()
    assert len(mentors) == 10
    assert {m["district_code"] for m in mentors} == set(PILOTS)


def test_mentors_set_persists(cli):
    cli("mentors", "set", "Mae Chai", "--name", "Somchai", "--email", "somchai@example.org")
    cli("mentors", "set", "แม่ใจ", "--capacity", "7")
    mentor = next(m for m in cli("mentors", "-f", "json").json() if m["district_code"] == "5607")
    assert mentor["name"] == "Somchai"
    assert mentor["email"] == "somchai@example.org"
    assert mentor["capacity"] == 7
    # the others are untouched
    others = [m for m in cli("mentors", "-f", "json").json() if m["district_code"] != "5607"]
    assert all(m["name"] is None and m["email"] is None for m in others)


def test_mentors_set_survives_a_new_process(cli, database):
    """The change is in the database, not in memory."""
    cli("mentors", "set", "4001", "--name", "Khon Kaen chief")
    proc = subprocess.run(
        [sys.executable, "-m", "castctl", "--db", database.url, "mentors", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    mentors = {m["district_code"]: m for m in json.loads(proc.stdout)}
    assert mentors["4001"]["name"] == "Khon Kaen chief"


def test_mentors_set_bad_email_is_an_error_and_changes_nothing(cli):
    before = cli("mentors", "-f", "json").json()
    r = cli("mentors", "set", "3209", "--email", "not-an-email", code=1)
    assert r.stderr.startswith("Error:")
    assert "Traceback" not in r.stderr
    assert cli("mentors", "-f", "json").json() == before


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (["a@b@c"], "Error: --email: not a valid email address"),
        (["a b@x.com"], "Error: --email: not a valid email address"),
        (["x@a.com,y@b.com"], "Error: --email: holds more than one address"),
        (["ok@example.org", "x@a.com; y@b.com"], "Error: --email (2nd value): holds more than"),
        (["", "ok@example.org"], "Error: --email (1st value): empty"),
    ],
)
def test_mentors_set_refuses_anything_but_one_address_per_value(cli, values, error):
    before = cli("mentors", "-f", "json").json()
    args = [arg for value in values for arg in ("--email", value)]
    r = cli("mentors", "set", "5607", *args, code=1)
    assert r.stderr.startswith(error), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert all(v not in r.stderr for v in values if v), r.stderr  # personal data stays out
    assert cli("mentors", "-f", "json").json() == before


def test_mentors_set_several_addresses_then_clear_them(cli):
    def mae_chai():
        return next(m for m in cli("mentors", "-f", "json").json() if m["district_code"] == "5607")

    cli("mentors", "set", "5607", "--email", "chief@example.org", "--email", "Deputy@Example.ORG",
        "--email", "chief@example.org")  # fmt: skip
    mentor = mae_chai()
    assert mentor["emails"] == ["chief@example.org", "Deputy@example.org"]
    assert mentor["email"] == "chief@example.org, Deputy@example.org"
    assert "Deputy@example.org" in cli("mentors").stdout
    cli("mentors", "set", "5607", "--email", "only@example.org")
    assert (mae_chai()["email"], mae_chai()["emails"]) == ("only@example.org", ["only@example.org"])
    cli("mentors", "set", "5607", "--email", "")
    assert (mae_chai()["email"], mae_chai()["emails"]) == (None, [])


def test_mentors_set_a_district_that_is_not_a_pilot_is_an_error(cli):
    r = cli("mentors", "set", "5601", "--name", "x", code=1)  # Mueang Phayao: not a pilot
    assert r.stderr.startswith("Error:")


def test_a_districts_head_is_worded_from_its_name():
    """A district chief (นายอำเภอ) outside Bangkok; in Bangkok a district director."""
    from castctl.core.reference import mentor_title

    assert mentor_title("5001", "เมืองเชียงใหม่", "Mueang Chiang Mai") == (
        "นายอำเภอเมืองเชียงใหม่",
        "District Chief of Mueang Chiang Mai",
    )
    assert mentor_title("1001", "เขตพระนคร", "Phra Nakhon") == (
        "ผู้อำนวยการเขตพระนคร",
        "Director of Phra Nakhon District",
    )
