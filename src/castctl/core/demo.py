"""A plausible synthetic cohort for trying castctl: Thai names, a realistic department mix,
homes across the country, some preferences, target districts with capacities, and weekly
reports. Deterministic for a given seed."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from castctl.core.reference import DistrictRef, ProvinceRef
from castctl.core.vocabulary import MECHANISMS, NETWORKS

DEMO_PREFIX = "DEMO-"

FIRST_NAMES = (
    "สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุรชัย", "ธนากร", "กิตติพงษ์", "อนุชา", "ณัฐวุฒิ",
    "พงศกร", "ศุภชัย", "ชัยวัฒน์", "สุนทร", "ปิยะ", "วีระ", "สมหญิง", "สุภาพร", "วันเพ็ญ",
    "กาญจนา", "ปราณี", "ศิริพร", "นภาพร", "อรุณี", "จิราพร", "ณัฐธิดา", "พรทิพย์", "รัตนา",
    "มาลัย", "สุดารัตน์", "ปวีณา",
)  # fmt: skip
LAST_NAMES = (
    "ใจดี", "สุขสวัสดิ์", "ศรีสุข", "ทองคำ", "แก้วมณี", "บุญมา", "วงศ์สวัสดิ์", "รุ่งเรือง",
    "จันทร์เพ็ญ", "ประเสริฐศักดิ์", "มั่นคง", "พึ่งบุญ", "สายทอง", "เจริญผล", "ชัยมงคล",
    "ศักดิ์สิทธิ์", "นาคสวัสดิ์", "อินทร์แก้ว", "บุญเรือง", "ธรรมรักษ์",
)  # fmt: skip
TITLES_MALE, TITLES_FEMALE = ("นาย",), ("นาง", "นางสาว")
# Rough share of MOI officials by department (DOPA and CDD are the largest field forces).
DEPARTMENT_MIX = {"DOPA": 30, "CDD": 20, "DLA": 18, "OPS": 12, "DOL": 8, "DPT": 6, "DDPM": 6}


@dataclass(frozen=True, slots=True)
class DemoCohort:
    trainees: list[dict[str, str]]  # contract columns of trainees import
    targets: list[tuple[str, int]]  # (district code, capacity)


def make_cohort(
    n: int,
    seed: int,
    provinces: Sequence[ProvinceRef],
    districts: Sequence[DistrictRef],
    pilot_codes: Sequence[str],
) -> DemoCohort:
    rng = random.Random(seed)
    by_province: dict[str, list[DistrictRef]] = {}
    for d in sorted(districts, key=lambda d: d.code):
        by_province.setdefault(d.province_code, []).append(d)
    region_of = {p.code: p.region for p in provinces}
    province_codes = sorted(region_of)
    # Targets: a spread of districts across the country with room for everyone (≈1.3 × n).
    n_targets = min(len(districts), max(10, math.ceil(n / 3)))
    target_refs = rng.sample(sorted(districts, key=lambda d: d.code), n_targets)
    targets = [(d.code, rng.randint(2, 5)) for d in target_refs]
    total = sum(c for _, c in targets)
    while total < math.ceil(1.3 * n):  # top up capacities until everyone fits with slack
        i = rng.randrange(len(targets))
        targets[i] = (targets[i][0], targets[i][1] + 1)
        total += 1
    targets.sort()
    target_by_region: dict[str, list[str]] = {}
    for d in target_refs:
        target_by_region.setdefault(region_of[d.province_code], []).append(d.code)
    pilots_by_region: dict[str, list[str]] = {}
    province_of = {d.code: d.province_code for d in districts}
    for code in pilot_codes:
        pilots_by_region.setdefault(region_of[province_of[code]], []).append(code)
    departments = list(DEPARTMENT_MIX)
    weights = list(DEPARTMENT_MIX.values())
    trainees = []
    for i in range(1, n + 1):
        female = rng.random() < 0.45
        title = rng.choice(TITLES_FEMALE if female else TITLES_MALE)
        name = f"{title}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        home = rng.choice(province_codes)
        region = region_of[home]
        pilot_prefs: list[str] = []
        if rng.random() < 0.6:
            near = pilots_by_region.get(region, [])
            pool = near + [c for c in pilot_codes if c not in near]
            pilot_prefs = (
                pool[: rng.randint(1, 3)]
                if rng.random() < 0.5
                else rng.sample(list(pilot_codes), rng.randint(1, 3))
            )
        target_prefs: list[str] = []
        if rng.random() < 0.7:
            near = sorted(target_by_region.get(region, []))
            k = min(len(near), rng.randint(1, 5))
            target_prefs = rng.sample(near, k) if k else []
        trainees.append(
            {
                "trainee_id": f"{DEMO_PREFIX}{i:05d}",
                "full_name": name,
                "department": rng.choices(departments, weights)[0],
                "home_province": home,
                "email": f"trainee{i:05d}@example.go.th",
                "pilot_preferences": ";".join(pilot_prefs),
                "target_preferences": ";".join(target_prefs),
            }
        )
    return DemoCohort(trainees, targets)


def make_reports(
    trainee_ids: Sequence[str], weeks: Sequence[tuple[int, str]], seed: int
) -> list[dict[str, object]]:
    """Weekly reports for the given (week, Friday ISO date) pairs, with a realistic ~85 %
    submission rate and a few trainees who go quiet for a while."""
    rng = random.Random(seed + 1)
    quiet = set(rng.sample(list(trainee_ids), max(1, len(trainee_ids) // 25)))
    mechanisms, networks = list(MECHANISMS), list(NETWORKS)
    out: list[dict[str, object]] = []
    for tid in sorted(trainee_ids):
        quiet_from = rng.randint(5, 22) if tid in quiet else 99
        for week, friday in weeks:
            if week >= quiet_from and week < quiet_from + 3:
                continue
            if rng.random() > 0.88:
                continue
            out.append(
                {
                    "trainee_id": tid,
                    "week": week,
                    "submitted_on": friday,
                    "mechanisms": ";".join(sorted(rng.sample(mechanisms, rng.randint(1, 3)))),
                    "networks": ";".join(sorted(rng.sample(networks, rng.randint(1, 4)))),
                    "sdgs": ";".join(
                        str(s) for s in sorted(rng.sample(range(1, 18), rng.randint(1, 3)))
                    ),
                    "note": "",
                }
            )
    return out
