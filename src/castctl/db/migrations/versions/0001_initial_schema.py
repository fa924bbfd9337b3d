"""The initial schema: what castctl created before it had migrations.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

A castctl database made before migrations existed has exactly this schema, a ``schema_version``
table and no ``alembic_version``: castctl stamps it 0001 and upgrades it from there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Timestamps are stored as UTC; PostgreSQL keeps the zone (what SQLModel's UTCDateTime asks for).
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    # ---- reference data --------------------------------------------------------------
    op.create_table(
        "province",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name_th", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_province_region", "province", ["region"])
    op.create_table(
        "district",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name_th", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("province_code", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["province.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_district_province_code", "district", ["province_code"])
    op.create_table(
        "pilot_district",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("aliases", sa.String(), nullable=False),
        sa.Column("mentor_title_th", sa.String(), nullable=False),
        sa.Column("mentor_title_en", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["district.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "mentor",
        sa.Column("district_code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["district_code"], ["pilot_district.code"]),
        sa.PrimaryKeyConstraint("district_code"),
    )
    op.create_table(
        "week",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "holiday",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("name_th", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["week"], ["week.number"]),
        sa.PrimaryKeyConstraint("date"),
    )
    op.create_index("ix_holiday_week", "holiday", ["week"])

    # ---- the cohort and its placement --------------------------------------------------
    op.create_table(
        "trainee",
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("department", sa.String(), nullable=False),
        sa.Column("home_province", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("pilot_preferences", sa.String(), nullable=False),
        sa.Column("target_preferences", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["home_province"], ["province.code"]),
        sa.PrimaryKeyConstraint("trainee_id"),
    )
    op.create_index("ix_trainee_department", "trainee", ["department"])
    op.create_index("ix_trainee_home_province", "trainee", ["home_province"])
    op.create_index("ix_trainee_status", "trainee", ["status"])
    op.create_table(
        "trainee_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("changed_at", Timestamp, nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["trainee_id"], ["trainee.trainee_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trainee_status_change_trainee_id", "trainee_status_change", ["trainee_id"])
    op.create_table(
        "target_district",
        sa.Column("district_code", sa.String(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"]),
        sa.PrimaryKeyConstraint("district_code"),
    )
    op.create_table(
        "assignment",
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("pilot_district_code", sa.String(), nullable=True),
        sa.Column("target_district_code", sa.String(), nullable=True),
        sa.Column("pilot_cost", sa.Integer(), nullable=True),
        sa.Column("target_cost", sa.Integer(), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("trainee_id"),
        sa.ForeignKeyConstraint(["trainee_id"], ["trainee.trainee_id"]),
        sa.ForeignKeyConstraint(["pilot_district_code"], ["pilot_district.code"]),
        sa.ForeignKeyConstraint(["target_district_code"], ["district.code"]),
    )
    op.create_table(
        "assignment_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changed_at", Timestamp, nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("old_code", sa.String(), nullable=True),
        sa.Column("new_code", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignment_change_trainee_id", "assignment_change", ["trainee_id"])

    # ---- weekly reports and what was sent -----------------------------------------------
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("mechanisms", sa.String(), nullable=False),
        sa.Column("networks", sa.String(), nullable=False),
        sa.Column("sdgs", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trainee_id", "week", name="uq_report_trainee_week"),
        sa.ForeignKeyConstraint(["trainee_id"], ["trainee.trainee_id"]),
        sa.ForeignKeyConstraint(["week"], ["week.number"]),
    )
    op.create_index("ix_report_week", "report", ["week"])
    op.create_table(
        "sent_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("destination", sa.String(), nullable=False),
        sa.Column("sent_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week", "format", "destination", name="uq_sent"),
    )


def downgrade() -> None:
    for table in (
        "sent_log", "report", "assignment_change", "assignment", "target_district",
        "trainee_status_change", "trainee", "holiday", "week", "mentor", "pilot_district",
        "district", "province", "schema_version",
    ):  # fmt: skip
        op.drop_table(table)  # its indexes go with it
