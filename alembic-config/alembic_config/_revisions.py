"""Checks on the database's place in the revision graph."""

from __future__ import annotations

from collections.abc import Iterable

from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError

from alembic_config._errors import UnknownRevisionError


def require_known_revisions(script: ScriptDirectory, current: Iterable[str]) -> None:
    """Refuse a database stamped with a revision that no revision script defines.

    Alembic would fail later with a bare lookup error; this names the revision
    and the folders searched, before anything runs.
    """
    current = tuple(current)
    if "" in current:
        raise UnknownRevisionError(
            "the version table holds an empty revision id: delete that row by hand, then "
            "record the revision the schema matches (alembic stamp / mindmirror db stamp)",
            revisions=current,
        )
    unknown = []
    for revision in current:
        try:
            script.revision_map.get_revision(revision)
        except ResolutionError:
            unknown.append(revision)
    if unknown:
        folders = ", ".join(str(p) for p in script.version_locations or [f"{script.dir}/versions"])
        raise UnknownRevisionError(
            f"the database is at revision {', '.join(unknown)}, which no revision script "
            f"defines (looked in {folders}): restore the missing revision file, or add its "
            "folder to version_locations",
            revisions=tuple(unknown),
        )
