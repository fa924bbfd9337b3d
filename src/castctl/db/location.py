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


def hide_password(location: str) -> str:
    """The location as it may be shown: a URL's password replaced by ``***``."""
    if not is_url(location):
        return location
    try:
        netloc = urlsplit(location).netloc
    except ValueError:
        return location.split("://", 1)[0] + "://***"
    userinfo, at, _ = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return location
    user = userinfo.split(":", 1)[0]
    return location.replace(netloc, f"{user}:***@{netloc.rpartition('@')[2]}", 1)


def url_password(location: str) -> str | None:
    if not is_url(location):
        return None
    try:
        password = urlsplit(location).password
    except ValueError:
        return None
    return unquote(password) if password else None
