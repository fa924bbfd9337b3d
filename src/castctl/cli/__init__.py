"""The command line: a thin layer that parses options, calls the core, renders results.

Every user error (``castctl.errors.CastError``) becomes ``Error: …`` on stderr and its exit code
here, in ``CastGroup.invoke``, and nowhere else; an ``OptionRangeError`` (an option value outside
its documented range, which may depend on the intake) becomes click's usage error, exit 2.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

# Plain click-style help and usage errors ("Error: …", like our own errors) instead of typer's
# rich panels: it keeps `castctl --help` fast (no rich/markdown import) and the style uniform.
# TYPER_USE_RICH=1 in the environment brings the panels back.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from castctl import __version__  # noqa: E402
from castctl.cli.context import Invocation  # noqa: E402
from castctl.errors import CastError, InputError, OptionRangeError  # noqa: E402


class CastGroup(TyperGroup):
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
            help="Database: a SQLite file path or a SQLAlchemy URL. "
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


def _register() -> None:
    from castctl.cli import (
        assign,
        db,
        demo,
        districts,
        intakes,
        mentors,
        progress,
        reports,
        summary,
        targets,
        timeline,
        trainees,
    )

    app.add_typer(intakes.app, name="intakes")
    app.command("timeline")(timeline.timeline)
    app.command("districts")(districts.districts)
    app.add_typer(mentors.app, name="mentors")
    app.add_typer(trainees.app, name="trainees")
    app.add_typer(targets.app, name="targets")
    app.command("assign")(assign.assign)
    app.add_typer(assign.assignments_app, name="assignments")
    app.add_typer(reports.app, name="reports")
    app.command("progress")(progress.progress)
    app.add_typer(summary.app, name="summary")
    app.add_typer(db.app, name="db")
    app.command("demo")(demo.demo)


_register()


def main() -> None:
    app(prog_name="castctl")
