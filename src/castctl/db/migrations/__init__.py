"""Alembic migrations of the castctl schema, shipped inside the package so that an installed
castctl upgrades its own database. There is no alembic.ini: ``config`` builds the configuration.

Revisions are named ``0001``, ``0002``, …; the newest must equal
``castctl.db.store.HEAD_REVISION``, which start-up compares with ``alembic_version`` through
plain ``sqlite3`` (no alembic, no SQLAlchemy import); a test keeps the two equal. Models
(``castctl.db.models``) and the newest revision must describe the same schema; a test runs
autogenerate against a freshly upgraded database and expects no difference.

Developers change the models, then add the next revision with
``python -m castctl.db.migrations [--db FILE] revision --autogenerate --rev-id 0004 -m "what
changes"`` against a database at head (``$CASTCTL_DB`` by default), read the file it writes,
and set ``HEAD_REVISION``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

LOCATION = Path(__file__).resolve().parent
# The revision a castctl database made before migrations existed (a ``schema_version`` table,
# no ``alembic_version``) is at: 0001 is exactly the schema that castctl created.
PRE_ALEMBIC_REVISION = "0001"


def config(connection: Connection | None = None, url: str | None = None) -> Config:
    import sys

    from alembic.config import Config

    cfg = Config(stdout=sys.stdout)  # alembic's default is sys.stdout as it was at import
    # ConfigParser would read "%" as interpolation.
    cfg.set_main_option("script_location", str(LOCATION).replace("%", "%%"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def head() -> str:
    heads = scripts().get_heads()
    assert len(heads) == 1, f"the migrations must have one head, not {heads}"
    return heads[0]


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [s.revision for s in reversed(list(scripts().walk_revisions()))]


def upgrade(connection: Connection, *, stamp: str | None = None) -> None:
    """Upgrade to head on ``connection``, inside the caller's transaction.

    ``stamp`` first records that revision without running it: for a database that has the
    schema but no ``alembic_version`` yet.
    """
    from alembic import command

    cfg = config(connection)
    if stamp is not None:
        command.stamp(cfg, stamp)
    command.upgrade(cfg, "head")


def state(revision: str | None) -> str:
    """``new`` (no schema yet), ``up_to_date``, ``older`` (an upgrade applies) or ``newer``
    (written by a newer castctl)."""
    if revision is None:
        return "new"
    known = revisions()
    if revision == known[-1]:
        return "up_to_date"
    return "older" if revision in known else "newer"


def pending(revision: str | None) -> list[str]:
    """The revisions an upgrade from ``revision`` would apply, oldest first."""
    known = revisions()
    if revision is None:
        return known
    if revision not in known:
        return []
    return known[known.index(revision) + 1 :]
