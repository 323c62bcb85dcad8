"""``mindmirror models``: what the services define, and where they disagree."""

from __future__ import annotations

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import json_option, pass_app
from mindmirror_cli.errors import CliError
from mindmirror_cli.exit_codes import ExitCode


@click.group()
def models() -> None:
    """Inspect the services' models: services, tables, conflicts, cross-service keys.

    \b
    Example:
      mindmirror models list
    """


@models.command("list")
@json_option
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
        return
    rows = [(s.name, s.distribution, s.version, str(len(s.tables)), "ok") for s in catalog.services]
    rows += [
        (f.name, f.distribution, f.version, "-", f"FAILED: {f.error}") for f in catalog.failures
    ]
    rows += [(name, "-", "-", "-", "excluded") for name in catalog.excluded]
    app.output.table(["service", "distribution", "version", "tables", "state"], sorted(rows))


@models.command()
@click.option("--service", "services", multiple=True, metavar="NAME", help="Only these services.")
@json_option
@pass_app
def tables(app: App, services: tuple[str, ...]) -> None:
    """List every table with the service(s) that own it.

    \b
    Example:
      mindmirror models tables --service journal
    """
    catalog = app.catalog
    wanted = set(services)
    for name in services:
        catalog.tables_of(name)
    owners = {
        table: list(by)
        for table, by in sorted(catalog.owners.items())
        if not wanted or wanted & set(by)
    }
    if app.settings.json:
        app.output.data({"tables": owners})
        return
    app.output.table(["table", "service"], [(t, ", ".join(by)) for t, by in owners.items()])


@models.command()
@json_option
@pass_app
def conflicts(app: App) -> None:
    """Show every conflict between services, with the full difference; exit 3 when any.

    \b
    Example:
      mindmirror models conflicts
    """
    found = app.catalog.conflicts
    if app.settings.json:
        app.output.data({"conflicts": [c.to_dict() for c in found]})
    elif not found:
        app.output.success("no conflicts")
    else:
        for conflict in found:
            app.output.result(conflict.describe())
    if found:
        raise CliError(
            f"{len(found)} conflict(s) between services", exit_code=ExitCode.CONFIGURATION
        )


@models.command()
@json_option
@pass_app
def fks(app: App) -> None:
    """List the foreign keys that cross from one service's table to another's.

    \b
    Example:
      mindmirror models fks
    """
    catalog = app.catalog
    found = []
    for key, table in sorted(catalog.metadata.tables.items()):
        source = catalog.owners.get(key, ())
        for fk in sorted(table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            target_key = fk.column.table.key
            target = catalog.owners.get(target_key, ())
            if set(source) & set(target):
                continue
            found.append(
                {
                    "table": key,
                    "column": fk.parent.name,
                    "service": ", ".join(source),
                    "references": fk.target_fullname,
                    "referenced_service": ", ".join(target),
                    "ondelete": fk.ondelete,
                }
            )
    if app.settings.json:
        app.output.data({"foreign_keys": found})
        return
    app.output.table(
        ["table.column", "service", "references", "service ", "on delete"],
        [
            (f"{f['table']}.{f['column']}", f["service"], f["references"], f["referenced_service"],
             f["ondelete"] or "-")
            for f in found
        ],
    )  # fmt: skip
