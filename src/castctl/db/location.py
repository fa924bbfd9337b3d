"""Where the database is: ``--db`` > ``$CASTCTL_DB`` > the platformdirs user data directory,
and how a location may be shown (a URL's password never is)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

ENV_VAR = "CASTCTL_DB"


def default_location() -> Path:
    import platformdirs  # only when neither --db nor $CASTCTL_DB is given

    return Path(platformdirs.user_data_dir("castctl", appauthor=False)) / "castctl.db"


def resolve_location(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``--db`` beats ``CASTCTL_DB`` beats the platformdirs user data dir."""
    environ = os.environ if environ is None else environ
    if option:
        return option
    if environ.get(ENV_VAR):
        return environ[ENV_VAR]
    return str(default_location())


def is_url(location: str) -> bool:
    return "://" in location


# Query parameters that carry a secret in a libpq/psycopg connection URL.
SECRET_PARAMETERS = ("password", "passfile", "sslpassword")


def hide_password(location: str) -> str:
    """The location as it may be shown: every password in a URL, in its user part
    (``user:secret@host``) or its query string (``?password=secret``), replaced by ``***``."""
    if not is_url(location):
        return location
    scheme, _, rest = location.partition("://")
    try:
        parts = urlsplit(location)
        netloc = parts.netloc
    except ValueError:
        return scheme + "://***"
    shown = rest
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        shown = shown.replace(netloc, f"{userinfo.split(':', 1)[0]}:***@{host}", 1)
    if parts.query:
        query = "&".join(
            f"{key}=***" if key.lower() in SECRET_PARAMETERS else item
            for item in parts.query.split("&")
            for key in [item.split("=", 1)[0]]
        )
        shown = shown.replace(parts.query, query, 1)
    return f"{scheme}://{shown}"


def url_passwords(location: str) -> list[str]:
    """Every secret a URL holds (user part and query string), decoded and as typed: messages
    from a driver may quote either form."""
    if not is_url(location):
        return []
    try:
        parts = urlsplit(location)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    for item in parts.query.split("&"):
        key, eq, value = item.partition("=")
        if eq and key.lower() in SECRET_PARAMETERS and value:
            found.append(value)
    secrets = {s for raw in found for s in (raw, unquote(raw))}
    return sorted(secrets, key=len, reverse=True)  # longest first: no partial leftovers


def url_password(location: str) -> str | None:
    """The password of the URL's user part, decoded (None without one)."""
    if not is_url(location):
        return None
    try:
        password = urlsplit(location).password
    except ValueError:
        return None
    return unquote(password) if password else None
