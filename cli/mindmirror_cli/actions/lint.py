"""``db lint``: the lint findings of the pending revisions, or of a range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mindmirror_cli.actions.revisions import connection, read_current

if TYPE_CHECKING:
    from alembic_config import Catalog
    from alembic_config.lint import LintReport

    from mindmirror_cli.app import App


def _catalog(app: App) -> Catalog | None:
    """The services' models, for owners and the gate; ``None`` when none can be loaded."""
    from alembic_config import AlembicConfigError

    try:
        return app.catalog
    except AlembicConfigError:
        return None


def lint_revisions(app: App, selection: str | None) -> LintReport:
    """Lint ``selection`` (``LOWER:UPPER`` or one revision; ``None``: the pending ones).

    The database is asked when reachable (current revision, which tables exist,
    their row estimates); when it is not, every table is assumed to exist, and
    without a range every revision is linted. Pending revisions are judged as
    they will run, one after the other; a range's each as deployed on its own.
    """
    from alembic_config import DatabaseConnectionError, read_owners
    from alembic_config.lint import lint_scripts, select_scripts

    script = app.script
    catalog = _catalog(app)
    try:
        with connection(app) as conn:
            present, current = read_current(conn, app.version_table)
            table, schema = app.version_table
            recorded = {k: o.services for k, o in read_owners(conn, table, schema).items()}
            conn.commit()
            return lint_scripts(
                select_scripts(script, selection, current if present else ()),
                dialect=conn.dialect,
                config=app.config,
                connection=conn,
                catalog=catalog,
                recorded_owners=recorded,
                chained=selection is None,
            )
    except DatabaseConnectionError as exc:
        what = "every revision linted" if selection is None else "the range linted"
        return lint_scripts(
            select_scripts(script, selection, None),
            dialect=app.url.url.get_dialect()(),
            config=app.config,
            unreachable=f"database not reachable ({exc.reason}); {what}",
            catalog=catalog,
        )
