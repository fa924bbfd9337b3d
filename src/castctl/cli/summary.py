"""``castctl summary``: the weekly digest that cron sends to mentors and management.

Made for cron: no terminal needed, UTF-8 output whatever the locale, ``--output`` files written
atomically (0600: they name trainees), mail through the standard library's ``smtplib``, and
``--once`` keeps a log of each (week, format, destination) delivered, so a rerun is a no-op and
a failed delivery is retried by the next run.
"""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from castctl.cli.context import as_of_date, current_intake, invocation, open_store
from castctl.cli.options import AsOfOpt, Lang, LangOpt, format_option
from castctl.cli.output import Format, message, utf8_streams
from castctl.core.intakes import ENV_VAR
from castctl.errors import InputError
from castctl.io.json_text import json_text

if TYPE_CHECKING:
    from castctl.app.summary import WeeklySummary

app = typer.Typer(help="Digests for mentors and management (cron).", no_args_is_help=True)

if TYPE_CHECKING:  # the factory builds the Annotated option at run time; a Format to mypy
    SummaryFormatOpt = Format
else:
    SummaryFormatOpt = format_option(
        "text", "markdown", "html", "json", base=(),
        help="text, markdown, html (one standalone page) or json.",
    )  # fmt: skip


@app.command("weekly")
def weekly(
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            metavar="N",
            help="The week to summarise (default: the last one ended).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: SummaryFormatOpt = Format.text,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically, mode 0600) instead of stdout; repeatable. With "
            "--per-mentor, FILE-5607.ext per mentor (or put {district} in the name).",
        ),
    ] = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="Deliver each (week, format, destination) at most once: skip destinations that "
            "already have it (a rerun is a no-op); a failed delivery is retried next run.",
        ),
    ] = False,
    per_mentor: Annotated[
        bool,
        typer.Option(
            "--per-mentor",
            help="One digest per mentor with only their trainees, mailed to the mentor "
            "(--to gets a copy).",
        ),
    ] = False,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", metavar="ADDR", help="Mail the digest to ADDR (repeatable)."),
    ] = None,
    smtp_host: Annotated[
        str | None, typer.Option("--smtp-host", metavar="HOST", help="SMTP server for mail.")
    ] = None,
    smtp_port: Annotated[
        int | None,
        typer.Option(
            "--smtp-port", metavar="PORT", help="SMTP port (default 25, 587 with --starttls)."
        ),
    ] = None,
    smtp_user: Annotated[
        str | None, typer.Option("--smtp-user", metavar="USER", help="Log in to the SMTP server.")
    ] = None,
    smtp_password_env: Annotated[
        str | None,
        typer.Option(
            "--smtp-password-env",
            metavar="VAR",
            help="Name of the environment variable holding the SMTP password.",
        ),
    ] = None,
    starttls: Annotated[
        bool, typer.Option("--starttls", help="Upgrade the SMTP connection with STARTTLS.")
    ] = False,
    mail_from: Annotated[
        str | None,
        typer.Option("--from", metavar="ADDR", help="Sender address (default castctl@HOSTNAME)."),
    ] = None,
    lang: LangOpt = Lang.en,
) -> None:
    """The digest of one week: submitted against expected per mentor, who is missing, who has
    missed 2+ weeks in a row, 3-5-7 coverage, holidays this week and next.

    The default week is the last one of the intake that has ended on today's date in
    Asia/Bangkok (or --as-of); after the intake, its last week. Without --intake (or
    CASTCTL_INTAKE) and --week, the digest is the one of the intake with a week that just ended
    (its Friday at most 6 days ago); when no intake has one, nothing is sent (exit 0). For
    cron, e.g. every Monday at 08:00:
    castctl summary weekly --once -f html --to ADDR --smtp-host HOST
    """
    from castctl.app.summary import (
        deliver_weekly,
        due_intake,
        mail_recipients,
        mail_server,
        weekly_summary,
    )

    utf8_streams()
    addresses = list(to or [])
    if week is not None and as_of is not None:
        raise typer.BadParameter("give --week or --as-of, not both", param_hint="'--week'")
    if addresses and not smtp_host:
        raise typer.BadParameter("mail needs an SMTP server: add --smtp-host", param_hint="'--to'")
    if smtp_host and not addresses and not per_mentor:
        raise typer.BadParameter(
            "whom to mail? add --to ADDR (or --per-mentor)", param_hint="'--smtp-host'"
        )
    if smtp_user and not smtp_password_env:
        raise typer.BadParameter(
            "--smtp-user needs --smtp-password-env VAR", param_hint="'--smtp-user'"
        )
    password = None
    if smtp_password_env:
        password = os.environ.get(smtp_password_env)
        if password is None:
            raise InputError(f"the environment variable {smtp_password_env} is not set")
    addresses = mail_recipients(addresses)

    store = open_store()
    day = as_of_date(as_of)
    if week is None and not _intake_chosen():
        due = due_intake(store, day)
        if due is None:
            message(f"no intake has a week that just ended on {day}; nothing to send")
            return
        invocation().intake = due[0]
    summary = weekly_summary(
        store,
        current_intake(day),
        week=week,
        as_of=day if week is None else None,
        fmt=fmt.value,
        th=lang is Lang.th,
        per_mentor=per_mentor,
    )
    if not summary.digests:
        message(
            f"no mentor of intake {summary.intake} has trainees placed in week {summary.week}; "
            "nothing to send"
        )
        return
    if not output and not smtp_host:
        _print(summary)
        return
    smtp = (
        mail_server(smtp_host, port=smtp_port, user=smtp_user, password=password, starttls=starttls)
        if smtp_host
        else None
    )
    deliver_weekly(
        store,
        summary,
        outputs=output or [],
        to=addresses,
        smtp=smtp,
        sender=mail_from,
        once=once,
        notify=message,
    )


def _intake_chosen() -> bool:
    """Whether the intake was named (``--intake`` or ``CASTCTL_INTAKE``), not found by date."""
    return bool((invocation().intake_option or "").strip() or os.environ.get(ENV_VAR, "").strip())


def _print(summary: "WeeklySummary") -> None:
    out = sys.stdout
    digests = summary.digests
    if summary.fmt == "json" and digests[0].district is not None:
        # One digest per mentor: one JSON document, the list of them. (A single digest's body
        # is already its JSON.)
        out.write(json_text([d.doc for d in digests], indent=True) + "\n")
    else:
        out.write(("\n" + "=" * 72 + "\n\n").join(d.body for d in digests))
    out.flush()
