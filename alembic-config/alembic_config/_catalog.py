"""One discovery's outcome: the merged MetaData, the services, their failures and conflicts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata as importlib_metadata
from typing import TYPE_CHECKING, Any

from alembic_config._discovery import (
    ENTRY_POINT_GROUP,
    Service,
    ServiceState,
    failure_of,
    installed_services,
    load_service,
)
from alembic_config._errors import (
    IncompleteMetadataError,
    NoServicesError,
    UnknownServiceError,
)
from alembic_config._freshness import warn_stale_metadata
from alembic_config._gc import collector_paused

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from alembic_config._conflicts import Conflict

# public: a program that reports failures and conflicts itself can quiet this logger
DISCOVERY_LOGGER = "alembic_config.discovery"
logger = logging.getLogger(DISCOVERY_LOGGER)


@dataclass(frozen=True)
class Catalog:
    """The merged metadata of the selected services, with everything learnt while building it.

    ``owners`` maps each table key to the services that define it (more than
    one when identical definitions were merged). A catalog is *complete* when
    no selected service failed and nothing conflicts; only a complete catalog
    may drive autogenerate or a drift check.
    """

    metadata: MetaData
    services: tuple[Service, ...]  # loaded (state ok), with their tables
    failures: tuple[Service, ...]  # selected but failed, with the error
    conflicts: tuple[Conflict, ...]
    owners: Mapping[str, tuple[str, ...]]
    excluded: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every selected service loaded and nothing conflicts."""
        return not self.failures and not self.conflicts

    def service_names(self) -> list[str]:
        """The names of the services that loaded, sorted."""
        return [s.name for s in self.services]

    def table_names(self) -> list[str]:
        """Every table key of the merged metadata, sorted."""
        return sorted(self.metadata.tables)

    def tables_of(self, service: str) -> list[str]:
        """The table keys a service owns (alone or together with others), sorted."""
        if service not in self.service_names():
            raise UnknownServiceError([service], self.service_names(), unselected=self.excluded)
        return sorted(key for key, owners in self.owners.items() if service in owners)

    def require_complete(self, action: str) -> None:
        """Refuse an incomplete catalog, and one with no service at all.

        Raises :class:`IncompleteMetadataError` when a selected service failed or
        services conflict, and :class:`NoServicesError` when nothing is selected
        or installed: an empty model would make every table look removed.
        """
        if not self.complete:
            raise IncompleteMetadataError(self.failures, self.conflicts, action=action)
        if not self.services:
            import sys

            raise NoServicesError(
                action=action,
                group=ENTRY_POINT_GROUP,
                environment=sys.prefix,
                installed=self.excluded,
                excluded=self.excluded,
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: services, failures, conflicts, owners."""
        return {
            "services": [s.to_dict() for s in self.services],
            "failures": [f.to_dict() for f in self.failures],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "excluded": list(self.excluded),
            "tables": {key: list(owners) for key, owners in sorted(self.owners.items())},
        }


def build_catalog(
    *,
    services: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    entry_points: Iterable[importlib_metadata.EntryPoint] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Catalog:
    """Discover, select, load and merge the services; never raises for one broken service."""
    from alembic_config._merge import merge_metadata

    found = installed_services(
        services=services, exclude=exclude, entry_points=entry_points, environ=environ
    )
    if entry_points is None:  # the installed metadata: warn when an editable install is stale
        warn_stale_metadata(logger)
    selected = [s for s in found if s.state is ServiceState.INSTALLED]
    failures_list = [s for s in found if s.state is ServiceState.FAILED]
    excluded = tuple(s.name for s in found if s.state is ServiceState.EXCLUDED)
    loaded: list[tuple[Service, MetaData]] = []
    with collector_paused():
        for source in selected:
            try:
                metadata = load_service(source)
            except Exception as exc:  # a broken service is recorded; the others go on loading
                failure = failure_of(source, exc)
                logger.warning("service %s", failure.describe())
                failures_list.append(failure)
                continue
            logger.debug(
                "service %s: %d tables: %s",
                source.describe(),
                len(metadata.tables),
                ", ".join(sorted(metadata.tables)),
            )
            loaded.append((source, metadata))
        merged = merge_metadata([(source.name, metadata) for source, metadata in loaded])
    infos = tuple(
        replace(
            source,
            state=ServiceState.OK,
            tables=tuple(sorted(k for k, o in merged.owners.items() if source.name in o)),
        )
        for source, _ in loaded
    )
    for conflict in merged.conflicts:
        logger.warning("%s", conflict.describe())
    return Catalog(
        metadata=merged.metadata,
        services=infos,
        failures=tuple(sorted(failures_list, key=lambda f: f.name)),
        conflicts=merged.conflicts,
        owners=merged.owners,
        excluded=excluded,
    )
