"""The weekly digest of one intake: build it (``weekly_summary``) and deliver it
(``deliver_weekly``) to files and by mail, at most once per (intake, week, format, destination)
with ``once``. ``due_intake`` picks the intake for cron when none is chosen.

Delivery is made for cron: files are written atomically (0600: digests name trainees), and the
``once`` log records each destination as soon as it has its copy, so a rerun is a no-op and a
failed delivery is retried by the next run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castctl.app.stores import Store
from castctl.core.emails import normalize_emails, ordinal, split_emails
from castctl.core.field_reports import programme_week
from castctl.core.intakes import ENV_VAR, Intake
from castctl.core.summary import (
    Figures,
    build_summary,
    default_week,
    just_ended_week,
    mentors_with_trainees,
)
from castctl.db import delivery_log, progress_queries
from castctl.db.intakes import load_intakes
from castctl.db.timeline import load_weeks
from castctl.errors import CastError, InputError
from castctl.io import summary_render
from castctl.io.files import write_atomic
from castctl.io.mail import MailError, SmtpSettings, build_message, default_sender, send

FORMATS = ("text", "markdown", "html", "json")


@dataclass(frozen=True, slots=True)
class Digest:
    district: str | None  # the mentor's pilot district, None for the whole cohort
    doc: dict[str, Any]
    body: str  # in the chosen format
    subject: str
    mail_text: str
    mail_html: str | None


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    intake: str  # the intake's name
    week: int
    fmt: str  # one of FORMATS
    digests: list[Digest]  # one, or one per mentor with trainees (none: nobody to send to)
    mentor_emails: dict[str, list[str]]  # pilot district -> its mentor's addresses (maybe none)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What ``deliver_weekly`` did."""

    written: list[Path] = field(default_factory=list)
    mailed: list[str] = field(default_factory=list)  # as the messages name the recipients
    skipped: int = 0  # destinations the ``once`` log says already have it


@dataclass
class _Mail:
    digest: Digest
    to: list[str]
    cc: list[str]
    shown_as: str  # how errors and messages name the recipients (never an untyped address)
    log_keys: dict[str, str]  # recipient -> sent-log destination (one per address)
    names: dict[str, str]  # recipient -> how an error names it (never an untyped address)
    pending: list[str]


def due_intake(store: Store, as_of: dt.date) -> tuple[Intake, int] | None:
    """The intake whose digest cron sends on ``as_of`` when no intake is chosen, and its week:
    the one intake with a week that just ended (``core.summary.just_ended_week``); None when
    no intake has one (nothing to send). Two or more: ``CastError`` naming them."""
    due = []
    for intake in load_intakes(store.read):
        week = just_ended_week(load_weeks(store, intake.name), as_of)
        if week is not None:
            due.append((intake, week))
    if len(due) > 1:
        names = ", ".join(f"{i.name} (week {w})" for i, w in due)
        raise CastError(
            f"{len(due)} intakes have a week that ended by {as_of.isoformat()}: {names}; "
            f"choose one with --intake NAME (or {ENV_VAR})"
        )
    return due[0] if due else None


def gather(store: Store, intake: Intake, number: int) -> Figures:
    """Everything the database aggregates for the digest of week ``number`` of ``intake``."""
    name = intake.name
    weeks = load_weeks(store, name)
    scope = progress_queries.Scope()
    return Figures(
        intake=name,
        pilot_weeks=intake.pilot_weeks,
        week=weeks[number - 1],
        next_week=weeks[number] if number < len(weeks) else None,
        weeks=weeks,
        districts=progress_queries.pilot_districts(store, name),
        by_district=progress_queries.district_week_figures(store, name, number, scope),
        missing=progress_queries.missing_for_week(store, name, number, scope),
        streaks=progress_queries.streaks_at(store, name, number, scope),
        submitted_by_week=progress_queries.submitted_by_district_week(store, name, number, scope),
    )


def _digest(doc: dict[str, Any], district: str | None, fmt: str, th: bool) -> Digest:
    body = summary_render.render(doc, fmt, th)
    is_html = fmt == "html"
    return Digest(
        district=district,
        doc=doc,
        body=body,
        subject=summary_render.subject(doc, th),
        mail_text=summary_render.render_text(doc, th) if is_html else body,
        mail_html=body if is_html else None,
    )


def weekly_summary(
    store: Store,
    intake: Intake,
    *,
    week: int | None = None,
    as_of: dt.date | None = None,
    fmt: str = "text",
    th: bool = False,
    per_mentor: bool = False,
) -> WeeklySummary:
    """The digest of ``week`` of ``intake`` (default: the last one ended on ``as_of``) in
    ``fmt``, for its whole cohort or (``per_mentor``) one per mentor with only their trainees."""
    weeks = load_weeks(store, intake.name)
    if week is None:
        if as_of is None:
            raise ValueError("weekly_summary needs the week or the as-of date")
        week = default_week(weeks, as_of)
    programme_week(weeks, week, intake.name)
    figures = gather(store, intake, week)
    emails = {row["code"]: split_emails(row["mentor_email"]) for row in figures.districts}
    if per_mentor:
        digests = [
            _digest(build_summary(figures, only=code, th=th), code, fmt, th)
            for code in mentors_with_trainees(figures)
        ]
    else:
        digests = [_digest(build_summary(figures, th=th), None, fmt, th)]
    return WeeklySummary(intake.name, week, fmt, digests, emails)


def per_mentor_path(path: Path, code: str) -> Path:
    """``digest.html`` -> ``digest-5607.html``; a ``{district}`` in the name is replaced."""
    if "{district}" in path.name:
        return path.with_name(path.name.replace("{district}", code))
    return path.with_name(f"{path.stem}-{code}{path.suffix}")


def _files(summary: WeeklySummary, outputs: Sequence[Path]) -> dict[Path, Digest]:
    files: dict[Path, Digest] = {}
    for out in outputs:
        base = Path(os.path.abspath(out.expanduser()))
        for d in summary.digests:
            files[per_mentor_path(base, d.district) if d.district else base] = d
    return files


def _mails(summary: WeeklySummary, addresses: Sequence[str]) -> list[_Mail]:
    """One message per digest: the whole-cohort digest to ``addresses``; a mentor's digest to
    the mentor (each of their addresses), with a copy to ``addresses`` (or to ``addresses``
    when the mentor has none). Each recipient has its own sent-log destination, so one that
    the server refuses is retried alone."""
    digests = summary.digests
    if digests[0].district is None:
        to = list(addresses)
        return [_Mail(digests[0], to, [], ", ".join(to), {a: a for a in to}, {a: a for a in to},
                      list(dict.fromkeys(to)))]  # fmt: skip
    emails = summary.mentor_emails
    no_email = [d.district for d in digests if d.district and not emails.get(d.district)]
    if no_email and not addresses:
        raise InputError(
            f"no email for the mentor of {', '.join(map(str, no_email))}: set it with "
            "'castctl mentors set DISTRICT --email …', or give --to"
        )
    mails = []
    for d in digests:
        assert d.district is not None
        mentor = emails.get(d.district) or []
        to = list(mentor) if mentor else list(addresses)
        cc = [a for a in addresses if a not in mentor] if mentor else []
        recipients = list(dict.fromkeys([*to, *cc]))
        shown = f"the mentor of {d.district}" + (f" (copy: {', '.join(cc)})" if cc else "")
        if not mentor:
            shown = f"{', '.join(addresses)} (for the mentor of {d.district})"
        keys = {r: f"mentor {d.district}: {r}" for r in recipients}
        names = {a: a for a in addresses}
        for number, a in enumerate(mentor, start=1):
            which = f" ({ordinal(number)} address)" if len(mentor) > 1 else ""
            names[a] = f"the mentor of {d.district}{which}"
        mails.append(_Mail(d, to, cc, shown, keys, names, recipients))
    return mails


def mail_recipients(addresses: Sequence[str]) -> list[str]:
    """The ``--to`` addresses, each checked and normalised by ``core.emails`` (a bad one is
    named by its position, not repeated); duplicates dropped."""
    return normalize_emails(addresses, "--to")


def mail_server(
    host: str,
    *,
    port: int | None = None,
    user: str | None = None,
    password: str | None = None,
    starttls: bool = False,
) -> SmtpSettings:
    """How to reach the SMTP server; the port defaults to 25, or 587 (submission) with
    STARTTLS."""
    if port is None:
        port = 587 if starttls else 25
    return SmtpSettings(host=host, port=port, user=user, password=password, starttls=starttls)


def deliver_weekly(
    store: Store,
    summary: WeeklySummary,
    *,
    outputs: Sequence[Path] = (),
    to: Sequence[str] = (),
    smtp: SmtpSettings | None = None,
    sender: str | None = None,
    once: bool = False,
    notify: Callable[[str], None] = lambda line: None,
) -> Delivery:
    """Write ``summary`` to each of ``outputs`` (per mentor: FILE-5607.ext) and mail it through
    ``smtp`` (to ``to``; per mentor: to each mentor, ``to`` in copy).

    With ``once``, destinations the log already holds for this intake, week and format are
    skipped, and each one is logged as soon as it has its copy. ``notify`` gets a line per
    delivery as it happens. Mail failures are collected and raised together at the end
    (``MailError``), after everything that could be delivered was.
    """
    intake, number, fmt = summary.intake, summary.week, summary.fmt
    files = _files(summary, outputs)
    mails = _mails(summary, to) if smtp is not None and summary.digests else []
    skipped = 0
    if once:
        done = delivery_log.delivered(store, intake, number, fmt)
        skipped = sum(1 for p in files if str(p) in done)
        files = {p: d for p, d in files.items() if str(p) not in done}
        for m in mails:
            m.pending = [r for r in m.pending if m.log_keys[r] not in done]
            skipped += len(m.log_keys) - len(m.pending)
        mails = [m for m in mails if m.pending]
        if not files and not mails:
            notify(
                f"intake {intake} week {number} summary ({fmt}) was already delivered to every "
                "destination; nothing sent"
            )
            return Delivery(skipped=skipped)
        if skipped:
            notify(f"week {number}: {skipped} destination(s) already had it; skipped")
    delivery = Delivery(skipped=skipped)
    for path, d in files.items():
        write_atomic(path, d.body.encode("utf-8"))
        if once:
            delivery_log.record_delivery(store, intake, number, fmt, [str(path)])
        delivery.written.append(path)
        notify(f"week {number} summary written to {path}")
    if mails and smtp is not None:
        _send_all(store, mails, summary, once, smtp, sender or default_sender(), delivery,
                  notify)  # fmt: skip
    return delivery


def _send_all(
    store: Store,
    mails: list[_Mail],
    summary: WeeklySummary,
    once: bool,
    smtp: SmtpSettings,
    sender: str,
    delivery: Delivery,
    notify: Callable[[str], None],
) -> None:
    intake, number, fmt = summary.intake, summary.week, summary.fmt
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
            accepted = send(msg, m.pending, smtp, shown_as=m.shown_as)
        except MailError as exc:
            failures.append(exc.message)
            continue
        if once:
            delivery_log.record_delivery(
                store, intake, number, fmt, [m.log_keys[r] for r in accepted]
            )
        if len(accepted) < len(m.pending):
            refused = [m.names[r] for r in m.pending if r not in accepted]
            failures.append(
                f"could not send mail to {', '.join(refused)}: the server refused "
                f"{len(refused)} of {len(m.pending)} recipients"
                + (f"; sent to the other {len(accepted)}" if accepted else "")
            )
            if accepted:
                notify(f"week {number} summary mailed to {_others(m, accepted)}")
        else:
            delivery.mailed.append(m.shown_as)
            notify(f"week {number} summary mailed to {m.shown_as}")
    if failures:
        more = f" (and {len(failures) - 1} more: {'; '.join(failures[1:])})" if failures[1:] else ""
        raise MailError(failures[0].removeprefix("Error: ") + more)


def _others(m: _Mail, accepted: Sequence[str]) -> str:
    """How the recipients that did get ``m`` are named in the line saying so."""
    return ", ".join(dict.fromkeys(m.names[r] for r in accepted))
