"""The refusals of alembic-config's migration runtime: each says why nothing (more) ran.

Part of the one hierarchy under :class:`~alembic_config._errors.AlembicConfigError`:
a lock not acquired, a partial state, an unsafe or edited revision, a guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from alembic_config._errors import AlembicConfigError

if TYPE_CHECKING:
    from alembic_config._checksums import ChecksumMismatch
    from alembic_config._gate import GateFinding
    from alembic_config.lint._model import LintFinding


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
