"""Transitional: the names ``castctl.db.engine`` exported before the storage backends were
split (issue 10), for branches written against it. New code imports ``castctl.db.store``
(``Store``, ``Tx``, ``open_store``) and ``castctl.db.location``; delete this module once nothing
imports it.

``Database`` is ``Store`` (for annotations); a store is opened with ``open_store(location)``.
"""

from castctl.db.location import (
    ENV_VAR,
    default_location,
    hide_password,
    is_url,
    resolve_location,
    url_password,
)
from castctl.db.store import (
    BUSY_TIMEOUT_MS,
    CONNECT_TIMEOUT_S,
    HEAD_REVISION,
    MIGRATION_LOCK_KEY,
    WRITE_LOCK_KEY,
    Store,
    Tx,
    Upgrade,
    now_text,
    open_store,
    os_user,
    plain_row,
    rows_as_dicts,
)

Database = Store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "CONNECT_TIMEOUT_S",
    "ENV_VAR",
    "HEAD_REVISION",
    "MIGRATION_LOCK_KEY",
    "WRITE_LOCK_KEY",
    "Database",
    "Store",
    "Tx",
    "Upgrade",
    "default_location",
    "hide_password",
    "is_url",
    "now_text",
    "open_store",
    "os_user",
    "plain_row",
    "resolve_location",
    "rows_as_dicts",
    "url_password",
]
