"""Every option that more than one command takes, declared once.

A command writes ``fmt: FormatOpt = Format.table`` (the four data formats) or builds its own
with ``format_option("ics")`` when it adds formats; ``--output``, ``--dry-run``, ``--as-of`` and
``--lang`` are the same everywhere. ``--db`` is a root option (``castctl --db … COMMAND``); the
command reaches the open store through ``castctl.cli.context``.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.main import get_click_type

from castctl.cli.completion import (
    complete_pilot_districts,
    complete_provinces,
    complete_trainee_ids,
)
from castctl.cli.output import Format

DATA_FORMATS = ("table", "json", "csv", "markdown")

# What an import reads (castctl.io.tabular detects the encoding and the separator).
IMPORT_FILE_HELP = (
    "CSV (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-874/TIS-620; separated by "
    "',', ';' or tab) or XLSX (first sheet), header row first"
)


class Lang(enum.StrEnum):
    en = "en"
    th = "th"


def format_option(
    *extra: str, base: tuple[str, ...] = DATA_FORMATS, help: str | None = None
) -> Any:
    """``--format/-f`` with the data formats plus ``extra`` (e.g. ``ics``, ``xlsx``, ``html``).

    The value reaches the command as a ``Format`` member; click lists the choices in ``--help``
    and refuses anything else with exit 2.
    """
    choices = [*base, *extra]
    text = help or f"Output format: {', '.join(choices[:-1])} or {choices[-1]}."
    # The command's parameter is a ``Format`` (so every command compares with ``Format.json``
    # & co.); the choices offered and checked are this command's own, typer's way (its Choice
    # type, built from an enum of just these values).
    offered = enum.Enum("FormatChoice", [(c, c) for c in choices])  # type: ignore[misc]
    choice_type = get_click_type(annotation=offered, parameter_info=typer.Option())
    return Annotated[Format, typer.Option("--format", "-f", click_type=choice_type, help=text)]


FormatOpt = format_option()

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Validate and show what would change; write nothing.")
]

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Pretend today is this date (default: today in Asia/Bangkok).",
    ),
]

LangOpt = Annotated[
    Lang, typer.Option("--lang", help="Language of labels and dates in tables: en or th.")
]


def output_option(help: str = "Write to this file instead of stdout.") -> Any:
    """``--output/-o FILE``."""
    return Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help=help)]


OutputOpt = output_option()


# ---- values the shell completes (castctl --install-completion) ------------------------------
# Declared here, once, so a command takes completion by its parameter's annotation alone.

TraineeIdArg = Annotated[
    str,
    typer.Argument(
        help="The trainee's id.", show_default=False, autocompletion=complete_trainee_ids
    ),
]

TraineeIdOpt = Annotated[
    str | None,
    typer.Option(
        "--trainee", metavar="ID", help="Only this trainee.", autocompletion=complete_trainee_ids
    ),
]

ExplainIdOpt = Annotated[
    str | None,
    typer.Option(
        "--explain",
        metavar="ID",
        help="Explain this trainee's placement (writes nothing).",
        autocompletion=complete_trainee_ids,
    ),
]

PilotDistrictArg = Annotated[
    str,
    typer.Argument(
        metavar="DISTRICT",
        help="Pilot district: code, Thai or English name.",
        show_default=False,
        autocompletion=complete_pilot_districts,
    ),
]

PilotDistrictOpt = Annotated[
    str | None,
    typer.Option(
        "--district",
        help="Only trainees of this pilot district: code, Thai or English name.",
        autocompletion=complete_pilot_districts,
    ),
]

ProvinceOpt = Annotated[
    str | None,
    typer.Option(
        "--province",
        metavar="P",
        help="Only this province: code, Thai or English name.",
        autocompletion=complete_provinces,
    ),
]
