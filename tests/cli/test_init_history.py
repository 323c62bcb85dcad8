"""``db init``: whose history a new project migrates with.

By default a project gets a history of its own, in its own folder, that never
includes the revisions shipped inside ``alembic_config`` (the example monorepo's);
``--extend-shipped`` continues those, ``--shipped-only`` deploys them alone. From a
project outside alembic-config's source tree, no revision is ever written into the
shipped folder, even though the editable install of this repository makes it writable.
"""

from __future__ import annotations

from pathlib import Path

import alembic_config
import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import expect
from tests.support.databases import BOOKKEEPING, TestDatabase, table_names

SHIPPED = Path(alembic_config.__file__).parent / "versions"
FIXTURE_TABLES = {"users", "orders"}


def down_revision(path: Path) -> str:
    """The right-hand side of the revision file's ``down_revision`` line."""
    (line,) = [line for line in path.read_text().splitlines() if line.startswith("down_revision")]
    return line.rsplit("=", 1)[1].strip()


def shipped_files() -> set[str]:
    return {p.name for p in SHIPPED.iterdir()}


def test_a_new_project_has_a_history_of_its_own(
    make_cli: MakeCli, tmp_path: Path, sqlite_database: TestDatabase
) -> None:
    mm = make_cli("runner", sqlite_database.plain_url)
    project = tmp_path / "billing"
    before = shipped_files()
    expect(mm("db", "init", str(project)))
    ini = project / "alembic.ini"
    assert "version_locations = %(here)s/migrations\n" in ini.read_text()
    assert "alembic_config:versions" not in ini.read_text()

    empty = expect(mm("-c", str(ini), "db", "status", "--json")).json()
    assert (empty["current"], empty["heads"], empty["pending"]) == ([], [], [])
    made = expect(mm("-c", str(ini), "db", "revision", "--autogenerate", "-m", "first", "--json"))
    written = Path(made.json()["path"])
    assert written.parent == project / "migrations"
    assert down_revision(written) == "None"
    expect(mm("-c", str(ini), "db", "upgrade"))

    state = expect(mm("-c", str(ini), "db", "status", "--json")).json()
    assert state["current"] == state["heads"] == [made.json()["revision"]]
    created = table_names(sqlite_database.url) - BOOKKEEPING
    assert created >= FIXTURE_TABLES
    assert "0001_initial" not in written.read_text()
    assert shipped_files() == before


def test_extend_shipped_chains_the_project_after_the_shipped_head(
    make_cli: MakeCli, tmp_path: Path
) -> None:
    mm = make_cli()
    project = tmp_path / "extends"
    expect(mm("db", "init", str(project), "--extend-shipped", "--local-versions", "db/revs"))
    ini = project / "alembic.ini"
    assert "version_locations =\n    alembic_config:versions\n    %(here)s/db/revs\n" in (
        ini.read_text()
    )

    made = expect(mm("-c", str(ini), "db", "revision", "-m", "ours", "--json")).json()
    assert Path(made["path"]).parent == project / "db" / "revs"
    assert down_revision(Path(made["path"])) == "'0001_initial'"


def test_shipped_only_keeps_no_folder_and_takes_no_local_versions(
    make_cli: MakeCli, tmp_path: Path
) -> None:
    mm = make_cli()
    made = expect(mm("db", "init", str(tmp_path / "deploy"), "--shipped-only", "--json")).json()
    assert made == {
        "written": [
            str(tmp_path / "deploy" / "alembic.ini"),
            str(tmp_path / "deploy" / ".env.example"),
        ]
    }
    assert "version_locations" not in (tmp_path / "deploy" / "alembic.ini").read_text()
    both = expect(
        mm("db", "init", str(tmp_path / "x"), "--shipped-only", "--local-versions", "m"), 2
    )
    assert both.error == (
        "error: --shipped-only keeps no revisions of its own: leave out --local-versions"
    )
    two = expect(mm("db", "init", str(tmp_path / "y"), "--shipped-only", "--extend-shipped"), 2)
    assert two.error == (
        "error: --extend-shipped and --shipped-only exclude each other: choose one"
    )
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "y").exists()


@pytest.mark.parametrize("autogenerate", [False, True], ids=["empty", "autogenerate"])
def test_an_outside_project_never_writes_into_the_shipped_history(
    make_cli: MakeCli, tmp_path: Path, sqlite_database: TestDatabase, autogenerate: bool
) -> None:
    """Refused before anything runs: no "upgrade first" advice that would apply 0001_initial."""
    mm = make_cli("runner", sqlite_database.plain_url)
    project = tmp_path / "outside"
    expect(mm("db", "init", str(project), "--shipped-only"))
    before = shipped_files()

    flags = ["--autogenerate"] if autogenerate else []
    refused = expect(
        mm("-c", str(project / "alembic.ini"), "db", "revision", *flags, "-m", "mine"), 3
    )

    assert refused.error.startswith(
        f"error: refusing to write a revision into {SHIPPED}: it is the history shipped with "
        f"alembic-config (the example monorepo's, in {SHIPPED.parent.parent}), and this "
        f"project ({project}) is outside that source tree."
    )
    assert "'version_locations = %(here)s/migrations'" in refused.error
    assert "'mindmirror db init --extend-shipped'" in refused.error
    assert "mindmirror db upgrade" not in refused.error
    assert shipped_files() == before
    assert table_names(sqlite_database.url) <= BOOKKEEPING
