"""Email addresses: the one place that decides whether text is an address.

The syntax check is the ``email-validator`` package's (RFC 5321/5322 and internationalised
addresses, as mail servers accept them), never a hand-written test for ``@``: those let
``a@b@c``, ``a b@x.com`` and ``x@a.com,y@b.com`` through. Deliverability is not checked (no
DNS): castctl runs on office machines that may be offline, and a typo'd domain is caught when
mail bounces.

Messages never repeat the address (it is personal data); they say what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from castctl.core.text import canonical
from castctl.errors import InputError

# Two addresses typed in one cell or option: "x@a.com,y@b.com", "x@a.com; y@b.com", "x@a y@b".
_SEVERAL = re.compile(r"@[^@]*[,;\s][^@]*@")

# The shape of nearly every address in a cohort file (``name.surname@moi.go.th``): plain ASCII
# dot-atoms, no ``--`` (IDNA rules), within RFC 5321's lengths. The validator takes 60 us per
# address (mostly its per-character IDNA check of the domain), which would double the time of a
# 10,000-trainee import, so an address of this shape is accepted without asking it;
# tests/test_real_files.py checks on generated addresses that the validator accepts every one
# and normalises it the same way. Anything else (Unicode, quotes, special-use domains such as
# .test, role names that the validator lower-cases) goes to the validator.
_PLAIN = re.compile(
    r"(?=.{1,64}@)[A-Za-z0-9_+]+(?:[.-][A-Za-z0-9_+]+)*"
    r"@(?=.{4,180}$)(?:(?=[A-Za-z0-9-]{1,63}\.)[A-Za-z0-9](?:-?[A-Za-z0-9])*\.)+[A-Za-z]{2,24}"
)
_PLAIN_TLDS_NOT_ALLOWED = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
# RFC 2142 role mailboxes, which the validator lower-cases (its CASE_INSENSITIVE_MAILBOX_NAMES).
ROLE_MAILBOXES = frozenset({
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
    "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
})  # fmt: skip


def _plain_address(value: str) -> str | None:
    if _PLAIN.fullmatch(value) is None:
        return None
    local, _, domain = value.rpartition("@")
    domain = domain.lower()
    if domain.rpartition(".")[2] in _PLAIN_TLDS_NOT_ALLOWED or local.lower() in ROLE_MAILBOXES:
        return None
    return f"{local}@{domain}"


def checked_email(text: str) -> tuple[str | None, str | None]:
    """(the address as mail servers compare it: domain lower-cased, Unicode normalised; None)
    or (None, why ``text`` is not exactly one email address)."""
    value = canonical(text)
    if (plain := _plain_address(value)) is not None:
        return plain, None
    if not value:
        return None, "empty; expected one address such as name@example.go.th"
    if "@" not in value:
        return None, "not an email address"
    if _SEVERAL.search(value):
        return None, "holds more than one address; give one address here"
    from email_validator import EmailNotValidError, validate_email  # 50 ms: only when needed

    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, f"not a valid email address: {str(exc).rstrip('.')}"
    return str(checked.normalized), None


def email_problem(text: str) -> str | None:
    """Why ``text`` is not exactly one email address, or None if it is one."""
    return checked_email(text)[1]


def normalize_email(text: str, what: str = "email") -> str:
    """The one address in ``text``, normalised; ``InputError`` naming ``what`` otherwise
    (for ``mentors set --email``, intake files and mail recipients)."""
    address, problem = checked_email(text)
    if address is None:
        raise InputError(f"{what}: {problem}")
    return address


# A mentor may have several addresses (``mentors set --email a@x --email b@y``). They are
# stored in the one ``mentor.email`` column joined by ``;``, which no checked address holds (the
# validator refuses quoted local parts). Reading also splits on commas and spaces: a database
# written before addresses were checked may hold "x@a.com,y@b.com" in that column, and each of
# those is then delivered to (and logged) on its own too.
ADDRESS_SEPARATOR = ";"
_STORED_SEPARATORS = re.compile(r"[;,\s]+")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def normalize_emails(values: Sequence[str], what: str = "--email") -> list[str]:
    """Each of ``values`` as one address, normalised, duplicates dropped (order kept).

    An ``InputError`` names the bad value by its position (``--email (2nd value): holds more
    than one address; …``) and never repeats it (it is personal data)."""
    addresses: list[str] = []
    for number, text in enumerate(values, start=1):
        address, problem = checked_email(text)
        if address is None:
            where = f"{what} ({ordinal(number)} value)" if len(values) > 1 else what
            raise InputError(f"{where}: {problem}")
        addresses.append(address)
    return list(dict.fromkeys(addresses))


def join_emails(addresses: Sequence[str]) -> str | None:
    """Addresses as the ``mentor.email`` column holds them (None: no address)."""
    return ADDRESS_SEPARATOR.join(addresses) or None


def split_emails(stored: str | None) -> list[str]:
    """The addresses of a ``mentor.email`` column value (``join_emails`` the other way)."""
    return [a for a in _STORED_SEPARATORS.split(stored or "") if a]
