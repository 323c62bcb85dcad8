"""The ini pitfall of a deployment's own revisions folder: the separator of version_locations."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from alembic_config._errors import RevisionLocationError

from tests.support.databases import TestDatabase

INI = """\
[alembic]
script_location = alembic_config:
revision_environment = true
path_separator = {separator}
version_locations = alembic_config:versions %(here)s/migrations
"""
ONE_PER_LINE = "version_locations =\n    alembic_config:versions\n    %(here)s/migrations\n"


def config_for(folder: Path, separator: str, database: TestDatabase) -> Config:
    (folder / "migrations").mkdir(parents=True, exist_ok=True)
    ini = INI.format(separator=separator)
    if separator == "newline":
        ini = ini.replace("version_locations = alembic_config:versions %(here)s/migrations\n", "")
        ini += ONE_PER_LINE
    (folder / "alembic.ini").write_text(ini)
    config = Config(str(folder / "alembic.ini"))
    from alembic_config import EnvironmentOptions, with_options

    return with_options(config, EnvironmentOptions(database_url=database.url))


@pytest.mark.parametrize("separator", ["os", ":"])
def test_a_separator_that_splits_the_package_location_is_refused(
    tmp_path: Path, sqlite_database: TestDatabase, separator: str
) -> None:
    config = config_for(tmp_path, separator, sqlite_database)
    # what Alembic alone makes of it: two folders that do not exist, skipped without a word
    assert config.get_version_locations_list() == [
        "alembic_config",
        f"versions {tmp_path}/migrations",
    ]
    with pytest.raises(CommandError) as caught:
        command.upgrade(config, "head")
    assert isinstance(caught.value.__cause__, RevisionLocationError)
    assert str(caught.value) == (
        f"version_locations = alembic_config:versions {tmp_path}/migrations is split at ':' "
        f"(path_separator = {separator}), which breaks 'alembic_config:...' apart, so Alembic "
        "would silently find no revision there. Set 'path_separator = space' in the [alembic] "
        "section (or 'newline', with one location per line, when a path contains spaces)."
    )


@pytest.mark.parametrize(("separator", "folder"), [("space", "project"), ("newline", "my project")])
def test_both_locations_count_and_new_revisions_land_in_the_local_one(
    tmp_path: Path, sqlite_database: TestDatabase, separator: str, folder: str
) -> None:
    """``space`` as ``mindmirror db init`` writes it; ``newline`` for a path with a space."""
    project = tmp_path / folder
    config = config_for(project, separator, sqlite_database)
    shipped = {p.name for p in Path(ScriptDirectory.from_config(config).dir, "versions").iterdir()}

    command.revision(config, "local change", rev_id="a1b2c3d4e5f6")
    command.upgrade(config, "head")

    assert [p.name for p in (project / "migrations").iterdir()] == ["a1b2c3d4e5f6_local_change.py"]
    shipped_after = Path(ScriptDirectory.from_config(config).dir, "versions").iterdir()
    assert {p.name for p in shipped_after} == shipped
    assert ScriptDirectory.from_config(config).get_heads() == ["a1b2c3d4e5f6"]
    engine = sa.create_engine(sqlite_database.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            applied = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            assert list(applied) == ["a1b2c3d4e5f6"]
    finally:
        engine.dispose()
