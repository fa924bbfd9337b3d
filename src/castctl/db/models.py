"""SQLModel tables. Importing this module costs ~0.3 s (SQLAlchemy + SQLModel): only commands
that write or aggregate import it; fast read paths use plain SQL through ``engine.Database.read``.

Everything but the reference districts belongs to one intake (รุ่น, one run of phase 2): its
key leads every primary key and unique constraint, so a query for one intake reads only that
intake's rows through the index, however many other intakes the database holds.

The schema is created and changed only by the migrations in ``castctl.db.migrations``; these
models and the newest migration must agree (``tests/test_migrations.py`` checks it).

Dates are stored as SQL DATE (ISO text on SQLite), times as UTC ISO timestamps. Lists that a
user types as ``a;b;c`` (preferences, mechanisms, networks, SDGs) are stored the same way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from castctl.core.progress import COVERAGE_WORDS


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Province(SQLModel, table=True):
    __tablename__ = "province"
    code: str = Field(primary_key=True, max_length=2)
    name_th: str
    name_en: str
    region: str = Field(index=True)


class District(SQLModel, table=True):
    __tablename__ = "district"
    code: str = Field(primary_key=True, max_length=4)
    name_th: str
    name_en: str
    province_code: str = Field(foreign_key="province.code", index=True)


class PilotDistrict(SQLModel, table=True):
    __tablename__ = "pilot_district"
    code: str = Field(primary_key=True, foreign_key="district.code")
    aliases: str = ""  # ";"-separated other spellings (ศรีขรภูมิ)
    mentor_title_th: str
    mentor_title_en: str


class Intake(SQLModel, table=True):
    """One run of phase 2: its dates, and (through ``mentor``) its pilot districts."""

    __tablename__ = "intake"
    name: str = Field(primary_key=True)
    title: str = ""
    start: dt.date
    weeks: int
    pilot_weeks: int
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class IntakeClosure(SQLModel, table=True):
    """A day off of one intake that the holidays package does not know."""

    __tablename__ = "intake_closure"
    intake: str = Field(primary_key=True, foreign_key="intake.name")
    date: dt.date = Field(primary_key=True)
    name: str = ""


class Mentor(SQLModel, table=True):
    """The district chief of one of an intake's pilot districts (one row per pilot district);
    ``capacity`` None means ceil(active / P), P the intake's number of pilot districts."""

    __tablename__ = "mentor"
    intake: str = Field(primary_key=True, foreign_key="intake.name")
    district_code: str = Field(primary_key=True, foreign_key="district.code")
    name: str | None = None
    email: str | None = None
    capacity: int | None = None


class Week(SQLModel, table=True):
    __tablename__ = "week"
    intake: str = Field(primary_key=True, foreign_key="intake.name")
    number: int = Field(primary_key=True)
    phase: str
    start: dt.date
    end: dt.date
    working_days: int


class Holiday(SQLModel, table=True):
    __tablename__ = "holiday"
    __table_args__ = (
        ForeignKeyConstraint(["intake", "week"], ["week.intake", "week.number"]),
        Index("ix_holiday_week", "intake", "week"),
    )
    intake: str = Field(primary_key=True)
    date: dt.date = Field(primary_key=True)
    week: int
    name_en: str
    name_th: str


class Trainee(SQLModel, table=True):
    """One enrolment: the same trainee_id in two intakes is two trainees."""

    __tablename__ = "trainee"
    __table_args__ = (
        Index("ix_trainee_department", "intake", "department"),
        Index("ix_trainee_status", "intake", "status"),
    )
    intake: str = Field(primary_key=True, foreign_key="intake.name")
    trainee_id: str = Field(primary_key=True)
    full_name: str
    department: str
    home_province: str = Field(foreign_key="province.code", index=True)
    email: str | None = None
    pilot_preferences: str = ""  # ";"-separated district codes, best first
    target_preferences: str = ""
    status: str = "active"  # active | withdrawn
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class TraineeStatusChange(SQLModel, table=True):
    __tablename__ = "trainee_status_change"
    __table_args__ = (
        ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        Index("ix_trainee_status_change_trainee_id", "intake", "trainee_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    intake: str
    trainee_id: str
    status: str
    effective_on: dt.date
    reason: str = ""
    changed_at: dt.datetime = Field(default_factory=utcnow)
    os_user: str = ""


class TargetDistrict(SQLModel, table=True):
    __tablename__ = "target_district"
    intake: str = Field(primary_key=True, foreign_key="intake.name")
    district_code: str = Field(primary_key=True, foreign_key="district.code")
    capacity: int = 1


class Assignment(SQLModel, table=True):
    """A trainee's current placement; either stage may still be empty."""

    __tablename__ = "assignment"
    __table_args__ = (
        ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        # Placements are counted and listed per district (a mentor's group, capacity).
        Index("ix_assignment_pilot_district_code", "intake", "pilot_district_code"),
        Index("ix_assignment_target_district_code", "intake", "target_district_code"),
    )
    intake: str = Field(primary_key=True)
    trainee_id: str = Field(primary_key=True)
    pilot_district_code: str | None = Field(default=None, foreign_key="district.code")
    target_district_code: str | None = Field(default=None, foreign_key="district.code")
    pilot_cost: int | None = None
    target_cost: int | None = None
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AssignmentChange(SQLModel, table=True):
    """Every placement change: first placement, move, or freed by withdrawal."""

    __tablename__ = "assignment_change"
    __table_args__ = (Index("ix_assignment_change_trainee_id", "intake", "trainee_id"),)
    id: int | None = Field(default=None, primary_key=True)
    intake: str = Field(foreign_key="intake.name")
    changed_at: dt.datetime = Field(default_factory=utcnow)
    os_user: str = ""
    trainee_id: str
    stage: str  # pilot | target
    old_code: str | None = None
    new_code: str | None = None
    reason: str = ""


class Report(SQLModel, table=True):
    """One weekly field report; a second one for the same trainee and week replaces it."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("intake", "trainee_id", "week", name="uq_report_trainee_week"),
        ForeignKeyConstraint(["intake", "trainee_id"], ["trainee.intake", "trainee.trainee_id"]),
        ForeignKeyConstraint(["intake", "week"], ["week.intake", "week.number"]),
        Index("ix_report_week", "intake", "week"),
        # Covers progress's per-trainee sums of the coverage words, so they need no lookup of
        # each report's row (the query is 1.8x faster on 220,000 reports).
        Index("ix_report_coverage", "intake", "trainee_id", "week", *COVERAGE_WORDS),
    )
    id: int | None = Field(default=None, primary_key=True)
    intake: str
    trainee_id: str
    week: int
    submitted_on: dt.date
    mechanisms: str = ""
    networks: str = ""
    sdgs: str = ""
    note: str = ""
    updated_at: dt.datetime = Field(default_factory=utcnow)
    # Which codes the report mentions, packed so that SUM counts them per trainee (derived from
    # mechanisms, networks and sdgs when the report is written: core.progress.coverage_words).
    coverage_0: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    coverage_1: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    coverage_2: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class SentLog(SQLModel, table=True):
    """What ``summary weekly --once`` delivered, so a rerun is a no-op (per intake)."""

    __tablename__ = "sent_log"
    __table_args__ = (UniqueConstraint("intake", "week", "format", "destination", name="uq_sent"),)
    id: int | None = Field(default=None, primary_key=True)
    intake: str = Field(foreign_key="intake.name")
    week: int
    format: str
    destination: str
    sent_at: dt.datetime = Field(default_factory=utcnow)
