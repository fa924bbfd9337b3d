"""``castctl reports``: weekly field reports (stub: filled in by issue 5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Weekly field reports: add one, or import a file.", no_args_is_help=True)
