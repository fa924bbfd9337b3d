"""The JSON file of ``castctl db export`` / ``db import``: one document per dataset::

    {"castctl_export": 1, "schema": "<revision>", "exported_at": "…Z",
     "redacted": false, "tables": {"province": {"columns": [...], "rows": [[...], ...]}, ...}}

Written atomically with mode 0600 (it holds personal data), one table per line: readable in a
pager and friendly to diff, still compact.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from castctl.core.dataset import Dataset
from castctl.errors import InputError
from castctl.io.files import atomic_file, check_readable

EXPORT_FORMAT = 1


def write_export(path: Path, dataset: Dataset) -> None:
    """Write ``dataset`` to ``path`` (replaced if it exists) atomically, mode 0600."""
    head = {
        "castctl_export": EXPORT_FORMAT,
        "schema": dataset.schema,
        "exported_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "redacted": dataset.redacted,
    }
    with atomic_file(path) as fh:
        fh.write(json.dumps(head, ensure_ascii=False)[:-1].encode())
        fh.write(b', "tables": {\n')
        for n, (name, block) in enumerate(dataset.tables.items()):
            sep = b",\n" if n else b""
            body = json.dumps(block, ensure_ascii=False, separators=(",", ":"))
            fh.write(sep + json.dumps(name).encode() + b": " + body.encode())
        fh.write(b"\n}}\n")


def read_export(path: Path) -> Dataset:
    """Read and parse an export file; any problem is one clear ``InputError``. The tables are
    not checked here (``castctl.db.transfer`` checks them against the data model)."""
    check_readable(path)
    try:
        with path.open("rb") as fh:
            doc = json.load(fh)
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not a castctl export (not UTF-8 JSON)") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path.name} is not a castctl export (not JSON: line {exc.lineno}, column {exc.colno})"
        ) from None
    except (OSError, RecursionError, ValueError) as exc:
        raise InputError(f"cannot read {path.name}: {exc}") from None
    if not isinstance(doc, dict) or "castctl_export" not in doc:
        raise InputError(f"{path.name} is not a castctl export (no castctl_export header)")
    if doc["castctl_export"] != EXPORT_FORMAT:
        raise InputError(
            f"{path.name} is a castctl export of format {doc['castctl_export']!r}; this castctl "
            f"reads format {EXPORT_FORMAT}"
        )
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise InputError(f"{path.name}: no tables in the export")
    return Dataset(str(doc.get("schema")), tables, redacted=bool(doc.get("redacted")))
