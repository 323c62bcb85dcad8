"""Lint the plan of an upgrade, inside the environment, with the database at hand."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from alembic_config._transactions import committed
from alembic_config.lint._guard import enforce, report_findings
from alembic_config.lint._run import database_facts, lint_recorded

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

    from alembic_config._options import EnvironmentOptions
    from alembic_config._planning import MigrationPlan


def lint_plan(
    conn: Connection | None,
    plan: MigrationPlan,
    config: Config,
    version_table: tuple[str, str | None],
    *,
    unreachable: str | None = None,
) -> MigrationPlan:
    """The plan with its lint report: the upgrade steps' operations, the gate's findings."""
    from alembic_config._ownership import read_owners

    steps = [s for s in plan.steps if s.direction == "upgrade" and s.recorded is not None]
    recorded = [s.recorded for s in steps if s.recorded is not None]
    owners = dict(plan.owners)
    if conn is not None and steps:
        table, schema = version_table
        for key, owner in committed(conn, lambda: read_owners(conn, table, schema)).items():
            owners.setdefault(key, owner.services)
    report = lint_recorded(
        recorded,
        [s.script for s in steps if s.script is not None],
        dialect=conn.dialect.name if conn is not None else plan.dialect,
        config=config,
        facts=database_facts(conn, recorded, unreachable),
        owners=owners,
        gate=plan.findings,
    )
    return dataclasses.replace(plan, lint=report)


def linted_plan(
    conn: Connection | None,
    plan: MigrationPlan,
    config: Config,
    options: EnvironmentOptions,
    version_table: tuple[str, str | None],
) -> MigrationPlan:
    """The plan linted, its findings reported (``options.on_lint``, else logged)."""
    unreachable = "offline (--sql): the database was not asked" if conn is None else None
    linted = lint_plan(conn, plan, config, version_table, unreachable=unreachable)
    if linted.lint is not None and linted.lint.revisions:
        report_findings(options, linted.lint)
    return linted


def enforce_plan(
    config: Config, options: EnvironmentOptions, plan: MigrationPlan, command: str
) -> None:
    """Refuse the plan's error-level findings on a database marked production."""
    if plan.lint is not None:
        enforce(config, options, plan.lint, command)
