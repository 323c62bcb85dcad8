"""What a lint rule is and what it reports: stable ids, severities, findings as data."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic_config.lint._view import RevisionView


class Severity(enum.Enum):
    """How bad a finding is: an ``error`` fails ``db lint`` and is refused in production."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Hit:
    """What a rule's check returns: the operation it fired on and why, in words."""

    operation: Any
    table: str | None
    detail: str
    allowed_by: str | None = None


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable id, one sentence of why, the safe alternative, and its check.

    ``check`` walks one revision (through its :class:`RevisionView`) and yields a
    :class:`Hit` for every operation the rule objects to.
    """

    id: str
    severity: Severity
    why: str
    hint: str
    check: Callable[[RevisionView], Iterable[Hit]]
    dialects: frozenset[str] | None = None  # None: every database

    def applies_to(self, dialect: str) -> bool:
        """True when the rule is about ``dialect`` (``mariadb`` counts as ``mysql``)."""
        name = "mysql" if dialect == "mariadb" else dialect
        return self.dialects is None or name in self.dialects


@dataclass(frozen=True)
class LintFinding:
    """One rule firing on one operation of one revision."""

    rule: str
    severity: Severity
    revision: str
    operation: str
    table: str | None
    services: tuple[str, ...]
    message: str
    hint: str
    allowed_by: str | None = None
    note: str | None = None

    @property
    def blocking(self) -> bool:
        """An error-level finding nothing allows."""
        return self.severity is Severity.ERROR and self.allowed_by is None

    def allow(self, reason: str) -> LintFinding:
        """The same finding, allowed for ``reason``."""
        return replace(self, allowed_by=reason)

    def describe(self) -> str:
        """``error index-without-concurrently  revision abc: create_index ix on t [journal]``."""
        owner = f" [{', '.join(self.services)}]" if self.services else ""
        lines = [
            f"{self.severity.value} {self.rule}  revision {self.revision}: {self.operation}{owner}",
            f"    {self.message}",
            f"    fix: {self.hint}",
        ]
        if self.note:
            lines.append(f"    note: {self.note}")
        if self.allowed_by:
            lines.append(f"    allowed: {self.allowed_by}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "revision": self.revision,
            "operation": self.operation,
            "table": self.table,
            "services": list(self.services),
            "message": self.message,
            "hint": self.hint,
            "allowed": self.allowed_by is not None,
            "allowed_by": self.allowed_by,
            "note": self.note,
        }


@dataclass(frozen=True)
class LintReport:
    """The findings over some revisions, and whether the database could be asked."""

    revisions: tuple[str, ...]
    findings: tuple[LintFinding, ...] = ()
    database: str | None = None  # None: the database was asked; else why it was not
    dialect: str = ""
    skipped: tuple[str, ...] = field(default=())  # revisions that could not be fully recorded

    @property
    def errors(self) -> tuple[LintFinding, ...]:
        """The error-level findings nothing allows."""
        return tuple(f for f in self.findings if f.blocking)

    def __iter__(self) -> Iterator[LintFinding]:
        return iter(self.findings)

    def unsafe(self, allowed: Iterable[str] = ()) -> tuple[LintFinding, ...]:
        """The blocking findings not named in ``allowed`` (``--allow-unsafe RULE``)."""
        names = set(allowed)
        return tuple(f for f in self.errors if f.rule not in names)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "dialect": self.dialect,
            "revisions": list(self.revisions),
            "database_checked": self.database is None,
            "database_note": self.database,
            "not_fully_inspected": list(self.skipped),
            "findings": [f.to_dict() for f in self.findings],
            "errors": len(self.errors),
            "warnings": sum(1 for f in self.findings if f.severity is Severity.WARNING),
        }
