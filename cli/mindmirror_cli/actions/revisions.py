"""The revision graph and the database's place in it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.engine import Connection

    from mindmirror_cli.app import App

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class RevisionInfo:
    """One revision script, as the commands show it."""

    revision: str
    down_revisions: tuple[str, ...]
    message: str
    path: str
    is_head: bool
    is_merge: bool
    is_branch_point: bool

    @classmethod
    def of(cls, script: Script) -> RevisionInfo:
        """Describe an Alembic :class:`~alembic.script.Script`."""
        down = script.down_revision
        downs = (down,) if isinstance(down, str) else tuple(down or ())
        return cls(
            revision=script.revision,
            down_revisions=downs,
            message=(script.doc or "").strip(),
            path=str(script.path),
            is_head=script.is_head,
            is_merge=script.is_merge_point,
            is_branch_point=script.is_branch_point,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "revision": self.revision,
            "down_revisions": list(self.down_revisions),
            "message": self.message,
            "path": self.path,
            "is_head": self.is_head,
            "is_merge": self.is_merge,
            "is_branch_point": self.is_branch_point,
        }


@contextmanager
def connection(app: App) -> Iterator[Connection]:
    """A connection to the resolved database (unreachable → exit 4, password masked)."""
    from alembic_config import MigrationEnvironment

    with MigrationEnvironment(app.alembic_config()).connect() as conn:
        yield conn


def read_current(
    conn: Connection, version_table: tuple[str, str | None] = (VERSION_TABLE, None)
) -> tuple[bool, tuple[str, ...]]:
    """Whether the version table exists, and the revisions it holds; creates nothing."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    table, schema = version_table
    present = inspect(conn).has_table(table, schema=schema)
    if not present:
        return False, ()
    context = MigrationContext.configure(
        conn, opts={"version_table": table, "version_table_schema": schema}
    )
    return True, tuple(sorted(context.get_current_heads()))


def ancestors(script: ScriptDirectory, revisions: Iterable[str]) -> set[str]:
    """The given revisions and all that they depend on (unknown ids raise, exit 7)."""
    found: set[str] = set()
    for revision in revisions:
        for rev in script.iterate_revisions(revision, "base"):
            found.add(rev.revision)
    return found


def pending(script: ScriptDirectory, current: Iterable[str]) -> list[RevisionInfo]:
    """Revisions not yet applied, in the order an upgrade to heads applies them."""
    from alembic_config import require_known_revisions

    current = tuple(current)
    require_known_revisions(script, current)
    wanted = ancestors(script, script.get_heads()) - ancestors(script, current)
    ordered = reversed(list(script.walk_revisions()))
    return [RevisionInfo.of(s) for s in ordered if s.revision in wanted]


def all_revisions(script: ScriptDirectory) -> list[RevisionInfo]:
    """Every revision, newest first."""
    return [RevisionInfo.of(s) for s in script.walk_revisions()]
