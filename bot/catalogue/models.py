"""ORM tables for the catalogue. Lists (materials, steps…) are JSON: they are read whole."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Float, ForeignKey, String, Text, UniqueConstraint, text

from bot.db import Base


class District(Base):
    __tablename__ = "districts"

    id = Column(String(32), primary_key=True)
    name = Column(String(32), nullable=False, unique=True)
    aliases = Column(JSON, nullable=False, default=list)
    position = Column(String(4), nullable=False)  # order in menus, zero-padded


# A table of its own (not columns on districts) so existing SQLite files get it from create_all, no migration.
class DistrictLocation(Base):
    __tablename__ = "district_locations"

    district_id = Column(String(32), ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True)
    latitude = Column(Float, nullable=False)  # WGS-84 decimal degrees, approximate seat
    longitude = Column(Float, nullable=False)


class Hall(Base):
    __tablename__ = "halls"
    __table_args__ = (UniqueConstraint("district_id", "hall_type"),)

    id = Column(String(64), primary_key=True)  # "<district>:<type>"
    district_id = Column(String(32), ForeignKey("districts.id", ondelete="CASCADE"), nullable=False)
    hall_type = Column(String(32), nullable=False)
    name = Column(String(100), nullable=False)
    address = Column(String(200), nullable=False)
    hours = Column(String(200), nullable=False)
    phone = Column(String(40))


class Service(Base):
    __tablename__ = "services"

    id = Column(String(40), primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    department = Column(String(100), nullable=False)
    aliases = Column(JSON, nullable=False)
    # Residents' example questions (search reads them); the server default fills old rows (0004).
    examples = Column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    summary = Column(Text, nullable=False)
    eligibility = Column(JSON, nullable=False)
    materials = Column(JSON, nullable=False)
    steps = Column(JSON, nullable=False)
    time_limit = Column(Text, nullable=False)
    fee = Column(Text, nullable=False)
    needs_hall = Column(Boolean, nullable=False)
    hall_type = Column(String(32), nullable=False)
    hall_note = Column(Text)
    online = Column(JSON, nullable=False)
    faqs = Column(JSON, nullable=False)
    related = Column(JSON, nullable=False)
    source = Column(Text, nullable=False)
    updated = Column(Date, nullable=False)
