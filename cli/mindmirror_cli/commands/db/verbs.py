"""``mindmirror db merge``, ``heads``, ``current`` and ``show``: the everyday Alembic verbs."""

from __future__ import annotations

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.options import output_options, pass_app


@click.command()
@click.argument("revisions", nargs=-1)
@click.option(
    "-m", "--message", default="merge heads", show_default=True, help="What the merge joins."
)
@click.option("--rev-id", metavar="ID", help="Use this revision id (letters, digits, _).")
@output_options
@pass_app
def merge(app: App, revisions: tuple[str, ...], message: str, rev_id: str | None) -> None:
    """Join several heads in one revision (default: every head); runs no migration.

    The merge revision has no operations of its own: 'mindmirror db upgrade'
    then applies both branches and the merge. With a single head there is
    nothing to merge and nothing is written.

    \b
    Examples:
      mindmirror db merge -m "merge journal and agent branches"
      mindmirror db merge 1a2b3c 4d5e6f --rev-id 0007_merge
    """
    from mindmirror_cli.actions.merge import merge as merge_heads

    merged = merge_heads(app, revisions or ("heads",), message, rev_id)
    if app.settings.json:
        app.output.data(merged.to_dict())
    elif merged.path is None:
        app.output.success(f"nothing to merge: one head ({', '.join(merged.merges) or 'none'})")
    else:
        app.output.result(f"wrote {merged.path}")
        app.output.info(f"merges {', '.join(merged.merges)}; next: mindmirror db upgrade")


@click.command()
@output_options
@pass_app
def heads(app: App) -> None:
    """List the head revisions; more than one means a merge is due ('mindmirror db merge').

    \b
    Example:
      mindmirror db heads
    """
    from mindmirror_cli.actions.revisions import head_revisions

    found = head_revisions(app.script)
    if app.settings.json:
        app.output.data({"heads": [rev.to_dict() for rev in found]})
        return
    for rev in found:
        app.output.result(f"{rev.revision} (head): {rev.message}")
    if len(found) > 1:
        app.output.warn(f"{len(found)} heads: merge them with 'mindmirror db merge'")


@click.command()
@output_options
@pass_app
def current(app: App) -> None:
    """Show the revision(s) the database is at, and whether that is head.

    \b
    Example:
      mindmirror db current
    """
    from mindmirror_cli.actions.revisions import read_position

    position = read_position(app)
    if app.settings.json:
        app.output.data(position.to_dict())
        return
    if not position.current:
        app.output.result("base (no revision applied)")
    for rev in position.current:
        app.output.result(f"{rev}{' (head)' if rev in position.heads else ''}")


@click.command()
@click.argument("revision")
@output_options
@pass_app
def show(app: App, revision: str) -> None:
    """Show one revision: id, parents, children, file and message (head, a prefix, an id).

    \b
    Examples:
      mindmirror db show head
      mindmirror db show 0001
    """
    from mindmirror_cli.actions.revisions import describe_revision

    shown = describe_revision(app.script, revision)
    if app.settings.json:
        app.output.data(shown.to_dict())
        return
    marks = [m for m, on in (("head", shown.is_head), ("merge", shown.is_merge)) if on]
    suffix = f" ({', '.join(marks)})" if marks else ""
    out = app.output
    out.result(f"revision:  {shown.revision}{suffix}")
    out.result(f"parents:   {', '.join(shown.down_revisions) or '<base>'}")
    out.result(f"children:  {', '.join(shown.next_revisions) or '-'}")
    out.result(f"path:      {shown.path}")
    out.result(f"message:   {shown.message}")


VERBS = [merge, heads, current, show]
