"""``mindmirror db``: moving the database along its history: upgrade, plan, downgrade and stamp."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.db.lint import allow_unsafe_option, lint_options, print_lint
from mindmirror_cli.commands.options import (
    confirm_destructive,
    output_options,
    pass_app,
    yes_option,
)
from mindmirror_cli.exit_codes import ExitCode

F = TypeVar("F", bound=Callable[..., Any])


def ddl_timeout_options(function: F) -> F:
    """``--ddl-lock-timeout``, ``--ddl-statement-timeout`` and ``--ddl-attempts``."""
    seconds = click.FloatRange(min=0, max=86400)
    function = click.option(
        "--ddl-attempts",
        "attempts",
        type=click.IntRange(min=1, max=100),
        metavar="N",
        help="Try a blocked revision at most N times, each wait longer [ini: ddl_attempts; 5].",
    )(function)
    function = click.option(
        "--ddl-statement-timeout",
        "statement_timeout",
        type=seconds,
        metavar="SECONDS",
        help="Cancel a statement running longer than this [ini: ddl_statement_timeout; off].",
    )(function)
    return click.option(
        "--ddl-lock-timeout",
        "lock_timeout",
        type=seconds,
        metavar="SECONDS",
        help="Let a DDL statement wait this long for its locks on the first attempt; 0: no "
        "limit, no retries [ini [mindmirror] ddl_lock_timeout; 2].",
    )(function)


def _timeouts(
    lock_timeout: float | None, statement_timeout: float | None, attempts: int | None
) -> dict[str, float | None]:
    given = {"lock_timeout": lock_timeout, "statement_timeout": statement_timeout}
    given["attempts"] = attempts
    return {key: value for key, value in given.items() if value is not None}


def allow_breaking_option(function: F) -> F:
    """``--allow-breaking SERVICE``: accept the impact gate's findings for these services."""
    return click.option(
        "--allow-breaking",
        "allow_breaking",
        multiple=True,
        metavar="SERVICE",
        help="Apply even though SERVICE still uses what a revision drops or narrows "
        "(repeatable; after review).",
    )(function)


@click.command()
@click.argument("target", default="head")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it (no connection).")
@allow_breaking_option
@allow_unsafe_option
@ddl_timeout_options
@output_options
@pass_app
def upgrade(
    app: App,
    target: str,
    sql: bool,
    allow_breaking: tuple[str, ...],
    allow_unsafe: tuple[str, ...],
    lock_timeout: float | None,
    statement_timeout: float | None,
    attempts: int | None,
) -> None:
    """Upgrade the database to TARGET (default: head), one revision at a time.

    Before anything runs, the operations of every pending revision are checked
    against every loaded service's models: dropping, renaming or narrowing what
    a service still maps or refers to is refused (exit 9) unless that service is
    named with --allow-breaking. 'mindmirror db plan' shows the same verdict.
    The lint findings of the pending revisions are printed; on a database
    marked production, error-level ones refuse the upgrade (exit 9) unless each
    rule is named with --allow-unsafe. On PostgreSQL and MySQL/MariaDB each
    revision runs with a short lock timeout and is retried with longer ones
    when blocked; after the last attempt the run stops (exit 5) naming the
    sessions holding the locks, with nothing of that revision applied.

    \b
    Example:
      mindmirror db upgrade
      mindmirror db upgrade head --sql > upgrade.sql
      mindmirror db upgrade --allow-breaking agent
    """
    from mindmirror_cli.actions import migrate

    if sql:
        _offline_sql(app, "upgrade", target)
        return
    app.output.info(f"upgrading {app.url.masked} to {target}")
    run = migrate.upgrade(
        app,
        target,
        allow_breaking=allow_breaking,
        lint={
            **lint_options(app, allow_unsafe),
            "ddl_timeouts": _timeouts(lock_timeout, statement_timeout, attempts),
        },
    )
    if app.settings.json:
        app.output.data(run.to_dict())
        return
    if not run.steps:
        app.output.success(f"already at {target}; nothing to do")
        return
    now = ", ".join(run.heads) or "base"
    app.output.success(
        f"upgraded {len(run.steps)} revision(s) in {run.seconds:.2f} s; now at {now}"
    )


@click.command()
@click.argument("target", default="head")
@allow_breaking_option
@allow_unsafe_option
@output_options
@pass_app
def plan(
    app: App, target: str, allow_breaking: tuple[str, ...], allow_unsafe: tuple[str, ...]
) -> None:
    """Show what 'db upgrade TARGET' would do, and whether the impact gate lets it; runs nothing.

    Lists the pending revisions, each operation with the service that owns the
    table it touches, the gate's findings and the lint findings. Exits 9 when
    the upgrade would be refused (by the gate, or by error-level lint findings
    on a database marked production): a CI job runs this before a deploy.

    \b
    Example:
      mindmirror db plan
      mindmirror db plan --json
    """
    from mindmirror_cli.actions import migrate
    from mindmirror_cli.errors import CliError

    options = lint_options(app, allow_unsafe)
    options["on_lint"] = lambda _report: None  # printed with the plan
    found = migrate.plan(app, target, allow_breaking=allow_breaking, lint=options)
    if app.settings.json:
        app.output.data(found.to_dict())
    else:
        _print_plan(app, found)
        if found.lint is not None:
            print_lint(app, found.lint)
    if found.lint is not None and not found.refused:
        from alembic_config import EnvironmentOptions
        from alembic_config.lint import enforce_report

        enforce_report(found.lint, EnvironmentOptions().replace(**options), "upgrade")
    if found.refused:
        services = sorted({s for f in found.refused for s in f.services})
        raise CliError(
            f"the upgrade would be refused: {len(found.refused)} operation(s) break "
            f"{', '.join(services)}; see the findings above",
            exit_code=ExitCode.UNSAFE,
        )


def _print_plan(app: App, found: object) -> None:
    from alembic_config import MigrationPlan, describe_operation

    assert isinstance(found, MigrationPlan)
    out = app.output
    out.result(f"database at {', '.join(found.current) or 'base'}; {len(found.steps)} pending")
    for step in found.steps:
        out.result(f"{step.revision}  {step.message}")
        if step.recorded is not None and step.recorded.error:
            out.result(f"  (not fully inspected: {step.recorded.error})", style="yellow")
        for operation in step.recorded.operations if step.recorded else ():
            touched = describe_operation(operation)
            owner = ", ".join(found.owners.get(touched.table or "", ())) or "-"
            out.result(f"  {touched.text}  [{owner}]" if touched.table else f"  {touched.text}")
    for finding in found.findings:
        style = "yellow" if finding.allowed else "red"
        out.result(
            ("allowed: " if finding.allowed else "REFUSED: ") + finding.describe(), style=style
        )
    if found.not_checked:
        out.result(f"not checked (not loaded): {', '.join(found.not_checked)}", style="yellow")
    if not found.findings:
        out.result("impact gate: nothing breaks another service", style="green")


def _offline_sql(app: App, direction: str, target: str) -> None:
    """The SQL of an upgrade or downgrade on stdout: as text, or inside the JSON document."""
    import io

    from mindmirror_cli.actions import migrate

    if not app.settings.json:
        migrate.offline_sql(app, direction, target, sys.stdout)
        return
    buffer = io.StringIO()
    migrate.offline_sql(app, direction, target, buffer)
    app.output.data({"direction": direction, "target": target, "sql": buffer.getvalue()})


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("target")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it (no connection).")
@yes_option
@ddl_timeout_options
@output_options
@pass_app
def downgrade(
    app: App,
    target: str,
    sql: bool,
    yes: bool,
    lock_timeout: float | None,
    statement_timeout: float | None,
    attempts: int | None,
) -> None:
    """Downgrade the database to TARGET (a revision, -1, or base). Asks first.

    \b
    Example:
      mindmirror db downgrade -1 --yes
    """
    from mindmirror_cli.actions import migrate

    if sql:
        _offline_sql(app, "downgrade", target)
        return
    confirm_destructive(app, f"downgrade to {target}", yes)
    app.output.info(f"downgrading {app.url.masked} to {target}")
    run = migrate.downgrade(
        app, target, ddl_timeouts=_timeouts(lock_timeout, statement_timeout, attempts)
    )
    if app.settings.json:
        app.output.data(run.to_dict())
        return
    now = ", ".join(run.heads) or "base"
    if not run.steps:
        app.output.success(f"already at {now}; nothing to revert")
        return
    app.output.success(
        f"reverted {len(run.steps)} revision(s) in {run.seconds:.2f} s; now at {now}"
    )


@click.command()
@click.argument("target")
@yes_option
@output_options
@pass_app
def stamp(app: App, target: str, yes: bool) -> None:
    """Record TARGET as the database's revision without running migrations. Asks first.

    \b
    Example:
      mindmirror db stamp head --yes
    """
    from mindmirror_cli.actions import migrate

    confirm_destructive(app, f"stamp {target}", yes)
    migrate.stamp(app, target)
    if app.settings.json:
        from mindmirror_cli.actions.revisions import read_position

        app.output.data({"stamped": target, **read_position(app).to_dict()})
        return
    app.output.success(f"stamped {target}")
