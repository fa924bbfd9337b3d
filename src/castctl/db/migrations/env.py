"""Alembic's entry point, run by ``alembic.command`` functions with the config that
``castctl.db.migrations.config`` builds (there is no alembic.ini).

castctl itself passes an open connection, already inside its write transaction and holding the
migration lock (``config.attributes["connection"]``): the migrations, the version stamp and the
reference data then commit or roll back together. A developer running
``python -m castctl.db.migrations …`` gives a URL instead.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from castctl.db import models

config = context.config
target_metadata = models.SQLModel.metadata


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes SQLModel's column types as the plain SQLAlchemy types they stand for:
    a migration must not change when SQLModel does."""
    if kind == "type" and isinstance(obj, AutoString):
        length = getattr(obj.impl_instance, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: autogenerate batch blocks
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    if not url:
        raise SystemExit("no database: set CASTCTL_DB or pass --db")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()


main()
