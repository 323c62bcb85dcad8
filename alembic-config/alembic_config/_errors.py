"""The errors of alembic-config: one small hierarchy, each carrying its data.

The command line converts them to exit codes in one place; Alembic's own
command line shows their message after ``FAILED:`` (the shipped ``env.py``
re-raises them as :class:`alembic.util.CommandError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic_config._checksums import ChecksumMismatch
    from alembic_config._conflicts import Conflict
    from alembic_config._discovery import Service
    from alembic_config._gate import GateFinding
    from alembic_config.lint._model import LintFinding


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


class LockTimeoutError(AlembicConfigError):
    """The migration lock was not acquired within its timeout; nothing was changed."""

    def __init__(self, message: str, *, timeout: float, holder: str | None) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.holder = holder


class PartialStateError(AlembicConfigError):
    """A revision was started and never stamped where DDL cannot roll back (MySQL, MariaDB)."""

    def __init__(self, message: str, *, revision: str, direction: str, holder: str) -> None:
        super().__init__(message)
        self.revision = revision
        self.direction = direction
        self.holder = holder


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


class DropRequestError(AlembicConfigError):
    """A table named for dropping (``--drop``) that cannot be dropped that way."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("cannot drop by name: " + "; ".join(self.reasons))


class UnsafeMigrationError(AlembicConfigError):
    """A pending revision removes or narrows what a service still uses; nothing was applied."""

    def __init__(self, findings: Sequence[GateFinding]) -> None:
        self.findings = tuple(findings)
        refused = [f for f in self.findings if not f.allowed]
        services = sorted({s for f in refused for s in f.services})
        lines = [
            "refusing to upgrade: pending revisions remove or narrow what other services "
            "still use; nothing was applied."
        ]
        lines += ["  " + line for f in refused for line in f.describe().splitlines()]
        flags = " ".join(f"--allow-breaking {s}" for s in services)
        lines.append(
            "Either deploy the service versions that no longer use these objects first, or, "
            f"after review, pass {flags} (stock alembic: -x allow_breaking={','.join(services)})."
        )
        super().__init__("\n".join(lines))


class ChecksumMismatchError(AlembicConfigError):
    """Applied revisions were edited after they ran; nothing was applied."""

    def __init__(self, mismatches: Sequence[ChecksumMismatch]) -> None:
        self.mismatches = tuple(mismatches)
        revisions = [m.revision for m in self.mismatches]
        flags = " ".join(f"--accept-checksum {r}" for r in revisions)
        lines = ["refusing to upgrade: applied revisions were edited; nothing was applied."]
        lines += [f"  {m.describe()}" for m in self.mismatches]
        lines.append(
            "Either restore each file as it was when applied (the database was migrated by "
            "that version), or, after review, accept the edit: "
            f"mindmirror db repair {flags} --yes"
        )
        super().__init__("\n".join(lines))


class ProductionGuardError(AlembicConfigError):
    """A destructive command (downgrade, stamp) in an environment marked production."""

    def __init__(self, *, command: str, variable: str, override: str) -> None:
        self.command = command
        self.variable = variable
        super().__init__(
            f"refusing to {command}: this environment is marked production ({variable}); "
            f"nothing was changed. After review, allow it for this run: {override}"
        )


class LintSettingError(AlembicConfigError):
    """A lint allowance naming an unknown rule, or allowing one without a reason."""

    def __init__(self, message: str, *, rule: str, where: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.where = where


class UnsafeLintError(AlembicConfigError):
    """Error-level lint findings on a database marked production; nothing was applied."""

    def __init__(self, findings: Sequence[LintFinding], *, command: str, marked: str) -> None:
        self.findings = tuple(findings)
        rules = sorted({f.rule for f in self.findings})
        lines = [
            f"refusing to {command}: error-level lint findings on a database marked "
            f"production ({marked}); nothing was applied."
        ]
        lines += ["  " + line for f in self.findings for line in f.describe().splitlines()]
        flags = " ".join(f"--allow-unsafe {r}" for r in rules)
        lines.append(
            "Either rewrite the revisions in the safe form each fix names, or, after review, "
            f"pass {flags} (stock alembic: -x allow_unsafe={','.join(rules)})."
        )
        super().__init__("\n".join(lines))


class DdlLockTimeoutError(LockTimeoutError):
    """A revision's statements could not get their locks in any attempt; nothing of it applied."""

    def __init__(
        self,
        *,
        revision: str,
        attempts: int,
        waited: float,
        bound: float,
        blockers: Sequence[str],
    ) -> None:
        self.revision = revision
        self.attempts = attempts
        self.waited = waited
        self.blockers = tuple(blockers)
        held = "\n".join(f"  {b}" for b in self.blockers) or "  (none left: they ended meanwhile)"
        super().__init__(
            f"revision {revision} could not get its locks in {attempts} attempt(s) "
            f"({waited:g} s of waiting, bound {bound:g} s); nothing of it was applied and the "
            f"version is unchanged. The sessions holding locks on its tables:\n{held}\n"
            "Wait for them to finish (or end them), or retry with longer waits: "
            "--ddl-lock-timeout / --ddl-attempts (ini [mindmirror] ddl_lock_timeout, "
            "ddl_attempts; stock alembic: -x ddl_lock_timeout=SECONDS)",
            timeout=waited,
            holder="; ".join(self.blockers) or None,
        )
