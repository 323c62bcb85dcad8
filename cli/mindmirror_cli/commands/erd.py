"""``mindmirror models erd``: the merged schema as an ER diagram, grouped by service."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import (
    DIAGRAM_FORMATS,
    deliver_json,
    diagram_file_option,
    output_options,
    pass_app,
)
from mindmirror_cli.errors import BadInput

if TYPE_CHECKING:
    from mindmirror_cli.diagrams import Erd


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
@click.option(
    "--columns",
    type=click.Choice(("auto", "all", "keys")),
    default="auto",
    show_default=True,
    help="Which columns each table lists: all, only the keys (primary and foreign), or "
    "auto: the keys only of tables wider than 8 columns when the diagram has more than 12 tables.",
)
@diagram_file_option("Write to FILE (required for svg and png) instead of stdout.")
@click.option(
    "--update",
    "markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Rewrite the Mermaid diagram between the 'mindmirror models erd: begin/end' "
    "markers of the Markdown FILE (README.md, say) instead of printing it.",
)
@output_options
@pass_app
def erd(
    app: App,
    services: tuple[str, ...],
    fmt: str,
    columns: str,
    output: Path | None,
    markdown: Path | None,
) -> None:
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
      mindmirror models erd --update README.md
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

    if markdown is not None and (fmt != "mermaid" or output is not None):
        raise BadInput("--update writes Mermaid into a Markdown file: drop --format and -o")
    check_destination(fmt, output, option="--format")
    catalog = app.catalog
    for failure in catalog.failures:
        app.output.warn(f"service {failure.name} did not load; its tables are missing")
    diagram = build_erd(catalog, services, columns)
    if fmt == "mermaid":
        source = erd_mermaid(diagram)
        too_big = limits_exceeded(source, diagram)
        if too_big:
            app.output.warn(
                f"the diagram has {too_big}: narrow it with --service, or draw --format svg"
            )
    else:
        source = erd_dot(diagram)
    if markdown is not None:
        _update(app, markdown, source, diagram)
    elif app.settings.json:
        facts = {"title": diagram.title, "tables": len(diagram.entities)}
        deliver_json(app, fmt, source, output, facts)
    else:
        deliver(fmt, source, output)
        if output is not None:
            app.output.success(f"wrote {output}: {diagram.title}")
    fail_if_incomplete(app)


def _update(app: App, markdown: Path, mermaid: str, diagram: Erd) -> None:
    from mindmirror_cli.diagrams.embed import embed

    done = embed(markdown, mermaid)
    if app.settings.json:
        app.output.data(
            {
                "format": "mermaid",
                "path": str(markdown),
                "source": None,
                "title": diagram.title,
                "tables": len(diagram.entities),
                "updated": done.changed,
            }
        )
        return
    where = markdown if done.blocks == 1 else f"{done.blocks} diagrams in {markdown}"
    if done.changed:
        app.output.success(f"updated {where}: {diagram.title}")
    else:
        app.output.info(f"{where} already up to date: {diagram.title}")
