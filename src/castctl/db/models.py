"""SQLModel tables. Importing this module costs ~0.3 s (SQLAlchemy + SQLModel): only commands
that write or aggregate import it; fast read paths use plain SQL through ``engine.Database.read``.

The schema is created and changed only by the migrations in ``castctl.db.migrations``; these
models and the newest migration must agree (``tests/test_migrations.py`` checks it).

Dates are stored as SQL DATE (ISO text on SQLite), times as UTC ISO timestamps. Lists that a
user types as ``a;b;c`` (preferences, mechanisms, networks, SDGs) are stored the same way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


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


class Mentor(SQLModel, table=True):
    """The district chief of a pilot district; ``capacity`` None means ceil(active / 10)."""

    __tablename__ = "mentor"
    district_code: str = Field(primary_key=True, foreign_key="pilot_district.code")
    name: str | None = None
    email: str | None = None
    capacity: int | None = None


class Week(SQLModel, table=True):
    __tablename__ = "week"
    number: int = Field(primary_key=True)
    phase: str
    start: dt.date
    end: dt.date
    working_days: int


class Holiday(SQLModel, table=True):
    __tablename__ = "holiday"
    date: dt.date = Field(primary_key=True)
    week: int = Field(foreign_key="week.number", index=True)
    name_en: str
    name_th: str


class Trainee(SQLModel, table=True):
    __tablename__ = "trainee"
    trainee_id: str = Field(primary_key=True)
    full_name: str
    department: str = Field(index=True)
    home_province: str = Field(foreign_key="province.code", index=True)
    email: str | None = None
    pilot_preferences: str = ""  # ";"-separated district codes, best first
    target_preferences: str = ""
    status: str = Field(default="active", index=True)  # active | withdrawn
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class TraineeStatusChange(SQLModel, table=True):
    __tablename__ = "trainee_status_change"
    id: int | None = Field(default=None, primary_key=True)
    trainee_id: str = Field(foreign_key="trainee.trainee_id", index=True)
    status: str
    effective_on: dt.date
    reason: str = ""
    changed_at: dt.datetime = Field(default_factory=utcnow)
    os_user: str = ""


class TargetDistrict(SQLModel, table=True):
    __tablename__ = "target_district"
    district_code: str = Field(primary_key=True, foreign_key="district.code")
    capacity: int = 1


class Assignment(SQLModel, table=True):
    """A trainee's current placement; either stage may still be empty."""

    __tablename__ = "assignment"
    trainee_id: str = Field(primary_key=True, foreign_key="trainee.trainee_id")
    # Indexed: placements are counted and listed per district (a mentor's group, capacity).
    pilot_district_code: str | None = Field(
        default=None, foreign_key="pilot_district.code", index=True
    )
    target_district_code: str | None = Field(default=None, foreign_key="district.code", index=True)
    pilot_cost: int | None = None
    target_cost: int | None = None
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AssignmentChange(SQLModel, table=True):
    """Every placement change: first placement, move, or freed by withdrawal."""

    __tablename__ = "assignment_change"
    id: int | None = Field(default=None, primary_key=True)
    changed_at: dt.datetime = Field(default_factory=utcnow)
    os_user: str = ""
    trainee_id: str = Field(index=True)
    stage: str  # pilot | target
    old_code: str | None = None
    new_code: str | None = None
    reason: str = ""


class Report(SQLModel, table=True):
    """One weekly field report; a second one for the same trainee and week replaces it."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("trainee_id", "week", name="uq_report_trainee_week"),
        Index("ix_report_week", "week"),
    )
    id: int | None = Field(default=None, primary_key=True)
    trainee_id: str = Field(foreign_key="trainee.trainee_id")
    week: int = Field(foreign_key="week.number")
    submitted_on: dt.date
    mechanisms: str = ""
    networks: str = ""
    sdgs: str = ""
    note: str = ""
    updated_at: dt.datetime = Field(default_factory=utcnow)


class SentLog(SQLModel, table=True):
    """What ``summary weekly --once`` delivered, so a rerun is a no-op."""

    __tablename__ = "sent_log"
    __table_args__ = (UniqueConstraint("week", "format", "destination", name="uq_sent"),)
    id: int | None = Field(default=None, primary_key=True)
    week: int
    format: str
    destination: str
    sent_at: dt.datetime = Field(default_factory=utcnow)
