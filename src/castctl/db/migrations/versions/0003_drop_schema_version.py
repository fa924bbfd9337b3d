"""Drop ``schema_version``: ``alembic_version`` now records the schema revision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("schema_version")


def downgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # What castctl before migrations wrote, so that it can open the downgraded database.
    op.execute(
        "INSERT INTO schema_version (id, version, applied_at) VALUES (1, 1, CURRENT_TIMESTAMP)"
    )
