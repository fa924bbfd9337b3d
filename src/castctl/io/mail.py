"""Sending the digest by mail with the standard library (``email`` + ``smtplib``).

A message is UTF-8 throughout: a plain-text part and, for HTML digests, an HTML alternative,
so every client shows something readable. Any SMTP or network failure becomes a ``MailError``
(``Error: could not send mail to …: …``); the caller records nothing for that message, so the
next run retries it.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from castctl.errors import CastError

SMTP_TIMEOUT_S = 30


class MailError(CastError):
    """A message could not be handed to the SMTP server."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = SMTP_TIMEOUT_S


def default_sender() -> str:
    return f"castctl@{socket.gethostname() or 'localhost'}"


def build_message(
    *,
    subject: str,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    text: str,
    html: str | None = None,
) -> EmailMessage:
    import datetime as dt

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text, charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(
    message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings, *, shown_as: str
) -> list[str]:
    """Hand ``message`` to the server for ``recipients``; returns those it accepted.

    ``shown_as`` names the recipients in an error (the addresses the user typed, or "the
    mentor of 5607": never an address the user did not give).
    """
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(message, to_addrs=list(recipients))
    except smtplib.SMTPRecipientsRefused:
        raise MailError(f"could not send mail to {shown_as}: the server refused it") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"could not send mail to {shown_as}: login to {settings.host} failed ({exc.smtp_code})"
        ) from None
    except smtplib.SMTPResponseException as exc:
        reason = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise MailError(f"could not send mail to {shown_as}: {exc.smtp_code} {reason}") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        raise MailError(
            f"could not send mail to {shown_as}: {settings.host}:{settings.port}: {reason}"
        ) from None
    return [r for r in recipients if r not in refused]
