"""A whole dataset as rows: what ``db export`` writes and ``db import`` loads.

``castctl.db.transfer`` reads one from a store and loads one into a store; ``castctl.io``
writes it to a file and reads it back; ``castctl.app.maintenance`` passes it between the two,
so neither side knows the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dataset:
    """Every table of the data model, each as ``{"columns": [names], "rows": [[values]]}``.

    Values are plain JSON (ISO text for dates and timestamps). As read from a file the tables
    are unchecked: ``castctl.db.transfer`` checks them against the model before loading.
    """

    schema: str  # the schema revision the rows belong to
    tables: dict[str, Any]
    redacted: bool = False

    def row_counts(self) -> dict[str, int]:
        return {name: len(block["rows"]) for name, block in self.tables.items()}
