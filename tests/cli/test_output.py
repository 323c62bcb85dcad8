"""What the commands print: help examples, headers, counts, alignment, -q and -v everywhere."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
from mindmirror_cli.words import plural

from tests.cli.conftest import MakeCli
from tests.cli.support import expect, masked, revision_file
from tests.support.databases import TestDatabase

REPOSITORY = Path(__file__).resolve().parents[2]


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command reachable from ``group``, as the words typed."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def examples(help_text: str) -> list[str]:
    """The example lines of a command's help."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Example"))
    following = lines[start + 1 :]
    return [line.strip() for line in following[: following.index("")] if line.strip()]


def test_every_command_takes_json_quiet_and_verbose(make_cli: MakeCli) -> None:
    from mindmirror_cli.main import cli

    mm = make_cli()
    commands = list(leaf_commands(cli))
    assert len(commands) > 30
    for words in commands:
        shown = expect(mm(*words, "--help")).stdout
        for option in ("--json", "-q, --quiet", "-v, --verbose"):
            assert option in shown, (words, option)
        # each example runs the command it documents, where it is mounted (global options
        # may come first)
        for example in examples(shown):
            assert example.startswith("mindmirror "), (words, example)
            assert f" {' '.join(words)}" in example, (words, example)


def test_doctor_and_supabase_examples_name_their_own_command(make_cli: MakeCli) -> None:
    mm = make_cli()
    assert examples(expect(mm("db", "doctor", "--help")).stdout) == ["mindmirror db doctor"]
    assert examples(expect(mm("doctor", "--help")).stdout) == ["mindmirror doctor"]
    supabase = examples(expect(mm("supabase", "upgrade", "--help")).stdout)
    assert supabase[0] == "mindmirror supabase upgrade"
    assert not [line for line in supabase if "mindmirror db " in line]


def test_quiet_and_verbose_after_the_command(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    expect(mm("db", "revision", "-m", "first", "--rev-id", "r1"))
    quiet = expect(mm("db", "upgrade", "-q"))
    assert (quiet.stdout, quiet.stderr) == ("", "")

    verbose = expect(mm("db", "status", "--by-service", "-v"))
    assert f"configuration: {mm.project / 'alembic.ini'}" in verbose.err_lines
    assert "services loaded: factory, orders, users, users_copy (3 tables)" in verbose.err_lines
    # Alembic's own INFO lines (plugin set-up, the migration context) only with -vv
    assert not [line for line in verbose.err_lines if "[alembic." in line]
    debug = expect(mm("-vv", "db", "status"))
    assert [line for line in debug.err_lines if line.startswith("INFO [alembic.")]


def test_downgrade_prints_a_header_and_says_when_nothing_was_reverted(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    revision_file(mm.project, "r1", None, "first")
    header = f"downgrading {masked(sqlite_database.plain_url)} to base"
    at_base = expect(mm("db", "downgrade", "base", "--yes"))
    assert at_base.err_lines == [header, "already at base; nothing to revert"]
    expect(mm("db", "upgrade"))
    down = expect(mm("db", "downgrade", "base", "--yes"))
    assert down.err_lines[0] == header
    assert down.err_lines[-1].startswith("reverted 1 revision(s) in ")


def test_history_graph_to_a_file_says_what_it_wrote(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    revision_file(mm.project, "r1", None, "first")
    target = mm.project / "revisions.mmd"
    one = expect(mm("db", "history", "--graph", "mermaid", "-o", str(target), "--no-db"))
    assert (one.stdout, one.err_lines) == ("", [f"wrote {target}: 1 revision"])
    revision_file(mm.project, "r2", "r1", "second")
    two = expect(mm("db", "history", "--graph", "dot", "-o", str(target), "--no-db"))
    assert two.err_lines == [f"wrote {target}: 2 revisions"]
    assert target.read_text().startswith("digraph")


def test_counts_in_the_singular(sqlite_database: TestDatabase, make_cli: MakeCli) -> None:
    assert [plural(1, "table"), plural(2, "table"), plural(0, "foreign key")] == [
        "1 table",
        "2 tables",
        "0 foreign keys",
    ]
    mm = make_cli("runner", sqlite_database.plain_url, services="users")
    target = mm.project / "schema.mmd"
    drawn = expect(mm("models", "erd", "-o", str(target)))
    assert drawn.err_lines == [
        f"wrote {target}: 1 table of users; 0 foreign keys, 0 across services"
    ]
    status = expect(mm("db", "status", "--by-service"))
    assert status.out_lines[-1] == "  users  (alembic-config-fixtures 1.0.0)  1 table: users"


def test_tables_have_no_trailing_blanks(make_cli: MakeCli) -> None:
    mm = make_cli(services="users,orders,factory")
    for command in (("models", "list"), ("models", "tables"), ("models", "fks")):
        printed = expect(mm(*command)).stdout.splitlines()
        assert printed
        assert [line for line in printed if line != line.rstrip()] == [], command
    listed = expect(mm("models", "list")).stdout.splitlines()
    # the columns line up: every row's second column starts where the header's does
    column = listed[0].index("distribution")
    assert {line[column - 2 : column] for line in listed[1:]} == {"  "}
    assert {line[column] != " " for line in listed[1:]} == {True}


def test_naming_convention_conflict_names_the_service_and_the_keys(make_cli: MakeCli) -> None:
    mm = make_cli(services="users,other_convention")
    shown = expect(mm("models", "conflicts"), 3)
    assert shown.out_lines[0] == "naming convention conflict: other_convention differs from users"
    assert shown.out_lines[1:] == [
        "  naming convention ck: users=ck_%(table_name)s_%(constraint_name)s, "
        "other_convention=missing",
        "  naming convention fk: users=fk_%(table_name)s_%(column_0_N_name)s_"
        "%(referred_table_name)s, other_convention=missing",
        "  naming convention ix: users=ix_%(table_name)s_%(column_0_N_name)s, "
        "other_convention=index_%(column_0_label)s",
        "  naming convention pk: users=pk_%(table_name)s, other_convention=missing",
        "  naming convention uq: users=uq_%(table_name)s_%(column_0_N_name)s, "
        "other_convention=missing",
    ]


def test_init_says_what_is_next(make_cli: MakeCli, tmp_path: Path) -> None:
    mm = make_cli()
    fresh = expect(mm("db", "init", str(tmp_path / "a"), env={"DATABASE_URL": None}))
    assert fresh.err_lines == [
        "next: copy .env.example to .env, set DATABASE_URL, run 'mindmirror db upgrade'"
    ]
    set_already = expect(mm("db", "init", str(tmp_path / "b"), env={"DATABASE_URL": "sqlite://"}))
    assert set_already.err_lines == ["next: DATABASE_URL is set; run 'mindmirror db upgrade'"]


def test_stray_files_are_ignored() -> None:
    # the SQLite migration lock sits next to the database file; the root keeps no poetry.lock
    for name in ("mindmirror.db.migration.lock", "poetry.lock"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", name], cwd=REPOSITORY, check=False
        )
        assert ignored.returncode == 0, name


def _progress_in_a_child(stderr: int | None, env: dict[str, str]) -> str:
    """What ``Output().progress()`` gives in a fresh interpreter, and whether Rich got imported."""
    import os
    import sys

    code = (
        "import sys\n"
        "from mindmirror_cli.output import Output\n"
        "bar = Output().progress()\n"
        "print(type(bar).__name__, 'rich.progress' in sys.modules)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in _FORCING}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        check=True,
    )
    return done.stdout.strip()


_FORCING = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def test_no_progress_bar_and_no_rich_import_when_stderr_is_not_a_terminal() -> None:
    assert _progress_in_a_child(subprocess.DEVNULL, {}) == "NoneType False"


def test_a_progress_bar_on_a_terminal_or_where_rich_is_told_there_is_one() -> None:
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        assert _progress_in_a_child(follower, {}) == "Progress True"
    finally:
        os.close(leader)
        os.close(follower)
    assert _progress_in_a_child(subprocess.DEVNULL, {"FORCE_COLOR": "1"}) == "Progress True"
    # Rich's own verdict still counts: TTY_COMPATIBLE=0 means no terminal, even forced
    assert _progress_in_a_child(subprocess.DEVNULL, {"TTY_COMPATIBLE": "0"}) == "NoneType True"
