"""C. A broken revision graph or version table: exit 7 naming what is wrong, never a traceback.

The graph is the same on every database, so these run on SQLite: each case
brings a project to head, breaks one thing, and runs the commands that meet it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.safety.harness import HEAD, Project, counted, set_versions, write_revision

NOOP = """

def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
"""
SYNTAX_ERROR = """

def upgrade() -> None:
    op.execute("SELECT 1"


def downgrade() -> None:
    pass
"""
MISSING = (
    "the database is at revision {rows}, which no revision script defines (looked in "
    "{versions}): restore the missing revision file, or add its folder to version_locations"
)
EMPTY_ID = (
    "the version table holds an empty revision id: delete that row by hand, then record the "
    "revision the schema matches (alembic stamp / mindmirror db stamp)"
)
UNLOADABLE = (
    "cannot load the revision file {versions}/s4_broken.py, line 37: SyntaxError: '(' was "
    "never closed; fix that file (or move it out of the versions folder) and run the command "
    "again"
)


def missing_revision(project: Project) -> None:
    set_versions(project.database.url, "f00dcafe0001")


def two_heads(project: Project) -> None:
    for name in ("s4_left", "s4_right"):
        write_revision(project.versions, name, HEAD, NOOP, f"head {name}")


def syntax_error(project: Project) -> None:
    write_revision(project.versions, "s4_broken", HEAD, SYNTAX_ERROR, "does not parse")


def garbage_row(project: Project) -> None:
    set_versions(project.database.url, "garbage row!")


def injected_row(project: Project) -> None:
    set_versions(project.database.url, HEAD, "x'; DROP TABLE counter; --")


def empty_row(project: Project) -> None:
    set_versions(project.database.url, "")


@dataclass(frozen=True)
class Broken:
    """One way to break the graph, and what each command must then say (exit 7 for all)."""

    break_it: Callable[[Project], None]
    said: dict[tuple[str, ...], str]


CASES = {
    "missing-revision": Broken(
        missing_revision,
        {
            ("db", "status"): "error: "
            + MISSING.format(rows="f00dcafe0001", versions="{versions}"),
            ("db", "upgrade", "head"): "error: "
            + MISSING.format(rows="f00dcafe0001", versions="{versions}"),
            ("db", "health"): "  FAIL at head: "
            + MISSING.format(rows="f00dcafe0001", versions="{versions}"),
            ("db", "downgrade", "-1", "--yes"): "error: "
            + MISSING.format(rows="f00dcafe0001", versions="{versions}"),
        },
    ),
    "two-heads": Broken(
        two_heads,
        {
            ("db", "upgrade", "head"): (
                "error: Multiple heads are present for given argument 'head'; s4_left, s4_right: "
                "merge them with 'mindmirror db merge', then run the command again"
            ),
            ("db", "health"): "  FAIL single head: 2 heads: s4_left, s4_right",
            ("db", "status", "--check"): (
                "error: 2 heads (s4_left, s4_right): the database cannot be at head until they "
                "are merged (mindmirror db merge)"
            ),
        },
    ),
    "syntax-error": Broken(
        syntax_error,
        {
            ("db", "status"): "error: " + UNLOADABLE,
            ("db", "upgrade", "head"): "error: " + UNLOADABLE,
            ("db", "health"): "error: " + UNLOADABLE,
            ("db", "history"): "error: " + UNLOADABLE,
            ("db", "downgrade", "-1", "--yes"): "error: " + UNLOADABLE,
        },
    ),
    "garbage-row": Broken(
        garbage_row,
        {
            ("db", "status"): "error: "
            + MISSING.format(rows="garbage row!", versions="{versions}"),
            ("db", "upgrade", "head"): "error: "
            + MISSING.format(rows="garbage row!", versions="{versions}"),
        },
    ),
    "injected-row": Broken(
        injected_row,
        {
            ("db", "status"): "error: "
            + MISSING.format(rows="x'; DROP TABLE counter; --", versions="{versions}"),
            ("db", "upgrade", "head"): "error: "
            + MISSING.format(rows="x'; DROP TABLE counter; --", versions="{versions}"),
        },
    ),
    "empty-row": Broken(
        empty_row,
        {
            ("db", "status"): "error: " + EMPTY_ID,
            ("db", "upgrade", "head"): "error: " + EMPTY_ID,
            ("db", "health"): "  FAIL at head: " + EMPTY_ID,
            ("db", "downgrade", "-1", "--yes"): "error: " + EMPTY_ID,
            ("db", "stamp", HEAD, "--yes"): "error: " + EMPTY_ID,
        },
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_graph_exits_7_naming_it(sqlite_project: Project, case: str) -> None:
    project = sqlite_project
    upgraded = project.run("db", "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.describe()
    broken = CASES[case]
    broken.break_it(project)
    before = counted(project.database.url)

    for command, expected in broken.said.items():
        result = project.run(*command)
        assert result.returncode == 7, result.describe()
        assert expected.format(versions=project.versions) in result.lines, result.describe()
        assert "Traceback" not in result.output
    # nothing ran: the counter table holds what it held
    assert counted(project.database.url) == before
