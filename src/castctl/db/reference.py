"""Loading the reference data (provinces, districts, the 2023 pilot districts) and the built-in
intake 2566 (its mentors and calendar) into a new database, in the caller's transaction, with
the store's bulk insert."""

from __future__ import annotations

from castctl.core import reference
from castctl.core.intakes import builtin_intake
from castctl.db.intakes import save_intake
from castctl.db.store import Tx


def load_reference_data(tx: Tx) -> None:
    tx.insert_rows(
        "province",
        ("code", "name_th", "name_en", "region"),
        [(p.code, p.name_th, p.name_en, p.region) for p in reference.all_provinces()],
    )
    tx.insert_rows(
        "district",
        ("code", "name_th", "name_en", "province_code"),
        [(d.code, d.name_th, d.name_en, d.province_code) for d in reference.all_districts()],
    )
    pilots = reference.pilot_districts()
    tx.insert_rows(
        "pilot_district",
        ("code", "aliases", "mentor_title_th", "mentor_title_en"),
        [(p.code, ";".join(p.aliases), p.mentor_title_th, p.mentor_title_en) for p in pilots],
    )
    # The built-in intake 2566 with its mentors (one per pilot district) and its calendar.
    save_intake(tx, builtin_intake(), previous=None)
