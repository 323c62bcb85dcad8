"""Merging several heads into one, with the id and message checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mindmirror_cli.actions.chatter import alembic_messages
from mindmirror_cli.actions.revision import validate_message
from mindmirror_cli.errors import BadInput

if TYPE_CHECKING:
    from mindmirror_cli.app import App


@dataclass(frozen=True)
class Merged:
    """The merge revision written, or nothing when there was nothing to merge."""

    merges: tuple[str, ...]
    revision: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "written": self.path is not None,
            "revision": self.revision,
            "path": self.path,
            "merges": list(self.merges),
        }


def merge(app: App, revisions: tuple[str, ...], message: str, rev_id: str | None) -> Merged:
    """Write a revision whose parents are ``revisions`` (``heads``: every head); runs nothing.

    With one head there is nothing to merge and nothing is written.
    """
    from alembic import command
    from alembic_config import validate_revision_id

    message = validate_message(message)
    script = app.script
    if rev_id is not None:
        validate_revision_id(rev_id)
        if rev_id in {s.revision for s in script.walk_revisions()}:
            raise BadInput(f"revision id {rev_id!r} already exists")
    parents = resolve_parents(app, revisions)
    if len(parents) < 2:
        return Merged(merges=parents)
    config = app.alembic_config(command="merge")
    with alembic_messages(app, config):
        written = command.merge(config, list(parents), message=message, rev_id=rev_id)
    if written is None:  # a revision_environment hook decided to write nothing
        return Merged(merges=parents)
    return Merged(merges=parents, revision=written.revision, path=str(written.path))


def resolve_parents(app: App, revisions: tuple[str, ...]) -> tuple[str, ...]:
    """The full ids ``revisions`` name (``heads`` for every head), unknown ids exit 7."""
    script = app.script
    found: list[str] = []
    for given in revisions:
        names = script.get_heads() if given == "heads" else [given]
        for name in names:
            revision = script.get_revision(name)
            if revision is not None and revision.revision not in found:
                found.append(revision.revision)
    return tuple(sorted(found))
