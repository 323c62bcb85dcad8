"""Ownership (DESIGN §7): only what the selected services own is compared, orphans are never
dropped by accident, and an upgrade that breaks another service is refused before it runs.

The fixture services: ``users`` and ``users_copy`` (the same ``users`` table), ``orders``
(a foreign key to ``users.id``) and ``factory`` (``invoices``, a foreign key to ``orders.id``).
Every test runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import Mindmirror, execute, expect, revisions
from tests.support.databases import BACKENDS, BOOKKEEPING, TestDatabase, table_names
from tests.support.services import BIN, CLEAN, subprocess_env

TABLES = {"users", "orders", "invoices"}
FIXTURES = "alembic-config-fixtures 1.0.0"

pytestmark = pytest.mark.parametrize("backend_database", BACKENDS, indirect=True)

DROP_USERS = '''"""Drop users (hand-written)."""

import sqlalchemy as sa
from alembic import op

revision = "r2_drop_users"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_orders_user_id_users", "orders", type_="foreignkey")
    op.drop_table("users")


def downgrade() -> None:
    pass
'''

DROP_NAME = '''"""Drop users.name (hand-written)."""

from alembic import op

revision = "r2_drop_name"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_name")
        batch_op.drop_column("name")


def downgrade() -> None:
    pass
'''


def _at_head(mm: Mindmirror) -> None:
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    expect(mm("db", "upgrade"))


def _version(url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return [
                row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            ]
    finally:
        engine.dispose()


def _stock(
    project: Path, site: Path, url: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = subprocess_env(site, DATABASE_URL=url, ALEMBIC_CONFIG_SERVICES=CLEAN, **env)
    return subprocess.run(
        [str(BIN / "alembic"), "-c", str(project / "alembic.ini"), *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_revisions_record_their_tables_owners(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    (written,) = revisions(mm.project)
    source = written.read_text()
    assert "info={'alembic_config.owners': ['users', 'users_copy']}" in source
    assert "info={'alembic_config.owners': ['factory']}" in source
    assert table_names(backend_database.url) == TABLES | BOOKKEEPING
    import sqlalchemy as sa

    engine = sa.create_engine(backend_database.url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        rows = dict(
            conn.exec_driver_sql("SELECT table_key, services FROM alembic_version_owners").all()
        )
    engine.dispose()
    assert rows == {"users": "users,users_copy", "orders": "orders", "invoices": "factory"}


@pytest.mark.parametrize(
    ("how", "extra_args", "extra_env"),
    [
        ("--exclude", ("--exclude", "factory"), {}),
        ("ALEMBIC_CONFIG_EXCLUDE", (), {"ALEMBIC_CONFIG_EXCLUDE": "factory"}),
        ("ALEMBIC_CONFIG_SERVICES", (), {"ALEMBIC_CONFIG_SERVICES": "users,orders,users_copy"}),
    ],
)
def test_an_unselected_service_s_tables_are_left_alone(
    backend_database: TestDatabase,
    make_cli: MakeCli,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    extra_args: tuple[str, ...],
    extra_env: dict[str, str],
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    for key, value in extra_env.items():
        monkeypatch.setenv(key, value)

    check = expect(mm(*extra_args, "db", "check"))
    assert "no drift: the database matches the models" in check.err_lines, how
    assert "left alone: 1 table of factory (installed, not selected)" in check.err_lines
    report = expect(mm(*extra_args, "db", "check", "--json")).json()
    assert report["clean"] is True
    assert report["left_alone"] == [{"table": "invoices", "services": ["factory"]}]
    assert report["orphans"] == []

    made = expect(mm(*extra_args, "db", "revision", "--autogenerate", "-m", "nothing"))
    assert "No changes in schema detected; nothing written." in made.err_lines
    assert len(revisions(mm.project)) == 1


def test_service_narrowing_leaves_the_other_services_alone(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    for service in ("users", "orders", "factory"):
        made = expect(mm("db", "revision", "--autogenerate", "--service", service, "-m", "n"))
        assert "No changes in schema detected; nothing written." in made.err_lines
        expect(mm("db", "check", "--service", service))
    assert len(revisions(mm.project)) == 1


def test_stock_alembic_leaves_an_excluded_service_alone(
    backend_database: TestDatabase, make_cli: MakeCli, fixture_site: Path
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    url = backend_database.plain_url
    checked = _stock(mm.project, fixture_site, url, "check", ALEMBIC_CONFIG_EXCLUDE="factory")
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected." in checked.stdout
    made = _stock(
        mm.project, fixture_site, url, "revision", "--autogenerate", "-m", "x",
        ALEMBIC_CONFIG_EXCLUDE="factory",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert len(revisions(mm.project)) == 1


def test_no_service_selected_is_refused(
    backend_database: TestDatabase,
    make_cli: MakeCli,
    fixture_site: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    monkeypatch.setenv("ALEMBIC_CONFIG_EXCLUDE", CLEAN)
    tail = (
        "; by ALEMBIC_CONFIG_SERVICES, ALEMBIC_CONFIG_EXCLUDE or --exclude). Against an empty "
        "model every table of the database would look removed. Select at least one service."
    )
    for args, action in (
        (("db", "check"), "check for drift"),
        (("db", "revision", "--autogenerate", "-m", "x"), "autogenerate a revision"),
    ):
        refused = expect(mm(*args), 3)
        head = f"error: refusing to {action}: no service to compare: every installed service "
        assert refused.error.startswith(head + "is left out ("), refused.error
        assert refused.error.endswith(tail)
        left_out = refused.error[len(head + "is left out (") : -len(tail)].split(", ")
        assert set(CLEAN.split(",")) <= set(left_out)
    assert len(revisions(mm.project)) == 1

    stock = _stock(
        mm.project, fixture_site, backend_database.plain_url, "revision", "--autogenerate",
        "-m", "x", ALEMBIC_CONFIG_EXCLUDE=CLEAN,
    )  # fmt: skip
    assert stock.returncode != 0
    assert "no service to compare" in stock.stdout + stock.stderr
    assert "Traceback" not in stock.stderr
    assert len(revisions(mm.project)) == 1


def test_no_service_installed_is_refused(backend_database: TestDatabase, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError
    from alembic_config import EnvironmentOptions, NoServicesError, load_all_models, with_options

    config = Config()
    config.set_main_option("script_location", "alembic_config:")
    config.set_main_option("path_separator", "space")
    versions = tmp_path / "versions"
    versions.mkdir()
    config.set_main_option("version_locations", str(versions))
    options = EnvironmentOptions(
        database_url=backend_database.url, catalog=load_all_models(entry_points=[])
    )
    with_options(config, options)
    with pytest.raises(CommandError) as raised:
        command.revision(config, "x", autogenerate=True)
    cause = raised.value.__cause__
    assert isinstance(cause, NoServicesError)
    assert cause.installed == ()
    assert f"the Python environment {sys.prefix}" in str(cause)
    assert "'alembic_config.metadata'" in str(cause)
    assert list(versions.iterdir()) == []


def test_an_orphan_is_reported_kept_and_dropped_only_by_name(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    execute(backend_database.url, "CREATE TABLE handmade (id INTEGER PRIMARY KEY)")
    orphan = (
        "warning: orphan table handmade (no recorded owner: made by hand, or before owners "
        "were recorded): no installed service defines it; left alone (to drop it: mindmirror "
        "db revision --autogenerate -m ... --drop handmade)"
    )
    check = expect(mm("db", "check"))
    assert check.err_lines == [orphan, "no drift: the database matches the models"]
    report = expect(mm("db", "check", "--json")).json()
    assert report["orphans"] == [{"table": "handmade", "last_owner": None}]

    kept = expect(mm("db", "revision", "--autogenerate", "-m", "keep"))
    assert orphan in kept.err_lines
    assert len(revisions(mm.project)) == 1

    refused = expect(mm("db", "revision", "--autogenerate", "-m", "x", "--drop", "users"), 2)
    assert refused.error == (
        "error: cannot drop by name: users is defined by service users, users_copy: remove it "
        "from that service's models instead of dropping it by name"
    )
    missing = expect(mm("db", "revision", "--autogenerate", "-m", "x", "--drop", "nosuch"), 2)
    assert missing.error == "error: cannot drop by name: nosuch is not a table of the database"
    assert len(revisions(mm.project)) == 1

    dropped = expect(mm("db", "revision", "--autogenerate", "-m", "drop it", "--drop", "handmade"))
    assert "dropping orphan table handmade (named with --drop)" in dropped.err_lines
    (new,) = set(revisions(mm.project)) - {mm.project / "versions" / "r1_tables.py"}
    assert "op.drop_table('handmade')" in new.read_text()
    expect(mm("db", "upgrade"))
    assert "handmade" not in table_names(backend_database.url)


def test_an_uninstalled_service_s_tables_are_orphans_with_their_last_owner(
    backend_database: TestDatabase, make_cli: MakeCli, fixture_site: Path
) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic_config import EnvironmentOptions, OwnershipReport, load_all_models, with_options

    from tests.support.services import fixture_entry_points

    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    remaining = [
        ep
        for ep in fixture_entry_points(fixture_site)
        if ep.name in {"users", "orders", "users_copy"}
    ]
    config = Config(str(mm.project / "alembic.ini"))
    reports: list[OwnershipReport] = []
    catalog = load_all_models(services="users,orders,users_copy", entry_points=remaining)
    options = EnvironmentOptions(
        database_url=backend_database.url, catalog=catalog, on_ownership=reports.append
    )
    with_options(config, options)
    command.check(config)
    (report,) = reports
    (orphan,) = report.orphans
    assert orphan.table == "invoices"
    assert orphan.last_owner is not None
    assert orphan.last_owner.services == ("factory",)
    assert orphan.last_owner.revision == "r1"
    assert orphan.describe() == f"invoices (last owner: factory ({FIXTURES}))"


def test_the_gate_refuses_dropping_a_table_other_services_use(
    backend_database: TestDatabase, make_cli: MakeCli, fixture_site: Path
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    (mm.project / "versions" / "r2_drop_users.py").write_text(DROP_USERS)

    refused = expect(mm("db", "upgrade"), 9)
    assert refused.error == "\n".join(
        [
            "error: refusing to upgrade: pending revisions remove or narrow what other services "
            "still use; nothing was applied.",
            "  revision r2_drop_users: drop_table users",
            f"      still used by orders ({FIXTURES}): foreign key orders.user_id -> users.id",
            f"      still used by users ({FIXTURES}): maps the table users",
            f"      still used by users_copy ({FIXTURES}): maps the table users",
            "Either deploy the service versions that no longer use these objects first, or, "
            "after review, pass --allow-breaking orders --allow-breaking users "
            "--allow-breaking users_copy "
            "(stock alembic: -x allow_breaking=orders,users,users_copy).",
        ]
    )
    assert _version(backend_database.url) == ["r1"]
    assert "users" in table_names(backend_database.url)

    planned = expect(mm("db", "plan", "--json"), 9).json()
    assert planned["refused"] is True
    (step,) = planned["steps"]
    assert step["revision"] == "r2_drop_users"
    assert step["operations"][-1]["description"] == "drop_table users"
    assert step["operations"][-1]["owners"] == ["users", "users_copy"]
    (finding,) = planned["findings"]
    assert finding["services"] == ["orders", "users", "users_copy"]

    stock = _stock(mm.project, fixture_site, backend_database.plain_url, "upgrade", "head")
    assert stock.returncode != 0
    assert "refusing to upgrade" in stock.stdout + stock.stderr
    assert _version(backend_database.url) == ["r1"]

    allowed = (
        "--allow-breaking",
        "orders",
        "--allow-breaking",
        "users",
        "--allow-breaking",
        "users_copy",
    )
    expect(mm("db", "plan", *allowed))
    applied = expect(mm("db", "upgrade", *allowed))
    assert any(line.startswith("warning: impact gate overridden:") for line in applied.err_lines)
    assert _version(backend_database.url) == ["r2_drop_users"]
    assert "users" not in table_names(backend_database.url)


def test_stock_alembic_applies_with_the_override(
    backend_database: TestDatabase, make_cli: MakeCli, fixture_site: Path
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    (mm.project / "versions" / "r2_drop_users.py").write_text(DROP_USERS)
    done = _stock(
        mm.project, fixture_site, backend_database.plain_url,
        "-x", "allow_breaking=orders,users,users_copy", "upgrade", "head",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _version(backend_database.url) == ["r2_drop_users"]


def test_the_gate_refuses_dropping_a_column_its_owner_still_maps(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    _at_head(mm)
    (mm.project / "versions" / "r2_drop_name.py").write_text(DROP_NAME)
    refused = expect(mm("db", "upgrade"), 9)
    assert (
        f"      still used by users ({FIXTURES}): maps the column users.name" in refused.err_lines
    )
    assert "  revision r2_drop_name: drop_column users.name" in refused.err_lines
    assert _version(backend_database.url) == ["r1"]


def test_plan_lists_every_operation_with_its_owner(
    backend_database: TestDatabase, make_cli: MakeCli
) -> None:
    mm = make_cli("runner", backend_database.plain_url)
    expect(mm("db", "revision", "--autogenerate", "-m", "tables", "--rev-id", "r1"))
    planned = expect(mm("db", "plan", "--json")).json()
    assert planned["current"] == []
    assert planned["refused"] is False
    (step,) = planned["steps"]
    assert step["inspected"] is True
    owners = {
        op["table"]: op["owners"] for op in step["operations"] if op["operation"] == "create_table"
    }
    assert owners == {
        "users": ["users", "users_copy"],
        "orders": ["orders"],
        "invoices": ["factory"],
    }
    text = expect(mm("db", "plan"))
    assert "  create_table users  [users, users_copy]" in text.out_lines
    assert "impact gate: nothing breaks another service" in text.out_lines
    assert "alembic_version_owners" not in table_names(backend_database.url)  # plan writes nothing
