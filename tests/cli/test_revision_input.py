"""Revision ids and messages are validated before anything is written; no message becomes code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, expect, revisions
from tests.support.databases import TestDatabase

BAD_ID = (
    "error: invalid revision id {!r}: use 1 to 32 letters, digits or underscores, "
    "starting with a letter or digit"
)


@pytest.fixture
def mm(sqlite_database: TestDatabase, make_cli: MakeCli) -> Mindmirror:
    return make_cli("runner", sqlite_database.plain_url)


@pytest.mark.parametrize(
    "message",
    [
        'say """hi""" with a \\ backslash',
        '"""; import os; os.system("touch pwned"); """',
        "ends with a backslash \\",
        'ends with a quote "',
        "\\\"\"\" escaped quotes \\'''",
        "${message} <% import os %> mako syntax",
        "unicode: é, ü, 日本",
    ],
    ids=lambda message: repr(message)[:30],
)
def test_message_is_kept_verbatim_as_text(mm: Mindmirror, message: str) -> None:
    made = expect(mm("db", "revision", "-m", message, "--rev-id", "r1", "--json"))
    source = Path(made.json()["path"]).read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    assert docstring is not None
    assert docstring.split("\n\nRevision ID: r1\n")[0] == message
    # only the template's own imports: nothing came from the message
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import)]
    imported = {alias.name for node in imports for alias in node.names}
    assert imported == {"sqlalchemy"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Call) and "system" in ast.unparse(n)]
    history = expect(mm("db", "history", "--no-db", "--json")).json()
    assert history["revisions"][0]["message"] == message.split("\n\n", maxsplit=1)[0]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("", "error: the revision message is empty: say what the revision does with -m"),
        ("   ", "error: the revision message is empty: say what the revision does with -m"),
        (
            "x" * 201,
            "error: the revision message is 201 characters long; keep it to 200 or fewer",
        ),
        ("bell \x07", "error: the revision message contains control characters"),
        ("escape \x1b[31m red", "error: the revision message contains control characters"),
        # the message is the docstring's first line and the file name: one line, no tab
        ("a tab\tinside", "error: the revision message contains control characters"),
        ("two lines\nthe second", "error: the revision message contains control characters"),
    ],
    ids=["empty", "blank", "too-long", "bell", "escape", "tab", "newline"],
)
def test_bad_messages_are_refused(mm: Mindmirror, message: str, error: str) -> None:
    refused = expect(mm("db", "revision", "-m", message), 2)
    assert refused.error == error
    assert revisions(mm.project) == []


def test_longest_message_is_accepted(mm: Mindmirror) -> None:
    expect(mm("db", "revision", "-m", "x" * 200))


@pytest.mark.parametrize("rev_id", ["a", "A1", "0001_initial", "abc_DEF_123", "x" * 32])
def test_valid_revision_ids(mm: Mindmirror, rev_id: str) -> None:
    made = expect(mm("db", "revision", "-m", "step", "--rev-id", rev_id, "--json")).json()
    assert made["revision"] == rev_id
    assert made["path"] == str(mm.project / "versions" / f"{rev_id}_step.py")


@pytest.mark.parametrize(
    "rev_id",
    ["a'b", 'a"b', "a/b", "a\\b", "x" * 33, "_lead", "a b", "a-b", "a.b", "", "é", "../up", "a\n"],
    ids=repr,
)
def test_invalid_revision_ids_are_refused(mm: Mindmirror, rev_id: str) -> None:
    refused = expect(mm("db", "revision", "-m", "step", "--rev-id", rev_id), 2)
    assert refused.error == BAD_ID.format(rev_id)
    assert revisions(mm.project) == []


def test_existing_revision_id_is_refused(mm: Mindmirror) -> None:
    expect(mm("db", "revision", "-m", "first", "--rev-id", "r1"))
    refused = expect(mm("db", "revision", "-m", "again", "--rev-id", "r1"), 2)
    assert refused.error == "error: revision id 'r1' already exists"
    assert len(revisions(mm.project)) == 1


def test_invalid_id_for_the_initial_migration_is_refused(mm: Mindmirror) -> None:
    refused = expect(mm("db", "generate-initial-migration", "--rev-id", "a/b"), 2)
    assert refused.error == BAD_ID.format("a/b")
