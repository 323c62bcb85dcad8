"""``mindmirror db lint``: judge revisions before they run on a busy shared database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import output_options, pass_app
from mindmirror_cli.errors import CheckFailed

F = TypeVar("F", bound=Callable[..., Any])


def print_lint(
    app: App, report: object, *, quiet_when_clean: bool = False, stderr: bool = False
) -> None:
    """Each finding with its rule, revision, operation, owner and fix; then a summary line.

    ``stderr``: beside another command's result (upgrade, revision), not as the result.
    """
    from alembic_config.lint import LintReport, Severity

    assert isinstance(report, LintReport)
    if quiet_when_clean and not report.findings:
        return
    out = _Lines(app, stderr)
    if report.database is not None:
        out.result(f"lint: {report.database}", style="yellow")
    for skipped in report.skipped:
        out.result(f"lint: not fully inspected: {skipped}", style="yellow")
    for finding in report.findings:
        if finding.allowed_by:
            style = "dim"
        else:
            style = "red" if finding.severity is Severity.ERROR else "yellow"
        out.result(finding.describe(), style=style)
    errors = len(report.errors)
    warnings = sum(1 for f in report.findings if f.severity is Severity.WARNING)
    allowed = sum(1 for f in report.findings if f.allowed_by)
    out.result(
        f"lint: {len(report.revisions)} revision(s), {errors} error(s), {warnings} "
        f"warning(s), {allowed} allowed",
        style="red" if errors else "green",
    )


class _Lines:
    """Writes to stdout (the result) or stderr (beside another result)."""

    def __init__(self, app: App, stderr: bool) -> None:
        self.app = app
        self.stderr = stderr

    def result(self, text: str, *, style: str | None = None) -> None:
        if self.stderr:
            self.app.output.info(text, style=style)
        else:
            self.app.output.result(text, style=style)


def allow_unsafe_option(function: F) -> F:
    """``--allow-unsafe RULE``: on a database marked production, accept this rule's errors."""
    return click.option(
        "--allow-unsafe",
        "allow_unsafe",
        multiple=True,
        metavar="RULE",
        help="On a database marked production, apply even with error-level findings of "
        "the lint rule RULE (repeatable; after review).",
    )(function)


def lint_options(app: App, allow_unsafe: tuple[str, ...]) -> dict[str, Any]:
    """The lint fields of the environment's options: production mark, overrides, printer."""
    options: dict[str, Any] = {
        "allow_unsafe": frozenset(allow_unsafe),
        "on_lint": lambda report: print_lint(app, report, quiet_when_clean=True, stderr=True),
    }
    if app.production:
        options["production"] = _production_mark(app)
    return options


def _production_mark(app: App) -> str:
    import os

    from alembic_config import PRODUCTION_NAMES

    if app.settings.env_name in PRODUCTION_NAMES:
        return f"--env {app.settings.env_name}"
    return f"MINDMIRROR_ENVIRONMENT={os.environ.get('MINDMIRROR_ENVIRONMENT', '').strip()}"


@click.command()
@click.argument("selection", metavar="[RANGE]", required=False)
@output_options
@pass_app
def lint(app: App, selection: str | None) -> None:
    """Lint the pending revisions (or RANGE) for operations that lock or break a shared database.

    RANGE is LOWER:UPPER (base, heads or revision ids; either side may be left
    out) or one revision. Each finding names its rule, the revision, the
    operation, the service owning the table, and the safe form. Exits 1 on an
    error-level finding not allowed. Allow a rule for one revision with a
    comment in its file ('# alembic-config: allow RULE -- why'), or for the
    project in alembic.ini ('[mindmirror]' 'lint_allow = RULE, ...').

    \b
    Example:
      mindmirror db lint
      mindmirror db lint base:heads --json
    """
    from mindmirror_cli.actions.lint import lint_revisions

    report = lint_revisions(app, selection)
    if app.settings.json:
        app.output.data(report.to_dict())
    else:
        print_lint(app, report)
    if report.errors:
        rules = sorted({f.rule for f in report.errors})
        raise CheckFailed(f"{len(report.errors)} error-level lint finding(s): {', '.join(rules)}")
