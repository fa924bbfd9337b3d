"""Index the placement columns of ``assignment``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Placements are read per district: a mentor's group (``progress``/``summary`` scoped to a pilot
district, trainees per mentor) and the places taken in a target district. PostgreSQL does not
index foreign-key columns by itself, so without these each such query scans every placement.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assignment_pilot_district_code", "assignment", ["pilot_district_code"])
    op.create_index("ix_assignment_target_district_code", "assignment", ["target_district_code"])


def downgrade() -> None:
    op.drop_index("ix_assignment_target_district_code", table_name="assignment")
    op.drop_index("ix_assignment_pilot_district_code", table_name="assignment")
