"""``mindmirror db``: where the database stands: status, history, health and the doctor's facts."""

from __future__ import annotations

from pathlib import Path

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import (
    DIAGRAM_FORMATS,
    deliver_json,
    diagram_file_option,
    output_options,
    pass_app,
)
from mindmirror_cli.errors import BadInput, CheckFailed, RevisionGraphError
from mindmirror_cli.exit_codes import ExitCode
from mindmirror_cli.words import plural


@click.command()
@click.option(
    "--by-service", is_flag=True, help="Load the models: tables and failures per service."
)
@click.option("--check", is_flag=True, help="Exit 1 when the database is not at head.")
@output_options
@pass_app
def status(app: App, by_service: bool, check: bool) -> None:
    """Show the current revision, the heads, pending revisions and the services.

    \b
    Example:
      mindmirror db status --by-service
    """
    from mindmirror_cli.actions.status import read_status

    state = read_status(app, by_service=by_service)
    if app.settings.json:
        app.output.data(state.to_dict())
    else:
        _print_status(app, state)
    if check and len(state.heads) > 1:
        raise RevisionGraphError(
            f"{len(state.heads)} heads ({', '.join(state.heads)}): the database cannot be at "
            "head until they are merged (mindmirror db merge)"
        )
    if check and state.edited:
        raise RevisionGraphError(
            f"{len(state.edited)} applied revision(s) edited since they ran: "
            f"{', '.join(m.revision for m in state.edited)} (see 'mindmirror db status')"
        )
    if check and not state.at_head:
        raise CheckFailed(
            f"database is not at head: at {', '.join(state.current) or 'base'}, "
            f"{len(state.pending)} pending revision(s)"
        )


def _print_status(app: App, state: object) -> None:
    from mindmirror_cli.actions.status import Status

    assert isinstance(state, Status)
    out = app.output
    out.result(f"database:  {state.database}")
    out.result(f"current:   {', '.join(state.current) or '(none: version table absent or empty)'}")
    out.result(f"heads:     {', '.join(state.heads) or '(no revisions)'}")
    verdict = "yes" if state.at_head else f"no, {len(state.pending)} pending"
    out.result(f"at head:   {verdict}", style="green" if state.at_head else "yellow")
    for rev in state.pending:
        out.result(f"  pending  {rev.revision}  {rev.message}")
    for mismatch in state.edited:
        out.result(f"edited:    {mismatch.describe()}", style="red")
        out.result(
            f"           restore the file, or accept the edit after review: "
            f"mindmirror db repair --accept-checksum {mismatch.revision} --yes",
            style="red",
        )
    out.result("services:")
    width = max((len(service.name) for service in state.services), default=0)
    origins = {s.name: f"({s.distribution} {s.version})" for s in state.services}
    origin_width = max((len(origin) for origin in origins.values()), default=0)
    for service in state.services:
        line = f"  {service.name:<{width}}  {origins[service.name]:<{origin_width}}"
        if service.error:
            out.result(f"{line}  FAILED: {service.error}", style="red")
        elif service.tables is not None:
            tables = plural(len(service.tables), "table")
            out.result(f"{line}  {tables}: {', '.join(service.tables)}")
        else:
            out.result(line.rstrip())
    if state.conflicts:
        out.result(f"conflicts: {state.conflicts} (see 'mindmirror models conflicts')", style="red")


@click.command()
@click.option(
    "--graph",
    type=click.Choice(DIAGRAM_FORMATS),
    help="Draw the revision graph: Mermaid or DOT text, or an SVG or PNG image (Graphviz).",
)
@diagram_file_option("Write the graph to FILE (required for svg and png) instead of stdout.")
@click.option("--no-db", is_flag=True, help="Do not read the database's current revision.")
@output_options
@pass_app
def history(app: App, graph: str | None, output: Path | None, no_db: bool) -> None:
    """List the revisions, newest first, marking heads and the database's current revision.

    \b
    Example:
      mindmirror db history --graph mermaid
      mindmirror db history --graph svg -o revisions.svg
    """
    from mindmirror_cli.actions import graph as graphs
    from mindmirror_cli.actions.revisions import all_revisions, connection, read_current
    from mindmirror_cli.diagrams import check_destination, deliver

    if output is not None and graph is None:
        raise BadInput("-o/--output only applies with --graph")
    if graph is not None:
        check_destination(graph, output, option="--graph")
    revisions = all_revisions(app.script)
    current: tuple[str, ...] = ()
    if not no_db:
        try:
            with connection(app) as conn:
                _, current = read_current(conn, app.version_table)
        except Exception as exc:
            from alembic_config import DatabaseConnectionError

            from mindmirror_cli.errors import caused_by

            unreachable = caused_by(exc, DatabaseConnectionError)
            if unreachable is None:
                raise
            app.output.warn(f"current revision unknown: {app.redact(str(unreachable))}")
    missing = sorted(set(current) - {rev.revision for rev in revisions})
    if missing:
        app.output.warn(
            f"the database is at {', '.join(missing)}, which no revision script defines"
        )
    if graph is not None:
        render = graphs.mermaid if graph == "mermaid" else graphs.dot
        source = render(revisions, current)
        counted = plural(len(revisions), "revision")
        if app.settings.json:
            deliver_json(app, graph, source, output, {"revisions": len(revisions)})
            return
        deliver(graph, source, output)
        if output is not None:
            app.output.success(f"wrote {output}: {counted}")
    elif app.settings.json:
        app.output.data({"current": list(current), "revisions": [r.to_dict() for r in revisions]})
    else:
        for rev in revisions:
            marks = [
                m for m, on in (("head", rev.is_head), ("current", rev.revision in current)) if on
            ]
            down = ", ".join(rev.down_revisions) or "<base>"
            suffix = f" ({', '.join(marks)})" if marks else ""
            app.output.result(f"{down} -> {rev.revision}{suffix}: {rev.message}")


@click.command()
@output_options
@pass_app
def health(app: App) -> None:
    """One report: database reachable, version table, single head, at head, services, conflicts.

    Exits with the code of the most fundamental failure (4, 6, 7, 3, then 1).

    \b
    Example:
      mindmirror db health --json
    """
    from mindmirror_cli.actions.health import run_health

    report = run_health(app)
    if app.settings.json:
        app.output.data(report.to_dict())
    else:
        app.output.result(f"database: {report.database}")
        for item in report.checks:
            mark, style = ("ok  ", "green") if item.ok else ("FAIL", "red")
            app.output.result(f"  {mark} {item.name}: {item.detail}", style=style)
    if report.exit_code != ExitCode.OK:
        raise click.exceptions.Exit(int(report.exit_code))


@click.command()
@output_options
@pass_app
def doctor(app: App) -> None:
    """Show where everything was resolved from (ini, scripts, packages, entry points, URL).

    \b
    Example:
      mindmirror doctor
    """
    from mindmirror_cli.actions.doctor import diagnose

    diagnosis = diagnose(app)
    if app.settings.json:
        app.output.data(diagnosis.to_dict())
        return
    facts = diagnosis.facts
    dist = facts["alembic_config"]
    out = app.output
    out.result(f"ini file:           {facts['ini_file']}")
    out.result(f"env files read:     {', '.join(facts['env_files']) or 'none'}")
    out.result(f"script location:    {facts['script_location']}")
    out.result(f"version locations:  {', '.join(facts['version_locations'])}")
    if dist.get("installed"):
        kind = "editable" if dist["editable"] else "installed"
        out.result(f"alembic-config:     {dist['version']} ({kind}, {dist['location']})")
    else:
        out.result("alembic-config:     not installed")
    out.result(f"alembic:            {facts['alembic']}")
    out.result(f"sqlalchemy:         {facts['sqlalchemy']}")
    out.result(f"database url:       {facts['database_url']} (from {facts['database_url_source']})")
    out.result(f"migration lock:     wait at most {facts['migration_lock_timeout']:g} s")
    out.result(f"ddl timeouts:       {facts['ddl_timeouts']['description']}")
    selection = facts["service_selection"]
    chosen = [f"{key}={selection[key]}" for key in selection if key.isupper() and selection[key]]
    chosen += [f"--exclude {name}" for name in selection["--exclude"]]
    out.result(f"services selected:  {'; '.join(chosen) or 'all installed'}")
    out.result("entry points (alembic_config.metadata):")
    for ep in diagnosis.entry_points:
        line = f"  {ep['name']} -> {ep['distribution']}@{ep['version']} -> {ep['object']}"
        out.result(line + (f"  ERROR: {ep['error']}" if "error" in ep else ""))
    out.result(f"stale metadata:     {'' if diagnosis.stale else 'none'}")
    for item in diagnosis.stale:
        out.result(f"  {item['distribution']}: {'; '.join(item['differences'])}", style="yellow")
        out.result(f"    refresh with: {item['command']}", style="yellow")
