"""The errors of alembic-config: one small hierarchy, each carrying its data.

The command line converts them to exit codes in one place; Alembic's own
command line shows their message after ``FAILED:`` (the shipped ``env.py``
re-raises them as :class:`alembic.util.CommandError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic_config._conflicts import Conflict
    from alembic_config._discovery import Service


class AlembicConfigError(Exception):
    """Base class of every error raised by alembic-config."""


class ServiceLoadError(AlembicConfigError):
    """A service's entry point could not be turned into a MetaData."""

    def __init__(self, message: str, *, service: str, distribution: str, version: str) -> None:
        super().__init__(message)
        self.service = service
        self.distribution = distribution
        self.version = version


class UnknownServiceError(AlembicConfigError):
    """A service was named (allow-list, ``--service``) that no installed distribution provides."""

    def __init__(
        self, names: Sequence[str], available: Sequence[str], *, unselected: Sequence[str] = ()
    ) -> None:
        self.names = tuple(names)
        self.available = tuple(available)
        self.unselected = tuple(unselected)
        listed = ", ".join(self.available) or "none"
        if self.unselected and set(self.names) <= set(self.unselected):
            message = (
                f"service(s) not selected: {', '.join(self.names)} (installed, but left out by "
                f"ALEMBIC_CONFIG_SERVICES / ALEMBIC_CONFIG_EXCLUDE); selected services: {listed}"
            )
        else:
            message = f"unknown service(s): {', '.join(self.names)}; installed services: {listed}"
        super().__init__(message)


class IncompleteMetadataError(AlembicConfigError):
    """Schema would be written or compared from metadata that misses or contradicts a service.

    Autogenerate against incomplete metadata proposes dropping every table it
    cannot see, so it is refused until each failure is fixed or its service
    excluded, and each conflict resolved.
    """

    def __init__(
        self, failures: Sequence[Service], conflicts: Sequence[Conflict], *, action: str
    ) -> None:
        self.failures = tuple(failures)
        self.conflicts = tuple(conflicts)
        self.action = action
        super().__init__(self._describe())

    def _describe(self) -> str:
        lines = [f"refusing to {self.action}: the merged metadata is incomplete or contradictory."]
        for failure in self.failures:
            lines.append(f"  service {failure.describe()}")
        for conflict in self.conflicts:
            lines.extend("  " + line for line in conflict.describe().splitlines())
        if self.failures:
            names = ",".join(f.name for f in self.failures)
            lines.append(
                "Fix the failing service, or exclude it explicitly: "
                f"ALEMBIC_CONFIG_EXCLUDE={names} (the CLI: --exclude {names}); an excluded "
                "service's tables are left alone, never dropped."
            )
        unresolved = [c for c in self.conflicts if c.kind == "unresolved foreign key"]
        if len(unresolved) < len(self.conflicts):
            lines.append(
                "Resolve each conflict in the services' models: one table, one definition."
            )
        if unresolved:
            lines.append(
                "Select the services that define the referenced tables too "
                "(ALEMBIC_CONFIG_SERVICES, ALEMBIC_CONFIG_EXCLUDE)."
            )
        return "\n".join(lines)


class DatabaseUrlError(AlembicConfigError):
    """The database URL is malformed or names an unusable driver; never shows a password."""

    def __init__(self, message: str, *, masked_url: str) -> None:
        super().__init__(message)
        self.masked_url = masked_url


class MissingDriverError(DatabaseUrlError):
    """The URL needs a database driver that is not installed."""

    def __init__(
        self, *, masked_url: str, backend: str, extra: str, driver: str | None = None
    ) -> None:
        self.backend = backend
        self.extra = extra
        self.driver = driver
        if driver:
            message = (
                f"the {driver} driver named in {masked_url} is not installed; install it, or "
                f"drop '+{driver}' from the URL to use the driver alembic-config installs "
                f"(pip install 'alembic-config[{extra}]')"
            )
        else:
            message = (
                f"no {backend} driver is installed for {masked_url}; "
                f"install one with: pip install 'alembic-config[{extra}]'"
            )
        super().__init__(message, masked_url=masked_url)


class DatabaseConnectionError(AlembicConfigError):
    """The database could not be reached, or refused the credentials."""

    def __init__(self, message: str, *, masked_url: str, reason: str) -> None:
        super().__init__(message)
        self.masked_url = masked_url
        self.reason = reason


class RevisionLocationError(AlembicConfigError):
    """A new revision would be written where it must not be (an installed, non-editable package)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class EnvironmentFileError(AlembicConfigError):
    """A named environment file (``.env.NAME``) was asked for and not found."""

    def __init__(self, message: str, *, name: str, searched_from: str) -> None:
        super().__init__(message)
        self.name = name
        self.searched_from = searched_from


class InvalidEnvironmentFileError(AlembicConfigError):
    """An environment file (``.env``, ``.env.NAME``) that is not a readable file of NAME=value."""

    def __init__(self, message: str, *, path: str, line: int | None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class InvalidNameError(AlembicConfigError):
    """A revision id, version table or schema name that must not reach a file or SQL."""

    def __init__(self, message: str, *, value: str) -> None:
        super().__init__(message)
        self.value = value


class RevisionFileError(AlembicConfigError):
    """A revision file that does not load, or a ``down_revision`` that names no revision."""

    def __init__(self, message: str, *, path: str, revision: str | None) -> None:
        super().__init__(message)
        self.path = path
        self.revision = revision


class UnknownRevisionError(AlembicConfigError):
    """The database is stamped with a revision that no revision script defines."""

    def __init__(self, message: str, *, revisions: tuple[str, ...]) -> None:
        super().__init__(message)
        self.revisions = revisions


class NoServicesError(AlembicConfigError):
    """No service is selected or installed: comparing would see an empty model."""

    def __init__(
        self,
        *,
        action: str,
        group: str,
        environment: str,
        installed: Sequence[str],
        excluded: Sequence[str],
    ) -> None:
        self.action = action
        self.group = group
        self.environment = environment
        self.installed = tuple(installed)
        self.excluded = tuple(excluded)
        if self.installed:
            why = (
                f"every installed service is left out ({', '.join(self.excluded)}; by "
                "ALEMBIC_CONFIG_SERVICES, ALEMBIC_CONFIG_EXCLUDE or --exclude)"
            )
            fix = "Select at least one service."
        else:
            why = (
                f"no distribution installed in the Python environment {environment} registers "
                f"an entry point in the group {group!r}"
            )
            fix = (
                "Install the service packages into this environment (each registers its "
                f'MetaData under [project.entry-points."{group}"]), then run this again.'
            )
        super().__init__(
            f"refusing to {action}: no service to compare: {why}. Against an empty model every "
            f"table of the database would look removed. {fix}"
        )


class ModelDefinitionError(ServiceLoadError):
    """A service's models cannot become a valid schema (an index without columns...)."""

    def __init__(
        self, *, service: str, distribution: str, version: str, problems: Sequence[str]
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"service {service} ({distribution} {version}) defines an invalid schema: "
            + "; ".join(self.problems)
            + ". Fix the models (or leave the service out: --exclude "
            + service
            + ")",
            service=service,
            distribution=distribution,
            version=version,
        )


class EnumChangeError(AlembicConfigError):
    """A native enum type lost or renamed a value: autogenerate cannot write that safely."""

    def __init__(self, *, name: str, stored: Sequence[str], model: Sequence[str]) -> None:
        self.name = name
        self.stored = tuple(stored)
        self.model = tuple(model)
        removed = [value for value in self.stored if value not in self.model]
        super().__init__(
            f"refusing to autogenerate: the enum type {name} has the values "
            f"{', '.join(self.stored)} in the database but {', '.join(self.model)} in the models"
            + (f" ({', '.join(removed)} removed or renamed)" if removed else " (reordered)")
            + ". PostgreSQL cannot drop or reorder an enum value; write this revision by hand "
            "(ALTER TYPE ... RENAME VALUE for a rename; for a removal, a new type, the "
            "columns converted to it with USING, the old type dropped), and no revision was written"
        )


class MigrationScriptError(AlembicConfigError):
    """A revision's ``upgrade()`` or ``downgrade()`` raised a Python error."""

    def __init__(self, *, revision: str, direction: str, error: str, location: str) -> None:
        self.revision = revision
        self.direction = direction
        self.error = error
        self.location = location
        super().__init__(
            f"revision {revision} failed ({direction}, {location}): {error}; the revision was "
            "not stamped. Fix the revision file and run the command again (-v shows the traceback)"
        )
