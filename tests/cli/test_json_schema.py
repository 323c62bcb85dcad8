"""Every command under ``--json`` prints one JSON document, valid against the shipped schema.

The schema (``mindmirror_cli/schema/output.schema.json``) names one definition per
command and one for failures. Each run below is validated against its command's
definition, or, when it failed before printing a result, against the error
document whose exit code must be the process's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, revision_file
from tests.support.databases import TestDatabase
from tests.support.runner import Outcome
from tests.support.services import SEED_004

SCHEMA: dict[str, Any] = json.loads(
    files("mindmirror_cli").joinpath("schema/output.schema.json").read_text()
)
UNREACHABLE = "postgresql://u:secret@127.0.0.1:1/db"


def definition(command: str) -> str:
    """The schema's name for a command: 'db upgrade' -> db_upgrade; supabase X is db X."""
    words = command.split()
    if words == ["doctor"]:
        words = ["db", "doctor"]
    if words[0] == "supabase":
        words[0] = "db"
    return "_".join(words).replace("-", "_")


def validate(document: Any, name: str) -> None:
    """Validate ``document`` against ``$defs[name]`` of the schema (and the schema's root)."""
    jsonschema.validate(document, {**SCHEMA, "anyOf": [{"$ref": f"#/$defs/{name}"}]})
    jsonschema.validate(document, SCHEMA)


class Runs:
    """Runs commands under --json and checks each outcome; remembers which were seen."""

    def __init__(self, mm: Mindmirror) -> None:
        self.mm = mm
        self.succeeded: set[str] = set()
        self.failed: set[str] = set()

    def __call__(self, command: str, *args: str, code: int = 0, result: bool = False) -> Any:
        """Run ``command ARGS --json``; ``result``: a failure that still prints its result."""
        outcome = self.mm(*command.split(), *args, "--json")
        assert outcome.exit_code == code, str(outcome)
        document = one_document(outcome)
        if code == 0 or result:
            validate(document, definition(command))
            (self.succeeded if code == 0 else self.failed).add(definition(command))
        else:
            validate(document, "error")
            assert document["error"]["exit_code"] == code, str(outcome)
            assert document["error"]["message"] in outcome.stderr
            self.failed.add(definition(command))
        assert "secret" not in outcome.stdout + outcome.stderr
        return document


def one_document(outcome: Outcome) -> Any:
    """stdout parsed as exactly one JSON document (anything after it fails)."""
    decoder = json.JSONDecoder()
    document, end = decoder.raw_decode(outcome.stdout)
    assert outcome.stdout[end:].strip() == "", str(outcome)
    return document


def leaf_commands(group: click.Group, prefix: str = "") -> Iterator[str]:
    """Every command reachable from ``group``, as typed ('db upgrade', 'models erd')."""
    for name, command in group.commands.items():
        typed = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from leaf_commands(command, f"{typed} ")
        else:
            yield typed


@pytest.fixture
def runs(sqlite_database: TestDatabase, make_cli: MakeCli) -> Runs:
    return Runs(make_cli("runner", sqlite_database.plain_url))


def test_every_command_has_a_definition() -> None:
    from mindmirror_cli.main import cli

    names = {definition(command) for command in leaf_commands(cli)}
    assert names <= set(SCHEMA["$defs"])
    listed = {entry["$ref"].rsplit("/", 1)[1] for entry in SCHEMA["anyOf"]}
    assert listed == names | {"error"}


def test_every_command_success_and_failure(runs: Runs, tmp_path: Path) -> None:
    from mindmirror_cli.main import cli

    mm = runs.mm
    # failures before anything exists: a usage error Click finds, one of ours, an unknown id
    runs("db upgrade", "--no-such-option", code=2)
    runs("db show", "nosuch", code=7)
    runs("db heads")
    runs("db merge")  # one head or none: nothing to merge, nothing written
    runs("db revision", "-m", "x", "--rev-id", "a'b", code=2)
    made = runs("db revision", "--autogenerate", "-m", "tables", "--rev-id", "r1")
    assert made["written"] is True
    runs("db check", code=1)  # not at head: nothing compared, the error document
    runs("db status", "--check", code=1, result=True)
    runs("db upgrade", "--sql")
    runs("db plan")
    runs("db lint")
    runs("db lint", "base:heads")
    runs("db lint", "--no-such-option", code=2)
    runs("db upgrade")
    at_head = runs("db upgrade")
    assert at_head["steps"] == []
    assert at_head["current"] == ["r1"]
    runs("db current")
    runs("db show", "head")
    runs("db status", "--by-service")
    runs("db history")
    runs("db history", "--graph", "mermaid")
    runs("db history", "--graph", "dot", "-o", str(tmp_path / "revisions.dot"))
    runs("db check")
    runs("db health")
    runs("doctor")
    runs("db doctor")
    runs("db repair", "--yes")
    runs("db stamp", "head", code=2)  # no terminal to ask, no --yes
    stamped = runs("db stamp", "head", "--yes")
    assert stamped["current"] == ["r1"]
    runs("db downgrade", "head:base", "--sql")
    runs("db downgrade", "base", "--yes")
    runs("db downgrade", "base", "--yes")  # at base already: nothing reverted
    runs("db init", str(tmp_path / "elsewhere"))
    runs("db init", str(tmp_path / "elsewhere"), code=2)  # the files exist, no --force
    for command in ("models list", "models tables", "models conflicts", "models fks"):
        runs(command)
    erd = runs("models erd")
    assert erd["source"].startswith(f"%% mindmirror models erd: {erd['title']}\n")
    runs("models erd", "--format", "dot", "-o", str(tmp_path / "schema.dot"))
    runs("models erd", "--format", "png", code=2)  # an image needs -o FILE
    runs("supabase heads")
    runs("supabase current")  # on SQLite: a warning on stderr, the document on stdout

    # two heads: upgrade refuses (the error names the merge), merge joins them
    revision_file(mm.project, "h1", "r1", "one way")
    revision_file(mm.project, "h2", "r1", "the other way")
    refused = runs("db upgrade", code=7)
    assert "mindmirror db merge" in refused["error"]["message"]
    runs("db plan", code=7)
    runs("db merge", "-m", "join", "--rev-id", "m1")
    runs("db merge", "--rev-id", "b/ad", code=2)
    runs("db heads")
    runs("db history", "--graph", "svg", code=2)  # an image needs -o FILE

    # a failed service, conflicts, an unreachable database, a broken root option
    broken = {"ALEMBIC_CONFIG_SERVICES": "users,broken"}
    for command in ("models list", "models tables", "models fks", "models erd"):
        document = one_document(mm(*command.split(), "--json", env=broken))
        validate(document, definition(command))
        runs.failed.add(definition(command))
    conflicted = mm("models", "conflicts", "--json", env={"ALEMBIC_CONFIG_SERVICES": SEED_004})
    assert conflicted.exit_code == 3
    validate(one_document(conflicted), "models_conflicts")
    runs.failed.add("models_conflicts")
    unreachable = ["--database-url", UNREACHABLE]
    for command in ("db current", "db status", "db health", "db upgrade", "db check"):
        outcome = mm(*unreachable, *command.split(), "--json")
        assert outcome.exit_code == 4, str(outcome)
        document = one_document(outcome)
        name = "error" if "error" in document else definition(command)
        validate(document, name)
        runs.failed.add(definition(command))
    bad_root = mm("--json", "--no-such-option", "db", "status")
    assert bad_root.exit_code == 2
    validate(one_document(bad_root), "error")

    every = {definition(command) for command in leaf_commands(cli)}
    # the last two need a fresh project: generate-initial-migration, and repair --accept
    assert every - runs.succeeded <= {"db_generate_initial_migration"}
    assert {"db_upgrade", "db_show", "db_merge", "db_stamp", "db_init"} <= runs.failed


def test_generate_initial_migration(runs: Runs) -> None:
    made = runs("db generate-initial-migration", "--rev-id", "i1")
    assert made["revision"] == "i1"
    runs("db generate-initial-migration", "--rev-id", "i2", code=2)  # a history exists
