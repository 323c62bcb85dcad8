"""Adopting alembic-config in another monorepo, as docs/adopting.md walks through it.

A folder outside this repository, a virtual environment holding only alembic-config
(with its ``testing`` extra), the CLI and one service package written here
(``billing``, registered with the shared naming convention). ``mindmirror db init``,
``db revision --autogenerate`` and ``db upgrade`` create that service's tables and
nothing else; the revision is written in the project's folder; the history shipped
inside alembic_config (``0001_initial`` and the example services' 31 tables) never
appears. Then the CI job, the deployment with stock ``alembic``, and the testing
plugin in the service's own suite.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.support import clean_env, run
from tests.support.databases import BOOKKEEPING, TestDatabase, isolated_database, table_names

pytestmark = pytest.mark.slow

SERVICE_PYPROJECT = """\
[project]
name = "billing-service"
version = "1.0.0"
dependencies = ["alembic-config", "SQLAlchemy>=2.0"]

[project.entry-points."alembic_config.metadata"]
billing = "billing_service.models:Base"

[tool.poetry]
packages = [{ include = "billing_service" }]

[build-system]
requires = ["poetry-core>=2.0,<3"]
build-backend = "poetry.core.masonry.api"
"""
SERVICE_MODELS = '''\
"""The billing service's models: one Base, whose MetaData carries the shared convention."""

import sqlalchemy as sa
from alembic_config import service_metadata
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = service_metadata()


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    total_cents: Mapped[int] = mapped_column(index=True)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(sa.String(200))
'''
SERVICE_TABLES = {"invoices", "invoice_lines"}
# what the shipped history creates first; none of it may reach the adopter's database
EXAMPLE_TABLES = {"users", "journal_entries", "agent_conversations"}
CHECKS = [
    "test_models_load[billing]",
    "test_no_conflict[billing]",
    "test_single_head_revision",
    "test_upgrade",
    "test_model_definitions_match_ddl",
    "test_up_down_consistency",
    "test_tables_round_trip[billing]",
]


@pytest.fixture(scope="session")
def adopter(adopter_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The adopter's environment with its own service package installed from its wheel.

    The wheel is built with this repository's build backend (no isolated build
    environment to download), then installed alone (its dependencies are there).
    """
    source = tmp_path_factory.mktemp("acme-source") / "billing"
    (source / "billing_service").mkdir(parents=True)
    (source / "pyproject.toml").write_text(SERVICE_PYPROJECT)
    (source / "billing_service" / "__init__.py").write_text("")
    (source / "billing_service" / "models.py").write_text(SERVICE_MODELS)
    wheels = source.parent / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    run([*build, "--wheel-dir", wheels, source])
    (wheel,) = wheels.glob("billing_service-1.0.0-*.whl")
    run([adopter_venv / "python", "-m", "pip", "install", "--quiet", "--no-deps", wheel])
    return adopter_venv


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TestDatabase, TestDatabase]]:
    """Two fresh databases on one backend: the project's, and the one its test suite uses."""
    with (
        isolated_database(request.param, tmp_path) as first,
        isolated_database(request.param, tmp_path) as second,
    ):
        yield first, second


def site_packages_versions(bin_dir: Path) -> set[str]:
    code = "import alembic_config, pathlib; print(pathlib.Path(alembic_config.__file__).parent)"
    package = Path(run([bin_dir / "python", "-c", code]).stdout.strip())
    return {p.name for p in (package / "versions").iterdir()}


def test_a_new_monorepo_gets_its_own_history_and_only_its_service_tables(
    adopter: Path, databases: tuple[TestDatabase, TestDatabase], tmp_path: Path
) -> None:
    database, suite_database = databases
    project = tmp_path / "acme"
    project.mkdir()
    mm = [adopter / "mindmirror"]
    env = clean_env(DATABASE_URL=database.plain_url)
    shipped = site_packages_versions(adopter)
    assert "0001_initial.py" in shipped  # the wheel carries the example history ...

    run([*mm, "db", "init"], cwd=project, env=env)
    assert (project / "migrations").is_dir()
    made = run(
        [*mm, "db", "revision", "--autogenerate", "-m", "billing tables", "--json"],
        cwd=project,
        env=env,
    )
    revision = json.loads(made.stdout)
    written = Path(revision["path"])
    assert written.parent == project / "migrations"
    assert [p.name for p in (project / "migrations").glob("*.py")] == [written.name]
    upgraded = run([*mm, "db", "upgrade"], cwd=project, env=env)

    # ... and none of it reaches this project
    assert table_names(database.url) - BOOKKEEPING == SERVICE_TABLES
    assert not EXAMPLE_TABLES & table_names(database.url)
    history = run([adopter / "alembic", "history"], cwd=project, env=env).stdout
    for output in (made.stdout, upgraded.stdout, history, written.read_text()):
        assert "0001_initial" not in output
    assert history.strip().startswith(f"<base> -> {revision['revision']} (head), billing tables")
    assert site_packages_versions(adopter) == shipped

    # the CI job of docs/adopting.md
    run([*mm, "db", "check"], cwd=project, env=env)
    plan = json.loads(run([*mm, "db", "plan", "--json"], cwd=project, env=env).stdout)
    assert plan["steps"] == []

    # deploying with stock alembic from the wheel: down to an empty database and up again
    alembic = [adopter / "alembic", "-c", "alembic.ini"]
    run([*alembic, "downgrade", "base"], cwd=project, env=env)
    assert table_names(database.url) - BOOKKEEPING == set()
    run([*alembic, "upgrade", "head"], cwd=project, env=env)
    assert table_names(database.url) - BOOKKEEPING == SERVICE_TABLES

    # the service's own suite, with the one line that switches the checks on
    (project / "tests").mkdir()
    (project / "tests" / "conftest.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nalembic_config_service = "billing"\n'
        'filterwarnings = ["error"]\n'
    )
    suite_env = clean_env(DATABASE_URL=suite_database.plain_url)
    suite = run([adopter / "pytest", "-rA", "-p", "no:cacheprovider"], cwd=project, env=suite_env)
    passed = [
        line.removeprefix("PASSED tests/conftest.py::alembic-config::")
        for line in suite.stdout.splitlines()
        if line.startswith("PASSED ")
    ]
    assert passed == CHECKS, suite.stdout
    assert table_names(suite_database.url) <= BOOKKEEPING
