"""``db init``, ``--env NAME`` and ``-q``: setting up a project and choosing its database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import MODE_PARAMS, expect
from tests.support.databases import TestDatabase


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_init_writes_no_url(mode: str, make_cli: MakeCli, tmp_path: Path) -> None:
    secret_url = "postgresql://app:s3cret-pw@db.example.com/app"
    mm = make_cli(mode, secret_url)
    fresh = tmp_path / "fresh"

    made = expect(mm("db", "init", str(fresh), "--local-versions", "migrations", "--json"))
    assert made.json() == {
        "written": [
            str(fresh / "alembic.ini"),
            str(fresh / ".env.example"),
            str(fresh / "migrations"),
        ]
    }
    ini = (fresh / "alembic.ini").read_text()
    assert "script_location = alembic_config:\n" in ini
    assert "version_locations = %(here)s/migrations\n" in ini
    assert "alembic_config:versions" not in ini  # a history of its own (see test_init_history)
    assert "sqlalchemy.url" not in ini
    example = (fresh / ".env.example").read_text()
    assert "DATABASE_URL=\n" in example
    for text in (ini, example):
        assert "s3cret" not in text
        assert "db.example.com" not in text

    again = expect(mm("db", "init", str(fresh)), 2)
    assert again.error == (
        f"error: {fresh / 'alembic.ini'}, {fresh / '.env.example'} already exist(s); "
        "pass --force to overwrite"
    )
    expect(mm("db", "init", str(fresh), "--force"))
    outside = expect(mm("db", "init", str(tmp_path / "other"), "--local-versions", "../up"), 2)
    assert outside.error == "error: --local-versions must be a folder inside the project"


def test_init_project_is_used_by_doctor(make_cli: MakeCli, tmp_path: Path) -> None:
    mm = make_cli()
    fresh = tmp_path / "fresh"
    expect(mm("db", "init", str(fresh), "--local-versions", "migrations"))
    doctor = expect(mm("-c", str(fresh / "alembic.ini"), "doctor", "--json")).json()
    assert doctor["ini_file"] == str(fresh / "alembic.ini")
    assert doctor["version_locations"][-1] == str(fresh / "migrations")


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_env_name_loads_its_file_over_dotenv(mode: str, make_cli: MakeCli) -> None:
    mm = make_cli(mode)
    (mm.project / ".env").write_text("DATABASE_URL=sqlite:///plain.db\n")
    (mm.project / ".env.staging").write_text("DATABASE_URL=sqlite:///staging.db\n")
    # each run starts without DATABASE_URL, as a new shell would (a .env loaded in-process stays)
    unset = {"DATABASE_URL": None}

    plain = expect(mm("doctor", "--json", env=unset)).json()
    assert (plain["database_url"], plain["env_files"]) == (
        "sqlite:///plain.db",
        [str(mm.project / ".env")],
    )
    staging = expect(mm("--env", "staging", "doctor", "--json", env=unset)).json()
    assert (staging["database_url"], staging["env_files"]) == (
        "sqlite:///staging.db",
        [str(mm.project / ".env.staging"), str(mm.project / ".env")],
    )
    # the environment wins over both files, --database-url over everything
    env = {"DATABASE_URL": "sqlite:///from-env.db"}
    assert expect(mm("--env", "staging", "doctor", "--json", env=env)).json()["database_url"] == (
        "sqlite:///from-env.db"
    )
    given = expect(mm("--database-url", "sqlite:///given.db", "doctor", "--json", env=env)).json()
    assert (given["database_url"], given["database_url_source"]) == (
        "sqlite:///given.db",
        "--database-url",
    )


def test_quiet_leaves_results_and_errors(sqlite_database: TestDatabase, make_cli: MakeCli) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    expect(mm("db", "revision", "-m", "first", "--rev-id", "r1"))
    quiet = expect(mm("-q", "db", "upgrade"))
    assert (quiet.stdout, quiet.stderr) == ("", "")
    status = expect(mm("-q", "db", "status"))
    assert status.out_lines[1] == "current:   r1"
    failed = expect(mm("-q", "db", "upgrade", "nosuch"), 7)
    assert failed.err_lines == ["error: No such revision or branch 'nosuch'"]


def test_verbose_shows_alembic_messages(sqlite_database: TestDatabase, make_cli: MakeCli) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    made = expect(mm("-v", "db", "revision", "-m", "first", "--rev-id", "r1"))
    path = mm.project / "versions" / "r1_first.py"
    assert made.out_lines == [f"wrote {path}"]
    assert any(line.startswith(f"Generating {path}") for line in made.err_lines)
