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
    next_revisions: tuple[str, ...] = ()

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
            next_revisions=tuple(sorted(script.nextrev)),
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
            "next_revisions": list(self.next_revisions),
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


def head_revisions(script: ScriptDirectory) -> list[RevisionInfo]:
    """Every head revision, sorted by id."""
    return [RevisionInfo.of(script.get_revision(head)) for head in sorted(script.get_heads())]


def describe_revision(script: ScriptDirectory, name: str) -> RevisionInfo:
    """The revision ``name`` designates: an id, a unique prefix, ``head`` (one head only)."""
    from mindmirror_cli.errors import RevisionGraphError

    found = script.get_revision(name)
    if found is None:  # 'base'
        raise RevisionGraphError(f"{name!r} names no revision script")
    return RevisionInfo.of(found)


@dataclass(frozen=True)
class Position:
    """Where the database is in the revision graph."""

    database: str
    version_table: bool
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        """True when the database is at every head (and there is at least one revision)."""
        return bool(self.heads) and set(self.current) == set(self.heads)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "database": self.database,
            "version_table": self.version_table,
            "current": list(self.current),
            "heads": list(self.heads),
            "at_head": self.at_head,
        }


def read_position(app: App) -> Position:
    """The database's current revisions (unknown ones exit 7) and the heads; writes nothing."""
    from alembic_config import require_known_revisions

    with connection(app) as conn:
        present, current = read_current(conn, app.version_table)
    script = app.script
    require_known_revisions(script, current)
    return Position(app.url.masked, present, current, tuple(sorted(script.get_heads())))
