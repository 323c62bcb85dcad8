"""The plan of an upgrade: the revisions it would apply, their operations, and the gate's verdict.

Built inside the environment from Alembic's own step computation, before
anything runs, so that ``mindmirror db plan``, ``mindmirror db upgrade`` and
stock ``alembic upgrade`` see exactly the same revisions in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic_config._gate import GateFinding, describe_operation, evaluate, needs_models
from alembic_config._gc import collector_paused
from alembic_config._operations import RecordedRevision, record_revision, recording_context

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext

    from alembic_config._catalog import Catalog
    from alembic_config._ownership import RecordedOwner
    from alembic_config.lint import LintReport


@dataclass(frozen=True)
class PlannedStep:
    """One revision the run would apply (or unapply), with its recorded operations."""

    revision: str
    direction: str
    message: str
    recorded: RecordedRevision | None = None
    script: Any = field(default=None, compare=False, repr=False)

    def to_dict(self, owners: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
        """A JSON-ready form; ``owners`` names the service owning each table touched."""
        operations = []
        for operation in self.recorded.operations if self.recorded else ():
            touched = describe_operation(operation)
            entry = touched.to_dict()
            entry["owners"] = list(owners.get(touched.table, ())) if touched.table else []
            operations.append(entry)
        return {
            "revision": self.revision,
            "direction": self.direction,
            "message": self.message,
            "inspected": self.recorded is not None and self.recorded.complete,
            "inspection_error": self.recorded.error if self.recorded else None,
            "operations": operations,
        }


@dataclass(frozen=True)
class MigrationPlan:
    """What an upgrade or downgrade would do, and what the impact gate found."""

    current: tuple[str, ...]
    steps: tuple[PlannedStep, ...]
    findings: tuple[GateFinding, ...] = ()
    not_checked: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dialect: str = ""
    lint: LintReport | None = None

    @property
    def refused(self) -> tuple[GateFinding, ...]:
        """The findings no override allows: the upgrade is refused while there are any."""
        return tuple(f for f in self.findings if not f.allowed)

    def __len__(self) -> int:
        return len(self.steps)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "current": list(self.current),
            "steps": [s.to_dict(self.owners) for s in self.steps],
            "findings": [f.to_dict() for f in self.findings],
            "refused": bool(self.refused),
            "checked_services": list(self.checked),
            "not_checked": list(self.not_checked),
            "lint": self.lint.to_dict() if self.lint is not None else None,
        }


def build_plan(
    context: MigrationContext,
    *,
    command: str,
    catalog: Callable[[], Catalog],
    allowed: Iterable[str] = (),
    recorded_owners: Mapping[str, RecordedOwner] | None = None,
    with_owners: bool = False,
) -> MigrationPlan:
    """The steps Alembic is about to run, recorded and (for upgrades) checked by the gate.

    Alembic's step function for ``upgrade`` and ``downgrade`` only computes the
    steps from the current heads, so calling it first changes nothing. The
    models are loaded only when an operation is destructive, or ``with_owners``.
    """
    current = tuple(context.get_current_heads())
    steps = context.opts["fn"](current, context)
    planned = []
    recorder = recording_context(context.dialect) if steps else None
    # what is recorded lives as long as the plan: a collection would only walk it
    with collector_paused():
        for step in steps:
            direction = "upgrade" if step.is_upgrade else "downgrade"
            script = step.revision
            recorded = None
            if direction == "upgrade":
                recorded = record_revision(script, context.dialect, context=recorder)
            message = (script.doc or "").strip()
            planned.append(PlannedStep(script.revision, direction, message, recorded, script))
    revisions = [s.recorded for s in planned if s.recorded is not None]
    loaded: Catalog | None = None
    findings: list[GateFinding] = []
    if command == "upgrade" and (with_owners or needs_models(revisions)):
        loaded = catalog()
        findings = evaluate(revisions, loaded, context.dialect, allowed=allowed)
    elif with_owners:
        loaded = catalog()
    owners: dict[str, tuple[str, ...]] = {
        key: owner.services for key, owner in (recorded_owners or {}).items()
    }
    if loaded is not None:
        owners.update(loaded.owners)
    _add_created_owners(owners, revisions)
    not_checked: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()
    if loaded is not None:
        not_checked = tuple(sorted({*loaded.excluded, *(f.name for f in loaded.failures)}))
        checked = tuple(loaded.service_names())
    return MigrationPlan(
        current,
        tuple(planned),
        tuple(findings),
        not_checked,
        checked,
        owners,
        context.dialect.name,
    )


def _add_created_owners(
    owners: dict[str, tuple[str, ...]], revisions: Iterable[RecordedRevision]
) -> None:
    from alembic.operations import ops

    from alembic_config._ownership import owners_from_info, table_key

    for revision in revisions:
        for operation in revision.operations:
            if isinstance(operation, ops.CreateTableOp):
                key = table_key(operation.table_name, operation.schema)
                declared = owners_from_info(operation.info)
                if declared and key not in owners:
                    owners[key] = declared
