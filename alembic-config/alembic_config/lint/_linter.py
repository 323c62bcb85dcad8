"""Run every rule over the operations of some revisions, in the order they would apply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alembic_config.lint._allows import Allowances
from alembic_config.lint._facts import DatabaseFacts
from alembic_config.lint._model import Hit, LintFinding, LintReport
from alembic_config.lint._registry import RULES, RULES_BY_ID
from alembic_config.lint._view import RevisionView, flatten

if TYPE_CHECKING:
    from alembic_config._gate import GateFinding


@dataclass(frozen=True)
class LintInput:
    """One revision to lint: its id, its operations, and whether they were fully recorded."""

    revision: str
    operations: Sequence[Any]
    error: str | None = None

    @classmethod
    def of(cls, recorded: Any) -> LintInput:
        """From a :class:`~alembic_config.RecordedRevision`."""
        return cls(recorded.revision, recorded.operations, recorded.error)


def _describe(operation: Any) -> str:
    if isinstance(operation, str):
        return operation
    from alembic_config._gate import describe_operation

    return describe_operation(operation).text


def _declared_owners(operations: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    from alembic.operations import ops

    from alembic_config._ownership import owners_from_info, table_key

    found = {}
    for operation in operations:
        if isinstance(operation, ops.CreateTableOp):
            declared = owners_from_info(operation.info)
            if declared:
                found[table_key(operation.table_name, operation.schema)] = declared
    return found


def _gate_hits(findings: Iterable[GateFinding]) -> dict[str, list[Hit]]:
    hits: dict[str, list[Hit]] = {}
    for finding in findings:
        used = "; ".join(d.describe() for d in finding.dependents)
        allowed = (
            "--allow-breaking " + " --allow-breaking ".join(finding.services)
            if finding.allowed
            else None
        )
        hits.setdefault(finding.revision, []).append(
            Hit(finding.touched.text, finding.touched.table, f"still used by {used}", allowed)
        )
    return hits


def lint(
    revisions: Sequence[LintInput],
    *,
    dialect: str,
    facts: DatabaseFacts | None = None,
    owners: Mapping[str, tuple[str, ...]] | None = None,
    allowances: Allowances | None = None,
    gate: Iterable[GateFinding] = (),
    chained: bool = True,
) -> LintReport:
    """The findings of every rule that applies to ``dialect``, oldest revision first.

    ``facts`` says which tables exist (without it, every table is assumed to
    exist and each finding says so); ``owners`` maps tables to their services.
    ``chained``: the revisions run one after the other now (an upgrade's plan),
    so a table an earlier one creates is new in the later ones; otherwise (a
    range of history) each revision is judged as deployed on its own.
    """
    facts = facts or DatabaseFacts()
    allowances = allowances or Allowances()
    known = dict(owners or {})
    gate_hits = _gate_hits(gate)
    created: set[str] = set()
    findings: list[LintFinding] = []
    for entry in revisions:
        operations = flatten(list(entry.operations))
        for key, declared in _declared_owners(operations).items():
            known.setdefault(key, declared)
        view = RevisionView(
            entry.revision,
            operations,
            dialect,
            facts,
            known,
            frozenset(created),
            tuple(gate_hits.get(entry.revision, ())),
        )
        for rule in RULES:
            if not rule.applies_to(dialect):
                continue
            for hit in rule.check(view):
                finding = LintFinding(
                    rule=rule.id,
                    severity=rule.severity,
                    revision=entry.revision,
                    operation=_describe(hit.operation),
                    table=hit.table,
                    services=known.get(hit.table or "", ()),
                    message=hit.detail,
                    hint=rule.hint,
                    note=view.note(hit.table),
                )
                reason = hit.allowed_by or allowances.reason(rule.id, entry.revision)
                findings.append(finding.allow(reason) if reason else finding)
        if chained:
            created |= view.created_here()
    return LintReport(
        revisions=tuple(r.revision for r in revisions),
        findings=tuple(findings),
        database=facts.unknown,
        dialect=dialect,
        skipped=tuple(f"{r.revision}: {r.error}" for r in revisions if r.error),
    )


def rule_ids() -> tuple[str, ...]:
    """Every rule's id, in the order the rules run."""
    return tuple(RULES_BY_ID)
