"""``mindmirror models``: what the services define, and where they disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.erd import erd
from mindmirror_cli.commands.options import output_options, pass_app
from mindmirror_cli.errors import CliError
from mindmirror_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from mindmirror_cli.actions.catalog import CrossServiceKey


@click.group()
def models() -> None:
    """Inspect the services' models: services, tables, conflicts, cross-service keys.

    \b
    Example:
      mindmirror models list
    """


@models.command("list")
@output_options
@pass_app
def list_services(app: App) -> None:
    """List the services: distribution, version, table count, and failures.

    \b
    Example:
      mindmirror models list --json
    """
    catalog = app.catalog
    if app.settings.json:
        app.output.data(
            {
                "services": [s.to_dict() for s in catalog.services],
                "failures": [f.to_dict() for f in catalog.failures],
                "excluded": list(catalog.excluded),
            }
        )
        fail_if_incomplete(app)
        return
    rows = [
        (s.name, s.distribution, s.version, str(len(s.tables or ())), "ok")
        for s in catalog.services
    ]
    rows += [
        (f.name, f.distribution, f.version, "-", f"FAILED: {f.error}") for f in catalog.failures
    ]
    rows += [(name, "-", "-", "-", "excluded") for name in catalog.excluded]
    app.output.table(["service", "distribution", "version", "tables", "state"], sorted(rows))
    fail_if_incomplete(app)


@models.command()
@click.option("--service", "services", multiple=True, metavar="NAME", help="Only these services.")
@output_options
@pass_app
def tables(app: App, services: tuple[str, ...]) -> None:
    """List every table with the service(s) that own it.

    \b
    Example:
      mindmirror models tables --service journal
    """
    from mindmirror_cli.actions.catalog import require_selected

    catalog = app.catalog
    wanted = set(services)
    require_selected(catalog, services)
    _warn_incomplete(app)
    owners = {
        table: list(by)
        for table, by in sorted(catalog.owners.items())
        if not wanted or wanted & set(by)
    }
    if app.settings.json:
        app.output.data({"tables": owners, "failures": _failures(app)})
    else:
        app.output.table(["table", "service"], [(t, ", ".join(by)) for t, by in owners.items()])
    fail_if_incomplete(app)


@models.command()
@output_options
@pass_app
def conflicts(app: App) -> None:
    """Show every conflict between services, with the full difference; exit 3 when any.

    \b
    Example:
      mindmirror models conflicts
    """
    found = app.catalog.conflicts
    _warn_incomplete(app)
    if app.settings.json:
        app.output.data({"conflicts": [c.to_dict() for c in found], "failures": _failures(app)})
    elif not found:
        app.output.success("no conflicts")
    else:
        for conflict in found:
            app.output.result(conflict.describe())
    if found:
        raise CliError(
            f"{len(found)} conflict(s) between services", exit_code=ExitCode.CONFIGURATION
        )
    fail_if_incomplete(app)


@models.command()
@output_options
@pass_app
def fks(app: App) -> None:
    """List the foreign keys that cross from one service's table to another's.

    \b
    Example:
      mindmirror models fks
    """
    from mindmirror_cli.actions.catalog import cross_service_keys

    found = cross_service_keys(app.catalog)
    _warn_incomplete(app)
    if app.settings.json:
        app.output.data({"foreign_keys": [k.to_dict() for k in found], "failures": _failures(app)})
    elif not found:
        app.output.success("no foreign key crosses from one service to another")
    else:
        _print_keys(app, found)
    fail_if_incomplete(app)


def _print_keys(app: App, found: list[CrossServiceKey]) -> None:
    from mindmirror_cli.actions.catalog import NOT_LOADED

    rows = [
        (
            f"{key.table}.{key.column}",
            ", ".join(key.services),
            key.references,
            ", ".join(key.referenced_services) or NOT_LOADED,
            key.ondelete or "-",
        )
        for key in found
    ]
    app.output.table(["table.column", "service", "references", "owned by", "on delete"], rows)


def fail_if_incomplete(app: App) -> None:
    """Exit 3 after the result when a service failed to load: the answer lacks its tables."""
    names = [failure.name for failure in app.catalog.failures]
    if not names:
        return
    one = len(names) == 1
    excludes = " ".join(f"--exclude {name}" for name in names)
    raise CliError(
        f"the result is incomplete: {'service' if one else 'services'} {', '.join(names)} "
        f"failed to load (fix {'it' if one else 'them'}, or leave {'it' if one else 'them'} "
        f"out with {excludes})",
        exit_code=ExitCode.CONFIGURATION,
    )


def _warn_incomplete(app: App) -> None:
    from mindmirror_cli.actions.catalog import incomplete_warnings

    for warning in incomplete_warnings(app.catalog):
        app.output.warn(warning)


def _failures(app: App) -> list[dict[str, str]]:
    return [failure.to_dict() for failure in app.catalog.failures]


models.add_command(erd)
