"""``mindmirror db``: repairing a database left between revisions, or accepting edited revisions."""

from __future__ import annotations

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import (
    confirm_destructive,
    output_options,
    pass_app,
    yes_option,
)
from mindmirror_cli.errors import BadInput


@click.command()
@click.option("--stamp", "stamp_revision", metavar="REVISION", help="Then record REVISION.")
@click.option(
    "--accept-checksum",
    "accept",
    multiple=True,
    metavar="REVISION",
    help="Accept the reviewed edit of an applied revision: record its checksum again.",
)
@yes_option
@output_options
@pass_app
def repair(app: App, stamp_revision: str | None, accept: tuple[str, ...], yes: bool) -> None:
    """Clear a partial-state marker, or accept the reviewed edit of an applied revision.

    A revision interrupted on MySQL or MariaDB may be half applied: every
    command refuses (exit 6) until you finish or undo it by hand, then run this.
    An applied revision whose file was edited since it ran blocks upgrades
    (exit 7) until the file is restored or the edit accepted here.

    \b
    Example:
      mindmirror db repair --stamp 0002_add_moods --yes
      mindmirror db repair --accept-checksum 0002_add_moods --yes
    """
    from alembic_config import clear_partial_state, read_partial_state

    from mindmirror_cli.actions import migrate
    from mindmirror_cli.actions.revisions import connection

    if accept:
        _accept_checksums(app, accept, yes)
        return

    with connection(app) as conn:
        state = read_partial_state(conn, *app.version_table)
    if state is None:
        if app.settings.json:
            app.output.data({"partial_state": None, "cleared": False})
        else:
            app.output.success("no partial state: nothing to repair")
        return
    app.output.warn(f"the database is in a partial state: {state.describe()}")
    confirm_destructive(app, f"clear the marker of revision {state.revision}", yes)
    with connection(app) as conn:
        clear_partial_state(conn, *app.version_table)
        conn.commit()
    if stamp_revision:
        migrate.stamp(app, stamp_revision)
    if app.settings.json:
        app.output.data(
            {"partial_state": state.to_dict(), "cleared": True, "stamped": stamp_revision}
        )
        return
    app.output.success(f"marker of revision {state.revision} cleared")
    if stamp_revision:
        app.output.success(f"stamped {stamp_revision}")


def _accept_checksums(app: App, revisions: tuple[str, ...], yes: bool) -> None:
    from alembic_config import find_mismatches, record_checksums

    from mindmirror_cli.actions.revisions import connection, read_current

    with connection(app) as conn:
        _, current = read_current(conn, app.version_table)
        edited = {
            m.revision: m for m in find_mismatches(conn, app.script, current, *app.version_table)
        }
    unknown = [rev for rev in revisions if rev not in edited]
    if unknown:
        raise BadInput(
            f"no applied revision {', '.join(unknown)} differs from its recorded checksum; "
            f"edited revisions: {', '.join(sorted(edited)) or 'none'}"
        )
    confirm_destructive(app, f"accept the edited revision(s) {', '.join(revisions)}", yes)
    with connection(app) as conn:
        record_checksums(
            conn, [app.script.get_revision(rev) for rev in revisions], *app.version_table
        )
        conn.commit()
    if app.settings.json:
        app.output.data({"accepted": [edited[rev].to_dict() for rev in revisions]})
        return
    for rev in revisions:
        app.output.success(f"accepted the edit of revision {rev}: its checksum is recorded again")
