"""A large synthetic catalog: ``services`` services of ``tables`` tables each, linked by keys.

Every table but a service's first references that first table (``owner_id``) and the
table before it (``parent_id``); every fifth references the same-numbered table of
the next service (``peer_id``), so some keys cross services.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic_config import Catalog, Service, ServiceState


def service_name(index: int) -> str:
    """The name of the ``index``-th service."""
    return f"svc{index:02d}"


def table_name(service: int, table: int) -> str:
    """The key of a service's ``table``-th table."""
    return f"{service_name(service)}_t{table:03d}"


def _table(metadata: sa.MetaData, service: int, table: int, services: int) -> None:
    columns: list[sa.Column[object]] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("notes", sa.Text),
    ]
    if table > 0:
        target = f"{table_name(service, 0)}.id"
        columns.append(sa.Column("owner_id", sa.ForeignKey(target), nullable=False))
    if table > 1:
        columns.append(
            sa.Column("parent_id", sa.ForeignKey(f"{table_name(service, table - 1)}.id"))
        )
    if table % 5 == 0 and services > 1:
        peer = f"{table_name((service + 1) % services, table)}.id"
        columns.append(sa.Column("peer_id", sa.ForeignKey(peer)))
    sa.Table(table_name(service, table), metadata, *columns)


def large_catalog(services: int = 40, tables: int = 50) -> Catalog:
    """A catalog of ``services`` x ``tables`` tables, built in memory (no entry points)."""
    metadata = sa.MetaData()
    owners: dict[str, tuple[str, ...]] = {}
    infos = []
    for s in range(services):
        keys = []
        for t in range(tables):
            _table(metadata, s, t, services)
            keys.append(table_name(s, t))
            owners[table_name(s, t)] = (service_name(s),)
        infos.append(
            Service(
                service_name(s),
                f"{service_name(s)}-dist",
                "1.0",
                "x:metadata",
                ServiceState.OK,
                tuple(keys),
            )
        )
    return Catalog(
        metadata=metadata,
        services=tuple(infos),
        failures=(),
        conflicts=(),
        owners=owners,
        excluded=(),
    )
