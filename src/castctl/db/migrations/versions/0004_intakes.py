"""Intakes: every cohort table belongs to one intake; the existing data becomes intake 2566.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Each intake-owned table gains an ``intake`` column that leads its primary key (or its unique
key) and its indexes. SQLite cannot change a primary key in place, so every such table is
rebuilt the same way on both backends, inside the one migration transaction: its rows are
copied aside (``CREATE TABLE … AS SELECT``), the table is dropped (children before parents,
so no foreign key is ever dangling), created in its new shape (parents first), and its rows
copied back with ``intake = '2566'``. The built-in intake 2566 (3 July 2023, 22 weeks, 2 pilot
weeks) is created first; its pilot districts are the mentor rows already there.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
BUILT_IN = "2566"

# Every intake-owned table, parents before children, with its columns as 0003 left them.
OWNED: dict[str, Sequence[str]] = {
    "mentor": ("district_code", "name", "email", "capacity"),
    "week": ("number", "phase", "start", '"end"', "working_days"),
    "holiday": ("date", "week", "name_en", "name_th"),
    "trainee": (
        "trainee_id", "full_name", "department", "home_province", "email",
        "pilot_preferences", "target_preferences", "status", "created_at", "updated_at",
    ),
    "trainee_status_change": (
        "id", "trainee_id", "status", "effective_on", "reason", "changed_at", "os_user",
    ),
    "target_district": ("district_code", "capacity"),
    "assignment": (
        "trainee_id", "pilot_district_code", "target_district_code", "pilot_cost",
        "target_cost", "updated_at",
    ),
    "assignment_change": (
        "id", "changed_at", "os_user", "trainee_id", "stage", "old_code", "new_code", "reason",
    ),
    "report": (
        "id", "trainee_id", "week", "submitted_on", "mechanisms", "networks", "sdgs", "note",
        "updated_at",
    ),
    "sent_log": ("id", "week", "format", "destination", "sent_at"),
}  # fmt: skip
WITH_SERIAL_ID = ("trainee_status_change", "assignment_change", "report", "sent_log")


def _create_intake_tables() -> None:
    op.create_table(
        "mentor",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("district_code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"]),
        sa.PrimaryKeyConstraint("intake", "district_code"),
    )
    op.create_table(
        "week",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.PrimaryKeyConstraint("intake", "number"),
    )
    op.create_table(
        "holiday",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("name_th", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["intake", "week"], ["week.intake", "week.number"]),
        sa.PrimaryKeyConstraint("intake", "date"),
    )
    op.create_index("ix_holiday_week", "holiday", ["intake", "week"])
    op.create_table(
        "trainee",
        sa.Column("intake", sa.String(), nullable=False),
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
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.ForeignKeyConstraint(["home_province"], ["province.code"]),
        sa.PrimaryKeyConstraint("intake", "trainee_id"),
    )
    op.create_index("ix_trainee_department", "trainee", ["intake", "department"])
    op.create_index("ix_trainee_status", "trainee", ["intake", "status"])
    op.create_index("ix_trainee_home_province", "trainee", ["home_province"])
    op.create_table(
        "trainee_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("changed_at", Timestamp, nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_trainee_status_change_trainee_id", "trainee_status_change", ["intake", "trainee_id"]
    )
    op.create_table(
        "target_district",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("district_code", sa.String(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"]),
        sa.PrimaryKeyConstraint("intake", "district_code"),
    )
    op.create_table(
        "assignment",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("pilot_district_code", sa.String(), nullable=True),
        sa.Column("target_district_code", sa.String(), nullable=True),
        sa.Column("pilot_cost", sa.Integer(), nullable=True),
        sa.Column("target_cost", sa.Integer(), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        sa.ForeignKeyConstraint(["pilot_district_code"], ["district.code"]),
        sa.ForeignKeyConstraint(["target_district_code"], ["district.code"]),
        sa.PrimaryKeyConstraint("intake", "trainee_id"),
    )
    op.create_index(
        "ix_assignment_pilot_district_code", "assignment", ["intake", "pilot_district_code"]
    )
    op.create_index(
        "ix_assignment_target_district_code", "assignment", ["intake", "target_district_code"]
    )
    op.create_table(
        "assignment_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("changed_at", Timestamp, nullable=False),
        sa.Column("os_user", sa.String(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("old_code", sa.String(), nullable=True),
        sa.Column("new_code", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assignment_change_trainee_id", "assignment_change", ["intake", "trainee_id"]
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("trainee_id", sa.String(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("mechanisms", sa.String(), nullable=False),
        sa.Column("networks", sa.String(), nullable=False),
        sa.Column("sdgs", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("intake", "trainee_id", "week", name="uq_report_trainee_week"),
        sa.ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        sa.ForeignKeyConstraint(["intake", "week"], ["week.intake", "week.number"]),
    )
    op.create_index("ix_report_week", "report", ["intake", "week"])
    op.create_table(
        "sent_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("destination", sa.String(), nullable=False),
        sa.Column("sent_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("intake", "week", "format", "destination", name="uq_sent"),
    )


def _create_0003_tables() -> None:
    """The same tables as revisions 0001-0003 made them (for the downgrade)."""
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
    op.create_index("ix_assignment_pilot_district_code", "assignment", ["pilot_district_code"])
    op.create_index("ix_assignment_target_district_code", "assignment", ["target_district_code"])
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


def _set_aside(tables: Sequence[str]) -> None:
    """Copy each table's rows aside and drop it (children first: no dangling foreign key)."""
    for table in reversed(tables):
        op.execute(f"CREATE TABLE _old_{table} AS SELECT * FROM {table}")
        op.drop_table(table)  # its indexes go with it


def _restore_serials(tables: Sequence[str]) -> None:
    """PostgreSQL: the id sequences of recreated tables continue after the copied ids."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def upgrade() -> None:
    op.create_table(
        "intake",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("pilot_weeks", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "intake_closure",
        sa.Column("intake", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["intake"], ["intake.name"]),
        sa.PrimaryKeyConstraint("intake", "date"),
    )
    op.execute(
        "INSERT INTO intake (name, title, start, weeks, pilot_weeks, created_at, updated_at) "
        f"VALUES ('{BUILT_IN}', 'MOI SMART Agent for CAST', '2023-07-03', 22, 2, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    tables = list(OWNED)
    _set_aside(tables)
    _create_intake_tables()
    for table, columns in OWNED.items():
        names = ", ".join(columns)
        op.execute(
            f"INSERT INTO {table} (intake, {names}) SELECT '{BUILT_IN}', {names} FROM _old_{table}"
        )
    for table in reversed(tables):
        op.drop_table(f"_old_{table}")
    _restore_serials(WITH_SERIAL_ID)


def downgrade() -> None:
    """Back to one programme: intake 2566's rows only (a database with other intakes loses
    them, as a schema without intakes cannot hold them)."""
    tables = list(OWNED)
    for table in reversed(tables):
        op.execute(
            f"CREATE TABLE _old_{table} AS SELECT * FROM {table} WHERE intake = '{BUILT_IN}'"
        )
        op.drop_table(table)
    _create_0003_tables()
    for table, columns in OWNED.items():
        names = ", ".join(columns)
        op.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _old_{table}")
    for table in reversed(tables):
        op.drop_table(f"_old_{table}")
    op.drop_table("intake_closure")
    op.drop_table("intake")
    _restore_serials(WITH_SERIAL_ID)
