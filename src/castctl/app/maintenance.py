"""``castctl db``: where the database is, backups, exports and imports, restores, the schema.

The storage side (reading and loading rows, SQLite's backup API) is ``castctl.db.transfer``;
the files (the JSON export, the atomic writer, timestamped backup names) are ``castctl.io``.
This module joins the two, so neither knows the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castctl.app.stores import Store, locate, shown_location
from castctl.db import migrations, transfer
from castctl.db.transfer import ImportResult, RestorePlan, RestoreResult
from castctl.errors import CastError, InputError
from castctl.io.export_file import read_export, write_export
from castctl.io.files import check_writable, same_file, timestamped_path

__all__ = [
    "ExportResult",
    "ImportResult",
    "RestorePlan",
    "RestoreResult",
    "backup",
    "database_location",
    "export_dataset",
    "import_dataset",
    "plan_restore",
    "restore",
    "schema_state",
    "upgrade",
]

# SQLite keeps a database in up to four files: none of them may be overwritten or read back
# as a backup.
_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def database_location(option: str | None) -> str:
    """The resolved location (``--db``, then ``$CASTCTL_DB``, then the default), fit to show."""
    return shown_location(locate(option).location)


def _is_the_database(store: Store, path: Path) -> bool:
    if store.path is None:
        return False
    return any(same_file(path, Path(f"{store.path}{s}")) for s in _DATABASE_SUFFIXES)


# ---- backup and export --------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: dict[str, int]
    redacted: bool

    def __str__(self) -> str:
        trainees = self.rows.get("trainee", 0)
        reports = self.rows.get("report", 0)
        total = sum(self.rows.values())
        what = "redacted export" if self.redacted else "export"
        return (
            f"{what} written to {self.path}: {total} rows in {len(self.rows)} tables "
            f"({trainees} trainees, {reports} reports)"
        )


def export_dataset(store: Store, target: Path, *, redact: bool = False) -> ExportResult:
    """Write the whole dataset to ``target`` as JSON (atomically, mode 0600; replaced if it
    exists, unless it is the database itself)."""
    if _is_the_database(store, target):
        raise CastError(f"{target} is the database itself; choose another file")
    check_writable(target)  # before the (long) read, not after it
    dataset = transfer.read_dataset(store, redact=redact)
    write_export(target, dataset)
    return ExportResult(target, dataset.row_counts(), redact)


def backup(store: Store, target: Path) -> None:
    """A consistent copy of the database in a new file, even while others write: SQLite's
    online backup API; on other backends a JSON export, as ``export_dataset`` writes."""
    if store.is_sqlite:
        store.backup_to(target)
        return
    if target.exists():
        raise CastError(f"{target} already exists; choose a new file name")
    export_dataset(store, target)


# ---- import ---------------------------------------------------------------------------------


def import_dataset(store: Store, source: Path, *, replace: bool) -> ImportResult:
    """Load a file written by ``export_dataset`` in one transaction, replacing the dataset.

    A database that holds trainees is only replaced with ``replace``; a SQLite one holding any
    data is first copied beside itself as ``NAME.before-import-<UTC time>.db``.
    """
    dataset = read_export(source)
    keep = timestamped_path(store.path, "before-import") if store.path is not None else None
    return transfer.import_dataset(store, dataset, replace=replace, name=source.name, backup=keep)


# ---- restore (SQLite) -----------------------------------------------------------------------


def _restore_target(store: Store, source: Path) -> Path:
    target = transfer.restore_target(store)
    if any(same_file(source, Path(f"{target}{s}")) for s in _DATABASE_SUFFIXES[:3]):
        raise InputError(f"{source} is the database itself; give a backup file")
    return target


def plan_restore(store: Store, source: Path) -> RestorePlan:
    """Check ``source`` and say what restoring it would do; writes nothing."""
    target = _restore_target(store, source)
    pattern = target.with_name(f"{target.stem}.before-restore-<UTC time>{target.suffix or '.db'}")
    return transfer.plan_restore(store, source, str(pattern))


def restore(store: Store, source: Path) -> RestoreResult:
    """Replace the SQLite database with the backup ``source``; the current one is first copied
    beside itself as ``NAME.before-restore-<UTC time>.db``."""
    target = _restore_target(store, source)
    return transfer.restore(store, source, timestamped_path(target, "before-restore"))


# ---- schema revisions -------------------------------------------------------------------------


def upgrade(store: Store) -> str:
    """Bring the schema to this castctl's head revision now; say what was done."""
    done = store.ensure_ready()
    if done is not None:
        return done.describe()
    return f"already at head (schema revision {store.current_revision()})"


def schema_state(store: Store) -> dict[str, Any]:
    """The database's schema revision against the head, and what an upgrade would apply
    (reads only). ``state``: new | up_to_date | older | newer."""
    revision = store.current_revision()
    head = migrations.head()
    return {
        "revision": revision,
        "head": head,
        "is_head": revision == head,
        "state": migrations.state(revision),
        "pending": migrations.pending(revision),
    }
