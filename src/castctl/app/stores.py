"""Opening the store: where it is (``--db`` > ``CASTCTL_DB`` > the user data directory), and its
first-use initialisation or upgrade."""

from __future__ import annotations

from dataclasses import dataclass

from castctl.db.location import hide_password, resolve_location
from castctl.db.store import Store
from castctl.db.store import open_store as open_location
from castctl.errors import InputError

__all__ = ["Location", "Store", "locate", "open_store", "open_store_as_is", "shown_location"]


@dataclass(frozen=True)
class Location:
    location: str  # as given or resolved; may hold a password: never print it
    is_default: bool  # the platformdirs default, whose folder we may create


def locate(option: str | None) -> Location:
    if option is not None and not option.strip():
        # An unset variable in a script (--db "$DB") must not silently mean the default.
        raise InputError("--db is empty: give a SQLite file path or a database URL")
    location = resolve_location(option)
    return Location(location, not option and location == resolve_location(None, {}))


def open_store(option: str | None) -> tuple[Store, str | None]:
    """The store, ready to use, and a line to tell the user when its schema was upgraded."""
    where = locate(option)
    store = open_location(where.location, create_dirs=where.is_default)
    upgrade = store.ensure_ready()
    note = upgrade.describe() if upgrade is not None and not upgrade.created else None
    return store, note


def open_store_as_is(option: str | None) -> Store:
    """The store without the first-use initialisation or upgrade: for the commands that look
    at or replace the schema itself (``db current``, ``db upgrade``, ``db restore``)."""
    where = locate(option)
    return open_location(where.location, create_dirs=where.is_default)


def shown_location(location: str) -> str:
    """The location as it may be shown: a URL's password replaced by ``***`` (it would
    otherwise land in terminals and logs)."""
    return hide_password(location)
