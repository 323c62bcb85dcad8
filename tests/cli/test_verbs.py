"""``db merge``, ``db heads``, ``db current``, ``db show``: two heads resolved on every backend."""

from __future__ import annotations

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import expect, revision_file, revisions
from tests.support.databases import BACKENDS, TestDatabase

ON_EACH_BACKEND = [pytest.param(backend, id=backend) for backend in BACKENDS]
REFUSED = (
    "error: Multiple heads are present for given argument 'head'; h1, h2: merge them with "
    "'mindmirror db merge', then run the command again"
)


@pytest.mark.parametrize("backend_database", ON_EACH_BACKEND, indirect=True)
def test_merge_resolves_two_heads(backend_database: TestDatabase, make_cli: MakeCli) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    assert expect(mm("db", "current")).out_lines == ["base (no revision applied)"]
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "upgrade"))
    assert expect(mm("db", "current")).out_lines == ["r1 (head)"]
    revision_file(mm.project, "h1", "r1", "one way")
    revision_file(mm.project, "h2", "r1", "the other way")

    heads = expect(mm("db", "heads"))
    assert heads.out_lines == ["h1 (head): one way", "h2 (head): the other way"]
    assert heads.err_lines == ["warning: 2 heads: merge them with 'mindmirror db merge'"]
    assert expect(mm("db", "upgrade"), 7).error == REFUSED
    assert expect(mm("db", "show", "head"), 7).error == REFUSED
    assert expect(mm("db", "current")).out_lines == ["r1"]  # no longer the head

    merged = expect(mm("db", "merge", "-m", "join both", "--rev-id", "m1"))
    path = mm.project / "versions" / "m1_join_both.py"
    assert merged.out_lines == [f"wrote {path}"]
    assert merged.err_lines == ["merges h1, h2; next: mindmirror db upgrade"]
    assert "down_revision: str | Sequence[str] | None = ('h1', 'h2')" in path.read_text()

    expect(mm("db", "upgrade"))
    assert expect(mm("db", "current")).out_lines == ["m1 (head)"]
    assert expect(mm("db", "heads")).out_lines == ["m1 (head): join both"]
    expect(mm("db", "status", "--check"))
    assert expect(mm("db", "show", "m1")).out_lines == [
        "revision:  m1 (head, merge)",
        "parents:   h1, h2",
        "children:  -",
        f"path:      {path}",
        "message:   join both",
    ]
    assert expect(mm("db", "show", "r1")).out_lines[1:3] == [
        "parents:   <base>",
        "children:  h1, h2",
    ]
    position = expect(mm("db", "current", "--json")).json()
    assert (position["current"], position["heads"], position["at_head"]) == (["m1"], ["m1"], True)

    # one head: nothing to merge, nothing written
    files = revisions(mm.project)
    again = expect(mm("db", "merge"))
    assert (again.stdout, again.err_lines) == ("", ["nothing to merge: one head (m1)"])
    assert revisions(mm.project) == files

    # down through the merge point and both branches
    expect(mm("db", "downgrade", "r1", "--yes"))
    assert expect(mm("db", "current")).out_lines == ["r1"]


def test_merge_named_revisions_and_bad_input(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    revision_file(mm.project, "r1", None, "first")
    for name in ("a", "b", "c"):
        revision_file(mm.project, name, "r1", f"branch {name}")

    assert expect(mm("db", "merge", "--rev-id", "r1"), 2).error == (
        "error: revision id 'r1' already exists"
    )
    assert expect(mm("db", "merge", "--rev-id", "x/y"), 2).error == (
        "error: invalid revision id 'x/y': use 1 to 32 letters, digits or underscores, "
        "starting with a letter or digit"
    )
    assert expect(mm("db", "merge", "a", "nosuch"), 7).error == (
        "error: No such revision or branch 'nosuch'"
    )
    made = expect(mm("db", "merge", "a", "b", "--rev-id", "ab", "--json")).json()
    assert (made["written"], made["revision"], made["merges"]) == (True, "ab", ["a", "b"])
    assert expect(mm("db", "heads")).out_lines == ["ab (head): merge heads", "c (head): branch c"]
    assert expect(mm("db", "show", "nosuch"), 7).error == (
        "error: No such revision or branch 'nosuch'"
    )
