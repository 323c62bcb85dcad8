"""Where the database stands: current revision(s), heads, pending revisions, services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mindmirror_cli.actions.revisions import RevisionInfo, connection, pending, read_current

if TYPE_CHECKING:
    from mindmirror_cli.app import App


@dataclass
class ServiceStatus:
    """A service as the status shows it (tables only when the models were loaded)."""

    name: str
    distribution: str
    version: str
    tables: list[str] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data: dict[str, Any] = {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
        }
        if self.tables is not None:
            data["tables"] = self.tables
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass
class Status:
    """The database's revision state and the services."""

    database: str
    version_table: bool
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: list[RevisionInfo]
    services: list[ServiceStatus] = field(default_factory=list)
    conflicts: int | None = None
    # applied revisions edited since they ran (their recorded checksum differs)
    edited: list[Any] = field(default_factory=list)

    @property
    def at_head(self) -> bool:
        """True when every head is applied and nothing is pending."""
        return not self.pending and set(self.current) == set(self.heads)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data: dict[str, Any] = {
            "database": self.database,
            "version_table": self.version_table,
            "current": list(self.current),
            "heads": list(self.heads),
            "at_head": self.at_head,
            "pending": [p.to_dict() for p in self.pending],
            "services": [s.to_dict() for s in self.services],
            "edited_revisions": [m.to_dict() for m in self.edited],
        }
        if self.conflicts is not None:
            data["conflicts"] = self.conflicts
        return data


def read_status(app: App, *, by_service: bool) -> Status:
    """Read the status; loads the services' models only when ``by_service``."""
    script = app.script
    from alembic_config import find_mismatches, require_known_revisions, require_no_partial_state

    with connection(app) as conn:
        require_no_partial_state(conn, *app.version_table)
        present, current = read_current(conn, app.version_table)
        require_known_revisions(script, current)
        edited = find_mismatches(conn, script, current, *app.version_table)
    status = Status(
        database=app.url.masked,
        version_table=present,
        current=current,
        heads=tuple(sorted(script.get_heads())),
        pending=pending(script, current),
        edited=list(edited),
    )
    status.services = _loaded_services(app) if by_service else _installed_services(app)
    if by_service:
        status.conflicts = len(app.catalog.conflicts)
    return status


def _installed_services(app: App) -> list[ServiceStatus]:
    """The selected services as installed (``--by-service`` loads them); nothing is imported."""
    from alembic_config import discover_services, service_selection

    sources, failures = discover_services()
    known = [s.name for s in sources] + [f.name for f in failures]
    chosen = service_selection(known, exclude=list(app.settings.exclude) or None).chosen
    found = [ServiceStatus(s.name, s.distribution, s.version) for s in sources if chosen(s.name)]
    found += [
        ServiceStatus(f.name, f.distribution, f.version, error=f.error)
        for f in failures
        if chosen(f.name)
    ]
    return sorted(found, key=lambda s: s.name)


def _loaded_services(app: App) -> list[ServiceStatus]:
    catalog = app.catalog
    found = [
        ServiceStatus(s.name, s.distribution, s.version, tables=list(s.tables))
        for s in catalog.services
    ]
    found += [
        ServiceStatus(f.name, f.distribution, f.version, error=f.error) for f in catalog.failures
    ]
    return sorted(found, key=lambda s: s.name)
