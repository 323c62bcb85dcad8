"""Where the database stands: current revision(s), heads, pending revisions, services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mindmirror_cli.actions.revisions import RevisionInfo, connection, pending, read_current

if TYPE_CHECKING:
    from alembic_config import Service

    from mindmirror_cli.app import App


@dataclass
class Status:
    """The database's revision state and the services."""

    database: str
    version_table: bool
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: list[RevisionInfo]
    services: list[Service] = field(default_factory=list)
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


def _installed_services(app: App) -> list[Service]:
    """The selected services as installed (``--by-service`` loads them); nothing is imported."""
    from alembic_config import ServiceState, installed_services

    found = installed_services(exclude=list(app.settings.exclude) or None)
    return [s for s in found if s.state is not ServiceState.EXCLUDED]


def _loaded_services(app: App) -> list[Service]:
    catalog = app.catalog
    return sorted([*catalog.services, *catalog.failures], key=lambda s: s.name)
