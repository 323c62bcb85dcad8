"""The naming convention every service sharing a database uses.

Constraint and index names come from the MetaData's naming convention; two
services with different conventions would name the same kind of object
differently, and alembic-config reports that as a conflict. Each service's
declarative Base takes its MetaData from here::

    from alembic_config import service_metadata

    class Base(DeclarativeBase):
        metadata = service_metadata()
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import MetaData

#: Index, unique, check, foreign-key and primary-key names: ``ix_users_email``,
#: ``fk_entries_user_id_users``, ``pk_users``... (read-only; copy it to change it).
NAMING_CONVENTION: Mapping[str, str] = MappingProxyType(
    {
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def service_metadata(schema: str | None = None) -> MetaData:
    """A new MetaData for one service, carrying the shared :data:`NAMING_CONVENTION`.

    ``schema``: the default schema of the service's tables (``None``: the
    database's default).
    """
    return MetaData(schema=schema, naming_convention=dict(NAMING_CONVENTION))
