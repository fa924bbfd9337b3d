"""The one ``--format`` implementation every command uses.

A command builds its JSON document (exactly as the contract says) and one or more ``View``s
(titled tables); ``emit`` writes one of them to stdout. JSON goes out alone; CSV carries a
header of column keys and raw values (ISO dates); markdown is a pipe table; ``table`` is rich,
with no colour or escape codes when stdout is not a terminal. Messages and progress go to
stderr so that stdout stays machine-readable.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from castctl.io.cells import safe_cell
from castctl.io.json_text import json_text
from castctl.io.markdown import markdown_table

if TYPE_CHECKING:
    from rich.console import Console


class Format(enum.StrEnum):
    """Every output format of any command; ``cli.options.format_option`` offers each command
    its own subset. ``emit`` writes the first four; a command that offers more renders them."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    ics = "ics"
    xlsx = "xlsx"
    html = "html"
    text = "text"


@dataclass
class Column:
    key: str
    header: str
    justify: str = "left"  # left | right | center
    show: Callable[[Any], str] | None = None  # display form for table/markdown
    style: str | None = None
    cell_style: Callable[[Any], str | None] | None = None  # per-value rich style (tables only)


@dataclass
class View:
    columns: list[Column]
    rows: list[dict[str, Any]]
    title: str | None = None
    caption: str | None = None
    row_styles: dict[int, str] = field(default_factory=dict)  # row index -> rich style


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(*, stderr: bool = False) -> Console:
    """A rich console that never writes escape codes off a terminal."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = is_tty(stream)
    width = None
    if not tty:
        # Off a terminal rich would assume 80 columns and wrap Thai names; let tables be wide.
        width = int(os.environ.get("COLUMNS", "0") or 0) or 200
    return Console(
        file=stream,
        force_terminal=tty,
        no_color=not tty or bool(os.environ.get("NO_COLOR")),
        highlight=False,
        width=width,
        emoji=False,
        soft_wrap=False,
    )


def utf8_streams() -> None:
    """Write UTF-8 whatever the locale says: under cron (``env -i``, no LANG) or a legacy
    locale, Thai names and labels must still reach pipes and files intact."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            # ValueError/OSError: already written to, or not reconfigurable; leave it be.
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8")


def message(text: str) -> None:
    """A line for the user on stderr (never stdout)."""
    print(text, file=sys.stderr)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _cell(column: Column, row: dict[str, Any]) -> str:
    value = row.get(column.key)
    return column.show(value) if column.show else _text(value)


def write_csv(view: View, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([c.key for c in view.columns])
    for row in view.rows:
        writer.writerow([safe_cell(_text(row.get(c.key))) for c in view.columns])


def markdown_view(view: View) -> str:
    lines = []
    if view.title:
        lines += [f"### {view.title}", ""]
    lines += markdown_table(
        [c.header for c in view.columns],
        [[_cell(c, row) for c in view.columns] for row in view.rows],
        [c.justify for c in view.columns],
    )
    if view.caption:
        lines += ["", view.caption]
    return "\n".join(lines)


def rich_table(view: View) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=view.title,
        caption=view.caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
    )
    for c in view.columns:
        table.add_column(c.header, justify=c.justify, style=c.style)  # type: ignore[arg-type]
    for i, row in enumerate(view.rows):
        # Text, not markup: a name or note holding "[…]" must show as typed, never as a style.
        cells = [
            Text(_cell(c, row), style=(c.cell_style(row.get(c.key)) or "") if c.cell_style else "")
            for c in view.columns
        ]
        table.add_row(*cells, style=view.row_styles.get(i))
    return table


def emit(
    fmt: Format | str,
    *,
    data: Any,
    views: Sequence[View],
    notes: Iterable[str] = (),
) -> None:
    """Write ``data`` (json) or ``views`` (table/csv/markdown) to stdout.

    ``notes`` are lines shown under the tables (table/markdown only).
    """
    fmt = Format(fmt) if not isinstance(fmt, Format) else fmt
    utf8_streams()
    out = sys.stdout
    if fmt is Format.json:
        # Indented for a person at a terminal; compact for pipes and files. Both deterministic.
        out.write(json_text(data, indent=is_tty(out)))
        out.write("\n")
    elif fmt is Format.csv:
        # CSV is one table: the first view is the data, the rest are summaries.
        write_csv(views[0], out)
    elif fmt is Format.markdown:
        out.write("\n\n".join(markdown_view(v) for v in views))
        out.write("\n")
        for note in notes:
            out.write(f"\n{note}\n")
    else:
        con = console()
        for i, view in enumerate(views):
            if i:
                con.print()
            con.print(rich_table(view))
        for note in notes:
            con.print(note, markup=False)


def progress(items: Any, *, total: int, label: str) -> Any:
    """Iterate ``items``, showing a progress bar on stderr when stderr is a terminal."""
    if not is_tty(sys.stderr) or total < 2000:
        return items
    from rich.progress import track

    return track(items, total=total, description=label, console=console(stderr=True))


@contextlib.contextmanager
def working(label: str, *, size: int = 0, threshold: int = 2000) -> Iterator[None]:
    """A spinner with ``label`` on stderr while a long step (a big import, a solve) runs.

    Only on a terminal and only for work of at least ``threshold`` items: cron logs and pipes
    stay clean, and quick runs do not flicker.
    """
    if not is_tty(sys.stderr) or size < threshold:
        yield
        return
    with console(stderr=True).status(label):
        yield
