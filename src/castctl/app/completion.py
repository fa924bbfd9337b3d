"""What the shell offers on TAB: district and province codes and names, trainee ids.

Each function takes the store and the word typed so far and returns ``(value, help)`` pairs,
best first. ``open_for_completion`` opens the store only if it already exists, never creating
or upgrading one: completing a word must not change anything.

Trainee ids and pilot districts belong to an intake: the one given by ``--intake`` (or
``$CASTCTL_INTAKE``), else the one the as-of date rule picks for today. When no single intake
can be chosen (two running today, an unknown name), every intake's are offered: a suggestion
too many is better than none, and nothing may fail in the prompt.
"""

from __future__ import annotations

import os

from castctl.app.intake_choice import select_intake
from castctl.app.stores import Store, open_store_as_is
from castctl.core.calendar import today_in_bangkok
from castctl.core.intakes import Intake
from castctl.db.districts import load_districts, load_provinces
from castctl.db.intakes import load_intakes
from castctl.db.names import trainee_ids
from castctl.errors import CastError

Suggestion = tuple[str, str]  # (value, help shown by zsh, fish and PowerShell)

# Beyond this, a list of suggestions is more noise than help (the shell asks "show all?").
MAX_SUGGESTIONS = 200


def open_for_completion(db_option: str | None) -> Store | None:
    """The store at ``--db`` / ``$CASTCTL_DB`` / the default, or None when there is no SQLite
    file there yet (opening it would create one)."""
    store = open_store_as_is(db_option)
    if store.is_sqlite and (store.path is None or not store.path.is_file()):
        return None
    return store


def _by_code_or_name(
    entries: list[tuple[str, list[str], str]], incomplete: str
) -> list[Suggestion]:
    """``entries``: (code, names, description). Digits (or nothing) typed: codes, described;
    letters typed: the names that begin so in any case (English, Thai, aliases), with the code.
    typer keeps only suggestions that begin with exactly what was typed, so a name is offered
    as typed and completed (``mae c`` → ``mae Chai``): names are matched case-insensitively
    wherever a command takes one."""
    if not incomplete or incomplete.isdigit():
        found = [(code, text) for code, _, text in entries if code.startswith(incomplete)]
    else:
        typed = incomplete.lower()
        found = []
        for code, names, text in entries:
            for name in dict.fromkeys(names):  # a Thai and English name may coincide
                if name[: len(incomplete)].lower() == typed:
                    found.append((incomplete + name[len(incomplete) :], f"{code} {text}"))
    return found[:MAX_SUGGESTIONS]


def _intakes(store: Store, intake_name: str | None) -> list[Intake]:
    """The intake completion is for, or every intake when none can be chosen."""
    try:
        return [
            select_intake(
                store, name=intake_name, environ=dict(os.environ), as_of=today_in_bangkok()
            )
        ]
    except CastError:
        return load_intakes(store.read)


def complete_districts(
    store: Store, incomplete: str, *, pilot_only: bool = False, intake: str | None = None
) -> list[Suggestion]:
    """District codes, or Thai/English names (and known aliases), starting with ``incomplete``;
    with ``pilot_only``, only the pilot districts of the intake (``intake``: --intake's value)."""
    pilots = {c for i in _intakes(store, intake) for c in i.pilot_codes} if pilot_only else set()
    entries = [
        (
            d["code"],
            [d["name_en"], d["name_th"], *d["aliases"]],
            f"{d['name_en']} ({d['province_en']})",
        )
        for d in load_districts(store)
        if d["code"] in pilots or not pilot_only
    ]
    return _by_code_or_name(entries, incomplete)


def complete_provinces(store: Store, incomplete: str) -> list[Suggestion]:
    """Province codes (2 digits), or Thai/English names, starting with ``incomplete``."""
    entries = [(p.code, [p.name_en, p.name_th], p.name_en) for p in load_provinces(store)]
    return _by_code_or_name(entries, incomplete)


def complete_trainee_ids(
    store: Store, incomplete: str, *, intake: str | None = None
) -> list[Suggestion]:
    """Trainee ids of the intake starting with ``incomplete`` (``intake``: --intake's value;
    ids only: names stay out of terminals)."""
    ids: set[str] = set()
    for chosen in _intakes(store, intake):
        ids.update(trainee_ids(store, chosen.name, incomplete, limit=MAX_SUGGESTIONS))
    return [(tid, "") for tid in sorted(ids)[:MAX_SUGGESTIONS]]
