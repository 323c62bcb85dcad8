"""``mindmirror models erd``: the merged schema as an ER diagram, grouped by service."""

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


@click.command()
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME",
    help="Only this service's tables, plus (greyed) the tables they reference (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DIAGRAM_FORMATS),
    default="mermaid",
    show_default=True,
    help="Mermaid or DOT text, or an SVG or PNG image drawn by Graphviz's dot.",
)
@diagram_file_option("Write to FILE (required for svg and png) instead of stdout.")
@output_options
@pass_app
def erd(app: App, services: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """Draw every table with its columns, grouped and coloured by the service that owns it.

    Exits 3 after drawing when a service failed to load (its tables are missing).
    Under --json the diagram's source (or the file written) is inside the document.

    Foreign keys are arrows from the referencing table; those that cross
    services are dashed and orange, and tables the services define differently
    are marked CONFLICT in red. Mermaid is for a README or a pull request; svg
    and png need Graphviz (apt-get install graphviz, brew install graphviz).

    \b
    Examples:
      mindmirror models erd > schema.mmd
      mindmirror models erd --service journal --format svg -o journal.svg
    """
    from mindmirror_cli.commands.models import fail_if_incomplete
    from mindmirror_cli.diagrams import (
        build_erd,
        check_destination,
        deliver,
        erd_dot,
        erd_mermaid,
        limits_exceeded,
    )

    check_destination(fmt, output, option="--format")
    catalog = app.catalog
    for failure in catalog.failures:
        app.output.warn(f"service {failure.name} did not load; its tables are missing")
    diagram = build_erd(catalog, services)
    if fmt == "mermaid":
        source = erd_mermaid(diagram)
        too_big = limits_exceeded(source, diagram)
        if too_big:
            app.output.warn(
                f"the diagram has {too_big}: narrow it with --service, or draw --format svg"
            )
    else:
        source = erd_dot(diagram)
    if app.settings.json:
        facts = {"title": diagram.title, "tables": len(diagram.entities)}
        deliver_json(app, fmt, source, output, facts)
    else:
        deliver(fmt, source, output)
        if output is not None:
            app.output.success(f"wrote {output}: {diagram.title}")
    fail_if_incomplete(app)
