"""Upgrade, downgrade and stamp, reporting each revision as it is applied."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from alembic_config import GateFinding, MigrationPlan

    from mindmirror_cli.app import App


@dataclass
class AppliedStep:
    """One revision applied (or unapplied), with the time it took."""

    revision: str
    message: str
    direction: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "revision": self.revision,
            "message": self.message,
            "direction": self.direction,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class MigrationRun:
    """What an upgrade or downgrade did."""

    target: str
    steps: list[AppliedStep] = field(default_factory=list)
    seconds: float = 0.0
    heads: tuple[str, ...] = ()
    # what the impact gate found and the overrides accepted (--allow-breaking)
    allowed: tuple[GateFinding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "target": self.target,
            "steps": [s.to_dict() for s in self.steps],
            "seconds": round(self.seconds, 3),
            "current": list(self.heads),
            "allowed_breaking": [f.to_dict() for f in self.allowed],
        }


class StepReporter:
    """Alembic's ``on_version_apply`` callback: times each step and reports it."""

    def __init__(self, app: App, run: MigrationRun, total: int) -> None:
        self.app = app
        self.run = run
        self.total = total
        self._last = time.perf_counter()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> StepReporter:
        return self

    def plan(self, plan: MigrationPlan) -> None:
        """Alembic-config's ``on_plan`` callback: the revisions about to run, under the lock."""
        self.total = len(plan.steps)
        self.run.heads = tuple(sorted(plan.current))  # until a step moves them
        self.run.allowed = tuple(f for f in plan.findings if f.allowed)
        for finding in self.run.allowed:
            self.app.output.warn(f"impact gate overridden: {finding.describe()}")
        if self.total > 1:
            self._progress = self.app.output.progress()
        if self._progress is not None:
            self._progress.__enter__()
            self._task = self._progress.add_task("migrating", total=self.total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, *, step: Any, heads: set[str], **_: Any) -> None:
        now = time.perf_counter()
        elapsed, self._last = now - self._last, now
        if step.is_stamp:
            return
        revision = step.up_revision_id if step.is_upgrade else step.down_revision_ids
        if not isinstance(revision, str):
            revision = ",".join(revision) or "base"
        up = step.up_revision
        message = (up.doc or "").strip() if up is not None else ""
        applied = AppliedStep(
            revision=step.up_revision_id or "",
            message=message,
            direction="upgrade" if step.is_upgrade else "downgrade",
            seconds=elapsed,
        )
        self.run.steps.append(applied)
        self.run.heads = tuple(sorted(heads))
        verb = "applied" if step.is_upgrade else "reverted"
        self.app.output.info(f"  {verb} {applied.revision} ({message}) in {elapsed:.2f} s")
        if self._progress is not None:
            self._progress.update(self._task, advance=1)


def _reporting(reporter: StepReporter) -> dict[str, Any]:
    return {"on_version_apply": reporter, "on_plan": reporter.plan}


def upgrade(
    app: App,
    target: str,
    *,
    allow_breaking: tuple[str, ...] = (),
    lint: dict[str, Any] | None = None,
) -> MigrationRun:
    """Upgrade the database to ``target``; the impact gate refuses (exit 9) unless allowed.

    ``lint``: the lint fields of the options (production mark, overrides, printer).
    """
    from alembic import command

    run = MigrationRun(target=target)
    started = time.perf_counter()
    with StepReporter(app, run, 0) as reporter:
        config = app.alembic_config(
            command="upgrade",
            allow_breaking=frozenset(allow_breaking),
            **_reporting(reporter),
            **(lint or {}),
        )
        command.upgrade(config, target)
    run.seconds = time.perf_counter() - started
    return run


def downgrade(
    app: App, target: str, *, ddl_timeouts: dict[str, float | None] | None = None
) -> MigrationRun:
    """Downgrade the database to ``target`` (``ddl_timeouts``: the command line's overrides)."""
    from alembic import command

    run = MigrationRun(target=target)
    started = time.perf_counter()
    with StepReporter(app, run, 0) as reporter:
        config = app.alembic_config(
            command="downgrade", ddl_timeouts=ddl_timeouts or None, **_reporting(reporter)
        )
        command.downgrade(config, target)
    run.seconds = time.perf_counter() - started
    return run


def plan(
    app: App,
    target: str,
    *,
    allow_breaking: tuple[str, ...] = (),
    lint: dict[str, Any] | None = None,
) -> MigrationPlan:
    """What an upgrade to ``target`` would do and what the gate and lint say; runs nothing."""
    from alembic import command

    plans: list[MigrationPlan] = []
    config = app.alembic_config(
        command="upgrade",
        plan_only=True,
        on_plan=plans.append,
        allow_breaking=frozenset(allow_breaking),
        **(lint or {}),
    )
    command.upgrade(config, target)
    return plans[0]


def offline_sql(app: App, direction: str, target: str, out: TextIO) -> None:
    """Write the SQL of an upgrade or downgrade to ``out``, without connecting."""
    from alembic import command

    config = app.alembic_config(command=direction)
    config.output_buffer = out
    if direction == "upgrade":
        command.upgrade(config, target, sql=True)
    else:
        command.downgrade(config, target, sql=True)


def stamp(app: App, target: str) -> None:
    """Record ``target`` as the database's revision without running any migration."""
    from alembic import command

    command.stamp(app.alembic_config(command="stamp"), target)
