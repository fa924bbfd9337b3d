"""``castctl summary``: the weekly digest that cron sends to mentors and management.

Made for cron: no terminal needed, UTF-8 output whatever the locale, ``--output`` files written
atomically (0600: they name trainees), mail through the standard library's ``smtplib``, and
``--once`` keeps a log of each (week, format, destination) delivered, so a rerun is a no-op and
a failed delivery is retried by the next run.
"""

import enum
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from castctl.cli.context import as_of_date, open_store
from castctl.cli.options import AsOfOpt, Lang, LangOpt
from castctl.cli.output import message, utf8_streams

if TYPE_CHECKING:
    from castctl.core.summary import Figures
    from castctl.db.engine import Database

app = typer.Typer(help="Digests for mentors and management (cron).", no_args_is_help=True)


class SummaryFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


@dataclass
class Digest:
    district: str | None  # the mentor's pilot district, None for the whole cohort
    doc: dict[str, Any]
    body: str  # in the chosen format
    subject: str
    mail_text: str
    mail_html: str | None


@dataclass
class Mail:
    digest: Digest
    to: list[str]
    cc: list[str]
    shown_as: str  # how errors and messages name the recipients (never an untyped address)
    log_keys: dict[str, str]  # recipient -> sent-log destination
    pending: list[str] = field(default_factory=list)


def per_mentor_path(path: Path, code: str) -> Path:
    """``digest.html`` -> ``digest-5607.html``; a ``{district}`` in the name is replaced."""
    if "{district}" in path.name:
        return path.with_name(path.name.replace("{district}", code))
    return path.with_name(f"{path.stem}-{code}{path.suffix}")


def gather(db: "Database", number: int) -> "Figures":
    from castctl.core.summary import Figures
    from castctl.db import progress_queries as q
    from castctl.db.timeline import load_weeks

    weeks = load_weeks(db)
    scope = q.Scope()
    return Figures(
        week=weeks[number - 1],
        next_week=weeks[number] if number < len(weeks) else None,
        weeks=weeks,
        districts=q.pilot_districts(db),
        by_district=q.district_week_figures(db, number, scope),
        missing=q.missing_for_week(db, number, scope),
        streaks=q.streaks_at(db, number, scope),
        submitted_by_week=q.submitted_by_district_week(db, number, scope),
    )


def _digest(doc: dict[str, Any], district: str | None, fmt: SummaryFormat, th: bool) -> Digest:
    from castctl.io import summary_render as render

    body = render.render(doc, fmt.value, th)
    is_html = fmt is SummaryFormat.html
    return Digest(
        district=district,
        doc=doc,
        body=body,
        subject=render.subject(doc, th),
        mail_text=render.render_text(doc, th) if is_html else body,
        mail_html=body if is_html else None,
    )


def _check_addresses(addresses: list[str]) -> None:
    from castctl.errors import InputError

    for address in addresses:
        local, _, domain = address.partition("@")
        if not local or not domain or any(c.isspace() for c in address):
            raise InputError(f"--to {address!r} is not an email address")


@app.command("weekly")
def weekly(
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            min=1,
            metavar="N",
            help="The week to summarise (default: the last one ended).",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        SummaryFormat,
        typer.Option("--format", "-f", help="text, markdown, html (one standalone page) or json."),
    ] = SummaryFormat.text,
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

    The default week is the last one that has ended on today's date in Asia/Bangkok (or
    --as-of); after the programme, week 22. For cron, e.g. every Monday at 08:00:
    castctl summary weekly --once -f html --to ADDR --smtp-host HOST
    """
    from castctl.core.summary import build_summary, default_week, mentors_with_trainees
    from castctl.errors import InputError

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
    _check_addresses(addresses)

    db = open_store()
    from castctl.db.timeline import load_weeks

    weeks = load_weeks(db)
    number = week if week is not None else default_week(weeks, as_of_date(as_of))
    if number > len(weeks):
        raise InputError(f"--week {number}: the programme's weeks are 1-{len(weeks)}")
    figures = gather(db, number)
    th = lang is Lang.th

    if per_mentor:
        codes = mentors_with_trainees(figures)
        if not codes:
            message(f"no mentor has trainees placed in week {number}; nothing to send")
            return
        digests = [_digest(build_summary(figures, only=c, th=th), c, fmt, th) for c in codes]
    else:
        digests = [_digest(build_summary(figures, th=th), None, fmt, th)]

    files: dict[Path, Digest] = {}
    for out in output or []:
        base = Path(os.path.abspath(out.expanduser()))
        for d in digests:
            files[per_mentor_path(base, d.district) if d.district else base] = d
    mails = _mails(digests, figures, addresses, per_mentor) if smtp_host else []

    if not files and not mails:
        _print(digests, fmt)
        return

    from castctl.db.report_store import delivered, record_delivery

    skipped = 0
    if once:
        done = delivered(db, number, fmt.value)
        skipped = sum(1 for p in files if str(p) in done)
        files = {p: d for p, d in files.items() if str(p) not in done}
        for m in mails:
            m.pending = [r for r in m.pending if m.log_keys[r] not in done]
            skipped += len(m.log_keys) - len(m.pending)
        mails = [m for m in mails if m.pending]
        if not files and not mails:
            message(
                f"week {number} summary ({fmt.value}) was already delivered to every "
                "destination; nothing sent"
            )
            return
        if skipped:
            message(f"week {number}: {skipped} destination(s) already had it; skipped")

    from castctl.io.files import write_atomic

    for path, d in files.items():
        write_atomic(path, d.body.encode("utf-8"))
        if once:
            record_delivery(db, number, fmt.value, [str(path)])
        message(f"week {number} summary written to {path}")
    if mails:
        _send_all(db, mails, number, fmt, once, smtp_host or "", smtp_port, smtp_user, password,
                  starttls, mail_from)  # fmt: skip


def _mails(
    digests: "list[Digest]", figures: "Figures", addresses: list[str], per_mentor: bool
) -> list[Mail]:
    from castctl.errors import InputError

    if not per_mentor:
        d = digests[0]
        return [
            Mail(d, addresses, [], ", ".join(addresses), {a: a for a in addresses},
                 list(dict.fromkeys(addresses)))
        ]  # fmt: skip
    emails = {row["code"]: row["mentor_email"] for row in figures.districts}
    no_email = [d.district for d in digests if d.district and not emails.get(d.district)]
    if no_email and not addresses:
        raise InputError(
            f"no email for the mentor of {', '.join(map(str, no_email))}: set it with "
            "'castctl mentors set DISTRICT --email …', or give --to"
        )
    mails = []
    for d in digests:
        assert d.district is not None
        mentor = emails.get(d.district)
        to = [mentor] if mentor else list(addresses)
        cc = [a for a in addresses if a != mentor] if mentor else []
        recipients = list(dict.fromkeys([*to, *cc]))
        shown = f"the mentor of {d.district}" + (f" (copy: {', '.join(cc)})" if cc else "")
        if not mentor:
            shown = f"{', '.join(addresses)} (for the mentor of {d.district})"
        keys = {r: f"mentor {d.district}: {r}" for r in recipients}
        mails.append(Mail(d, to, cc, shown, keys, recipients))
    return mails


def _send_all(
    db: "Database",
    mails: list[Mail],
    number: int,
    fmt: SummaryFormat,
    once: bool,
    host: str,
    port: int | None,
    user: str | None,
    password: str | None,
    starttls: bool,
    sender: str | None,
) -> None:
    from castctl.db.report_store import record_delivery
    from castctl.io.mail import MailError, SmtpSettings, build_message, default_sender, send

    settings = SmtpSettings(
        host=host,
        port=port if port is not None else (587 if starttls else 25),
        user=user,
        password=password,
        starttls=starttls,
    )
    sender = sender or default_sender()
    failures: list[str] = []
    for m in mails:
        msg = build_message(
            subject=m.digest.subject,
            sender=sender,
            to=m.to,
            cc=m.cc,
            text=m.digest.mail_text,
            html=m.digest.mail_html,
        )
        try:
            accepted = send(msg, m.pending, settings, shown_as=m.shown_as)
        except MailError as exc:
            failures.append(exc.message)
            continue
        if once:
            record_delivery(db, number, fmt.value, [m.log_keys[r] for r in accepted])
        if len(accepted) < len(m.pending):
            failures.append(
                f"could not send mail to {m.shown_as}: the server refused "
                f"{len(m.pending) - len(accepted)} of {len(m.pending)} recipients"
            )
        else:
            message(f"week {number} summary mailed to {m.shown_as}")
    if failures:
        more = f" (and {len(failures) - 1} more: {'; '.join(failures[1:])})" if failures[1:] else ""
        raise MailError(failures[0].removeprefix("Error: ") + more)


def _print(digests: list[Digest], fmt: SummaryFormat) -> None:
    out = sys.stdout
    if fmt is SummaryFormat.json:
        import json

        doc: Any = digests[0].doc if digests[0].district is None else [d.doc for d in digests]
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(("\n" + "=" * 72 + "\n\n").join(d.body for d in digests))
    out.flush()
