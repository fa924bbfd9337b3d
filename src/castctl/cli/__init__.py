"""The command line: a thin layer that parses options, calls the core, renders results.

Every user error (``castctl.errors.CastError``) becomes ``Error: …`` on stderr and its exit code
here, in ``CastGroup.invoke``, and nowhere else; an ``OptionRangeError`` (an option value outside
its documented range, which may depend on the intake) becomes click's usage error, exit 2.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

# Plain click-style help and usage errors ("Error: …", like our own errors) instead of typer's
# rich panels: it keeps `castctl --help` fast (no rich/markdown import) and the style uniform.
# TYPER_USE_RICH=1 in the environment brings the panels back.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402
import typer.main  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from castctl import __version__  # noqa: E402
from castctl.cli.context import Invocation  # noqa: E402
from castctl.errors import CastError, InputError, OptionRangeError  # noqa: E402


class CastGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            # An unknown name builds them all, for typer's "did you mean" among them.
            for name in [cmd_name] if cmd_name in COMMANDS else COMMANDS:
                if name not in self.commands:
                    self.add_command(_build(name), name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OptionRangeError as exc:
            # A usage error found against the data (``--week`` beyond the intake's weeks):
            # shown and exited (2) exactly as click shows its own range errors.
            where = ctx.obj.command_ctx if isinstance(ctx.obj, Invocation) else None
            raise typer.BadParameter(
                exc.message, ctx=where or ctx, param_hint=f"'{exc.option}'"
            ) from None
        except CastError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        finally:
            if isinstance(ctx.obj, Invocation):
                ctx.obj.close()


def report_error(exc: CastError) -> None:
    print(f"Error: {exc.message}", file=sys.stderr)
    if isinstance(exc, InputError):
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)


app = typer.Typer(
    cls=CastGroup,
    name="castctl",
    help="Run the field-practice phase (phase 2) of the MOI SMART Agent for CAST course.",
    no_args_is_help=True,
    # --install-completion / --show-completion (bash, zsh, fish, PowerShell); the values
    # (districts, provinces, trainee ids) come from castctl.cli.completion.
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"castctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH_OR_URL",
            help="Database: a SQLite file path or a PostgreSQL URL. "
            "Default: $CASTCTL_DB, else the user data directory.",
            show_default=False,
        ),
    ] = None,
    intake: Annotated[
        str | None,
        typer.Option(
            "--intake",
            metavar="NAME",
            help="The intake (รุ่น) to work on. Default: $CASTCTL_INTAKE, else the one running "
            "on the as-of date (else the latest ended, else the next).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Run the field-practice phase (phase 2) of the MOI SMART Agent for CAST course."""
    ctx.obj = Invocation(db_option=db, intake_option=intake)


# Every command, in the order ``castctl --help`` lists them: name -> (module, attribute), a
# typer app (a command with subcommands) or a command function. A module is imported when its
# command is looked up (the one place a command is dispatched), so a run imports and builds
# only the command it runs: about 20 ms less for every command than registering all of them.
COMMANDS: dict[str, tuple[str, str]] = {
    "timeline": ("castctl.cli.timeline", "timeline"),
    "districts": ("castctl.cli.districts", "districts"),
    "assign": ("castctl.cli.assign", "assign"),
    "progress": ("castctl.cli.progress", "progress"),
    "demo": ("castctl.cli.demo", "demo"),
    "intakes": ("castctl.cli.intakes", "app"),
    "mentors": ("castctl.cli.mentors", "app"),
    "trainees": ("castctl.cli.trainees", "app"),
    "targets": ("castctl.cli.targets", "app"),
    "assignments": ("castctl.cli.assign", "assignments_app"),
    "reports": ("castctl.cli.reports", "app"),
    "summary": ("castctl.cli.summary", "app"),
    "db": ("castctl.cli.db", "app"),
}


def _build(name: str) -> Any:
    """The click command of ``COMMANDS[name]``, as ``app.add_typer`` / ``app.command`` would
    build it."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        return typer.main.get_group(target)
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_command(single)


def main() -> None:
    app(prog_name="castctl")
