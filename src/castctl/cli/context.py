"""What the root command parsed (``--db``), and the store once a command opens it.

It rides on click's context object (``ctx.obj``), not a module global: each invocation has its
own, and ``CastGroup.invoke`` closes the store when the command ends, whatever happens.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from castctl.cli.output import message

try:  # typer 0.28 carries its own copy of click, with its own context stack
    from typer._click import globals as click_globals
except ImportError:  # pragma: no cover - older typer on plain click
    import click.globals as click_globals  # type: ignore[no-redef]

if TYPE_CHECKING:
    from castctl.app.stores import Location, Store
    from castctl.core.intakes import Intake


@dataclass
class Invocation:
    db_option: str | None = None
    intake_option: str | None = None
    store: Store | None = None
    intake: Intake | None = None
    # The click context of the command that asked for the store or the intake: a usage error
    # raised by the app layer (``OptionRangeError``) shows that command's usage line.
    command_ctx: Any = None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def invocation(ctx: typer.Context | None = None) -> Invocation:
    """What the root command parsed, from the running command's click context (click's
    context stack, as ``click.pass_obj`` reads it) or the ``ctx`` a command declared."""
    current: Any = ctx if ctx is not None else click_globals.get_current_context()
    found: Invocation | None = current.find_object(Invocation)
    if found is None:  # a command invoked on its own (tests of a sub-app): defaults
        found = current.ensure_object(Invocation)
    found.command_ctx = current
    return found


def location(ctx: typer.Context | None = None) -> Location:
    """Where the store is, without opening it (``db path``, ``db restore``)."""
    from castctl.app.stores import locate

    return locate(invocation(ctx).db_option)


def open_store(ctx: typer.Context | None = None) -> Store:
    """The store, initialised on first use (schema and reference data); opened once per run."""
    inv = invocation(ctx)
    if inv.store is None:
        from castctl.app.stores import open_store as open_

        inv.store, note = open_(inv.db_option)
        if note:
            message(note)  # "upgraded … ; the previous file is kept as …"
    return inv.store


def as_of_date(value: str | None) -> dt.date:
    """``--as-of`` as a date; today in Asia/Bangkok without it."""
    # Here, not at the top: every command loads this module, and `--version` or `db path`
    # need no calendar.
    from castctl.core.calendar import parse_date, today_in_bangkok

    return today_in_bangkok() if value is None else parse_date(value, "--as-of")


def current_intake(as_of: dt.date | None = None, ctx: typer.Context | None = None) -> Intake:
    """The intake this command works on (``--intake`` > ``$CASTCTL_INTAKE`` > the as-of date
    rule), chosen once per run."""
    from castctl.app.intake_choice import select_intake

    inv = invocation(ctx)
    if inv.intake is None:
        day = as_of if as_of is not None else as_of_date(None)
        inv.intake = select_intake(
            open_store(ctx), name=inv.intake_option, environ=dict(os.environ), as_of=day
        )
    return inv.intake
