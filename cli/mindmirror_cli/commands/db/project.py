"""``mindmirror db``: setting a project up: its ini file and its first revision."""

from __future__ import annotations

from pathlib import Path

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import (
    output_options,
    pass_app,
)
from mindmirror_cli.words import plural


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option(
    "--local-versions",
    metavar="FOLDER",
    help="The folder of this project's own revisions, inside the project [default: migrations].",
)
@click.option(
    "--extend-shipped",
    is_flag=True,
    help="Continue the history shipped in alembic_config: its revisions, then this project's.",
)
@click.option(
    "--shipped-only",
    is_flag=True,
    help="Only deploy the history shipped in alembic_config; keep no revisions of this project.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@output_options
@pass_app
def init(
    app: App,
    folder: Path,
    local_versions: str | None,
    extend_shipped: bool,
    shipped_only: bool,
    force: bool,
) -> None:
    """Set up FOLDER: an alembic.ini using alembic_config:, a .env.example, a versions folder.

    The project gets a history of its own: its revisions live in its own folder
    (migrations/ unless --local-versions names another), start from an empty
    database and never include the revisions shipped inside alembic_config,
    unless --extend-shipped asks to continue those. --shipped-only deploys the
    shipped history alone (alembic-config's own monorepo, installed from wheels).
    No database URL is ever written: put it in DATABASE_URL or .env.

    \b
    Examples:
      mindmirror db init
      mindmirror db init --local-versions db/revisions
      mindmirror db init --extend-shipped
    """
    from mindmirror_cli.actions.init_project import choose_history, init_project

    history = choose_history(extend_shipped=extend_shipped, shipped_only=shipped_only)
    result = init_project(folder, history=history, local_versions=local_versions, force=force)
    if app.settings.json:
        app.output.data(result.to_dict())
        return
    for path in result.written:
        app.output.result(f"wrote {path}")
    app.output.info(f"next: {_init_next_step(app)}")


def _init_next_step(app: App) -> str:
    """What to do after ``db init``: set the database first unless it is already set."""
    import os

    app.load_environment()
    if app.settings.database_url or os.environ.get("DATABASE_URL", "").strip():
        return "DATABASE_URL is set; run 'mindmirror db upgrade'"
    return "copy .env.example to .env, set DATABASE_URL, run 'mindmirror db upgrade'"


@click.command("generate-initial-migration")
@click.option("-m", "--message", default="initial schema", show_default=True)
@click.option("--rev-id", metavar="ID", help="Use this revision id.")
@output_options
@pass_app
def generate_initial_migration(app: App, message: str, rev_id: str | None) -> None:
    """Autogenerate the first revision from all services into an empty scratch database.

    The scratch database is created next to the target (a temporary file for
    SQLite) and dropped afterwards; the target is not touched.

    \b
    Example:
      mindmirror --env local db generate-initial-migration --rev-id 0001_initial
    """
    from mindmirror_cli.actions.initial import generate_initial

    made = generate_initial(app, message, rev_id=rev_id)
    if app.settings.json:
        app.output.data(made.to_dict())
        return
    for _revision, path in made.chain:  # several when too big for one transaction
        app.output.result(f"wrote {path}")
    for service, tables in sorted(made.tables.items()):
        app.output.result(f"  {service}: {plural(len(tables), 'table')}")
