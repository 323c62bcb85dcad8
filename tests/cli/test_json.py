"""``--json`` parses and carries the same facts as the text output (status, check, health,
doctor, history); the models commands are compared in ``test_models``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import MODE_PARAMS, Mindmirror, execute, expect, masked, revision_file
from tests.support.databases import TestDatabase
from tests.support.runner import Outcome
from tests.support.services import CLEAN, SEED_004


def both(mm: Mindmirror, *args: str, code: int = 0) -> tuple[Outcome, Any]:
    """The command's text outcome and its JSON document, with the same exit code."""
    text = expect(mm(*args), code)
    data = expect(mm(*args, "--json"), code)
    return text, data.json()


def fields(outcome: Outcome) -> dict[str, str]:
    """``name:   value`` lines of the text output."""
    found = {}
    for line in outcome.out_lines:
        match = re.fullmatch(r"([a-z][a-z -]*[a-z]):\s+(.*)", line)
        if match:
            found[match[1]] = match[2]
    return found


def section(outcome: Outcome, header: str) -> list[str]:
    """The indented lines that follow ``header`` in the text output."""
    lines = outcome.out_lines
    following = lines[lines.index(header) + 1 :]
    ends = [i for i, line in enumerate(following) if not line.startswith(" ")]
    return following[: ends[0]] if ends else following


@pytest.fixture
def behind(sqlite_database: TestDatabase, make_cli: MakeCli) -> Mindmirror:
    """A project with revisions r1 (the tables) and r2 (empty); the database at r1."""
    mm = make_cli("runner", sqlite_database.plain_url)
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "revision", "-m", "later", "--rev-id", "r2"))
    expect(mm("db", "upgrade", "r1"))
    return mm


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_status(mode: str, behind: Mindmirror, make_cli: MakeCli) -> None:
    mm = make_cli(mode, behind.env["DATABASE_URL"])
    text, data = both(mm, "db", "status", "--by-service")
    facts = fields(text)

    assert facts["database"] == data["database"] == masked(behind.env["DATABASE_URL"])
    assert facts["current"] == ", ".join(data["current"]) == "r1"
    assert facts["heads"] == ", ".join(data["heads"]) == "r2"
    assert facts["at head"] == "no, 1 pending"
    assert data["at_head"] is False
    assert data["version_table"] is True
    pending = [line.split() for line in text.out_lines if line.startswith("  pending")]
    assert pending == [["pending", "r2", "later"]]
    assert [(p["revision"], p["message"]) for p in data["pending"]] == [("r2", "later")]
    services = [line.split()[0] for line in section(text, "services:")]
    assert services == [s["name"] for s in data["services"]]
    assert data["services"][0]["tables"] == ["invoices"]
    assert data["conflicts"] == 0

    not_at_head = expect(mm("db", "status", "--by-service", "--check", "--json"), 1)
    assert not_at_head.json() == data
    assert not_at_head.error == "error: database is not at head: at r1, 1 pending revision(s)"


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_history(mode: str, behind: Mindmirror, make_cli: MakeCli) -> None:
    mm = make_cli(mode, behind.env["DATABASE_URL"])
    text, data = both(mm, "db", "history")

    assert data["current"] == ["r1"]
    shown = []
    for rev in data["revisions"]:
        flags = (("head", rev["is_head"]), ("current", rev["revision"] in data["current"]))
        marks = [name for name, on in flags if on]
        suffix = f" ({', '.join(marks)})" if marks else ""
        down = ", ".join(rev["down_revisions"]) or "<base>"
        shown.append(f"{down} -> {rev['revision']}{suffix}: {rev['message']}")
    assert text.out_lines == shown == ["r1 -> r2 (head): later", "<base> -> r1 (current): tables"]
    assert data["revisions"][1]["path"] == str(mm.project / "versions" / "r1_tables.py")


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_health(mode: str, behind: Mindmirror, make_cli: MakeCli) -> None:
    mm = make_cli(mode, behind.env["DATABASE_URL"])
    text, data = both(mm, "db", "health", code=1)

    assert text.out_lines[0] == f"database: {data['database']}"
    shown = [
        f"  {'ok  ' if check['ok'] else 'FAIL'} {check['name']}: {check['detail']}"
        for check in data["checks"]
    ]
    latency = re.compile(r"connected in \d+ ms")
    assert [latency.sub("", line) for line in text.out_lines[1:]] == [
        latency.sub("", line) for line in shown
    ]
    assert (data["healthy"], data["exit_code"]) == (False, 1)
    failed = {c["name"]: (c["detail"], c["exit_code"]) for c in data["checks"] if not c["ok"]}
    assert failed == {"at head": ("at r1; 1 pending revision(s)", 1)}


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_check(mode: str, behind: Mindmirror, make_cli: MakeCli) -> None:
    mm = make_cli(mode, behind.env["DATABASE_URL"])
    expect(mm("db", "upgrade"))
    assert both(mm, "db", "check")[1] == {
        "clean": True,
        "diffs": [],
        "upgrade_code": "",
        "orphans": [],
        "left_alone": [],
    }

    execute(behind.env["DATABASE_URL"], "DROP INDEX ix_users_name", "CREATE TABLE extra (id INT)")
    text, data = both(mm, "db", "check", code=1)
    assert text.out_lines[1:] == data["upgrade_code"].splitlines()
    # a table no service defines is an orphan: reported, never proposed for dropping
    assert data["diffs"] == ["add_index: ix_users_name"]
    assert text.error == f"error: drift detected: {len(data['diffs'])} difference(s)"
    assert data["clean"] is False
    assert "drop_table" not in data["upgrade_code"]
    assert data["orphans"] == [{"table": "extra", "last_owner": None}]


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_doctor(mode: str, sqlite_database: TestDatabase, make_cli: MakeCli) -> None:
    mm = make_cli(mode, sqlite_database.plain_url)
    text, data = both(mm, "--exclude", "users_copy", "doctor")
    facts = fields(text)

    assert facts["ini file"] == data["ini_file"] == str(mm.project / "alembic.ini")
    assert facts["env files read"] == "none"
    assert data["env_files"] == []
    assert facts["script location"] == data["script_location"]
    assert data["script_location"].endswith("alembic_config")
    assert facts["version locations"] == ", ".join(data["version_locations"])
    assert facts["database url"] == f"{data['database_url']} (from DATABASE_URL)"
    assert facts["alembic"] == data["alembic"]
    assert facts["sqlalchemy"] == data["sqlalchemy"]
    dist = data["alembic_config"]
    assert dist["installed"] is True
    assert dist["editable"] is True
    assert facts["alembic-config"].startswith(f"{dist['version']} (editable, ")
    assert data["service_selection"] == {
        "ALEMBIC_CONFIG_SERVICES": "users,orders,factory,users_copy",
        "ALEMBIC_CONFIG_EXCLUDE": None,
        "--exclude": ["users_copy"],
    }
    assert facts["services selected"] == (
        "ALEMBIC_CONFIG_SERVICES=users,orders,factory,users_copy; --exclude users_copy"
    )
    assert data["warnings"] == []
    entry_lines = section(text, "entry points (alembic_config.metadata):")
    assert entry_lines == [
        f"  {ep['name']} -> {ep['distribution']}@{ep['version']} -> {ep['object']}"
        for ep in data["entry_points"]
    ]
    assert "  users -> alembic-config-fixtures@1.0.0 -> acfix.users:Base" in entry_lines


def two_heads(project: Path) -> None:
    revision_file(project, "h1", "r2", "one way")
    revision_file(project, "h2", "r2", "the other way")


@pytest.mark.parametrize(
    ("services", "database_url", "arrange", "code", "failed"),
    [
        ("users,broken", None, None, 3, {"every service loaded": 3}),
        (SEED_004, None, None, 3, {"no conflicts": 3}),
        (CLEAN, None, two_heads, 7, {"single head": 7, "at head": 1}),
        (CLEAN, "postgresql://u:secret@127.0.0.1:1/db", None, 4, {"database reachable": 4}),
    ],
    ids=["broken", "conflicts", "two-heads", "unreachable"],
)
def test_health_names_each_failure_class(
    services: str,
    database_url: str | None,
    arrange: Callable[[Path], None] | None,
    code: int,
    failed: dict[str, int],
    behind: Mindmirror,
    make_cli: MakeCli,
) -> None:
    expect(behind("db", "upgrade"))  # at head: only the failure under test remains
    mm = make_cli("runner", database_url or behind.env["DATABASE_URL"], services=services)
    if arrange is not None:
        arrange(mm.project)

    text, data = both(mm, "db", "health", code=code)
    assert (data["healthy"], data["exit_code"]) == (False, code)
    assert {c["name"]: c["exit_code"] for c in data["checks"] if not c["ok"]} == failed
    assert {c["exit_code"] for c in data["checks"] if c["ok"]} <= {0}
    shown = {
        line.split(":")[0].removeprefix("  FAIL ") for line in text.out_lines if "FAIL" in line
    }
    assert shown == set(failed)
    assert "secret" not in text.stdout + text.stderr
