"""``castctl summary``: the weekly digest that cron sends (stub: filled in by issue 5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Digests for mentors and management (cron).", no_args_is_help=True)
