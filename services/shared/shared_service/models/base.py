"""The shared service's declarative Base and the column types its models share.

Every table of the service hangs off :class:`Base`, whose MetaData carries the
naming convention all services share (``alembic_config.NAMING_CONVENTION``), so
that constraint and index names are the same on every database and in every
migration.

Foreign keys to other services: a column may refer to a table of another
service (``users.id``, ``files.id``) by name only, without importing it. That
table is not in this service's MetaData, so such a key is declared with
``use_alter=True``: the constraint is created like any other (in the merged
MetaData, and by the migrations), but SQLAlchemy leaves it out when it orders
this service's own tables, which would otherwise fail to resolve it at flush
time. No relationship can cross services; insert the referenced row first.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic_config import service_metadata
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: JSON everywhere, JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

#: A timezone-aware timestamp; MySQL and MariaDB keep microseconds (DATETIME(6)).
Timestamp = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware: the default of every timestamp column."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The one declarative Base of the shared service."""

    metadata = service_metadata()
    type_annotation_map = {
        uuid.UUID: sa.Uuid(),
        datetime: Timestamp,
        dict[str, Any]: JSONType,
    }


class UUIDPrimaryKeyMixin:
    """A UUID primary key generated in Python, so that a new object knows its id before flush."""

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), primary_key=True, default=uuid.uuid4, sort_order=-100
    )


class TimestampMixin:
    """``created_at`` and ``updated_at``, maintained by the Base on insert and update (UTC)."""

    created_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, sort_order=100
    )
    updated_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, onupdate=utcnow, sort_order=101
    )
