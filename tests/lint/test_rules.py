"""Each lint rule fires on a revision that does the unsafe thing and stays quiet on its safe form.

The revisions run against a real database holding ``accounts`` (owned by
``users``) and ``notes`` (owned by ``journal``), both with rows, so the rules
that ask the database (does the table exist, is NOT NULL already proven by a
validated CHECK) get real answers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic_config.lint import DatabaseFacts, LintReport, Severity, lint_scripts

from tests.support.databases import TestDatabase, isolated_database

OWNERS = {"accounts": ("users",), "notes": ("journal",)}

SCHEMA = {
    "postgresql": [
        "CREATE TYPE account_status AS ENUM ('new', 'paid', 'gone')",
        "CREATE TABLE accounts (id serial PRIMARY KEY, name varchar(100), nick varchar(50), "
        "status account_status, CONSTRAINT ck_accounts_nick_nn CHECK (nick IS NOT NULL))",
        "CREATE TABLE notes (id serial PRIMARY KEY, account_id integer, body text)",
        "INSERT INTO accounts (name, nick, status) VALUES ('a', 'a', 'new')",
        "INSERT INTO notes (account_id, body) VALUES (1, 'x')",
        "ANALYZE accounts",
    ],
    "mariadb": [
        "CREATE TABLE accounts (id integer AUTO_INCREMENT PRIMARY KEY, name varchar(100), "
        "nick varchar(50), status enum('new', 'paid', 'gone'))",
        "CREATE TABLE notes (id integer AUTO_INCREMENT PRIMARY KEY, account_id integer, body text)",
        "INSERT INTO accounts (name, nick, status) VALUES ('a', 'a', 'new')",
        "INSERT INTO notes (account_id, body) VALUES (1, 'x')",
    ],
}

ENUM_BEFORE = 'sa.Enum("new", "paid", "gone", name="account_status")'
ENUM_FEWER = 'sa.Enum("new", "paid", name="account_status")'
ENUM_MORE = 'sa.Enum("new", "paid", "gone", "archived", name="account_status")'
ADD_NULLABLE = 'op.add_column("accounts", sa.Column("extra", sa.Integer(), nullable=True))'
CONCURRENT_INDEX = """\
with op.get_context().autocommit_block():
    op.create_index("ix_accounts_name", "accounts", ["name"], postgresql_concurrently=True)"""

# rule id -> (backends, the unsafe upgrade body, the safe upgrade body)
CASES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "adding-required-column": (
        ("postgresql", "mariadb"),
        'op.add_column("accounts", sa.Column("age", sa.Integer(), nullable=False))',
        'op.add_column("accounts", sa.Column("age", sa.Integer(), nullable=False, '
        'server_default="0"))',
    ),
    "index-without-concurrently": (
        ("postgresql",),
        'op.create_index("ix_accounts_name", "accounts", ["name"])',
        CONCURRENT_INDEX,
    ),
    "unique-constraint-on-existing-table": (
        ("postgresql",),
        'op.create_unique_constraint("uq_accounts_name", "accounts", ["name"])',
        "with op.get_context().autocommit_block():\n"
        '    op.create_index("uq_accounts_name", "accounts", ["name"], unique=True, '
        "postgresql_concurrently=True)\n"
        'op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_name UNIQUE USING INDEX '
        'uq_accounts_name")',
    ),
    "column-type-change": (
        ("postgresql", "mariadb"),
        'op.alter_column("accounts", "name", type_=sa.Integer(), existing_type=sa.String(100), '
        'postgresql_using="length(name)")',
        ADD_NULLABLE,
    ),
    "constraint-without-not-valid": (
        ("postgresql",),
        'op.create_foreign_key("fk_notes_account", "notes", "accounts", ["account_id"], ["id"])\n'
        'op.create_check_constraint("ck_notes_body", "notes", "length(body) > 0")',
        'op.create_foreign_key("fk_notes_account", "notes", "accounts", ["account_id"], ["id"], '
        "postgresql_not_valid=True)\n"
        "with op.get_context().autocommit_block():\n"
        '    op.execute("ALTER TABLE notes VALIDATE CONSTRAINT fk_notes_account")',
    ),
    "setting-not-null": (
        ("postgresql",),
        'op.alter_column("accounts", "name", nullable=False, existing_type=sa.String(100))',
        # nick has a validated CHECK (nick IS NOT NULL) in the database: no scan
        'op.alter_column("accounts", "nick", nullable=False, existing_type=sa.String(50))',
    ),
    "drop-table": (("postgresql", "mariadb"), 'op.drop_table("notes")', ADD_NULLABLE),
    "rename-table": (
        ("postgresql", "mariadb"),
        'op.rename_table("notes", "memos")',
        ADD_NULLABLE,
    ),
    "drop-column": (("postgresql", "mariadb"), 'op.drop_column("notes", "body")', ADD_NULLABLE),
    "rename-column": (
        ("postgresql", "mariadb"),
        'op.alter_column("notes", "body", new_column_name="text", existing_type=sa.Text())',
        ADD_NULLABLE,
    ),
    "enum-value-removed": (
        ("postgresql", "mariadb"),
        f'op.alter_column("accounts", "status", type_={ENUM_FEWER}, existing_type={ENUM_BEFORE})',
        f'op.alter_column("accounts", "status", type_={ENUM_MORE}, existing_type={ENUM_BEFORE})',
    ),
    "ddl-several-services": (
        ("postgresql", "mariadb"),
        f'{ADD_NULLABLE}\nop.add_column("notes", sa.Column("extra", sa.Integer()))',
        f'{ADD_NULLABLE}\nop.add_column("accounts", sa.Column("more", sa.Integer()))',
    ),
    "data-with-ddl": (
        ("postgresql", "mariadb"),
        f"{ADD_NULLABLE}\nop.execute(\"UPDATE accounts SET name = 'x'\")",
        "op.execute(\"UPDATE accounts SET name = 'x'\")",
    ),
}

REVISION = '''"""{message}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''


@pytest.fixture(scope="module", params=["postgresql", "mariadb"])
def shared_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """One database per backend for the whole table: the revisions are linted, never run."""
    with isolated_database(request.param, tmp_path_factory.mktemp("lint")) as db:
        engine = sa.create_engine(db.url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            for statement in SCHEMA[request.param]:
                conn.exec_driver_sql(statement)
        engine.dispose()
        yield db


def lint_body(database: TestDatabase, folder: Path, body: str, **kw: Any) -> LintReport:
    """Write a revision with ``body`` as its upgrade and lint it against ``database``."""
    versions = folder / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    text = REVISION.format(
        message="under test", revision="r_case", body=textwrap.indent(body, "    ")
    )
    (versions / "r_case.py").write_text(text)
    script = ScriptDirectory(str(folder), version_locations=[str(versions)])
    engine = sa.create_engine(database.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return lint_scripts(
                [script.get_revision("r_case")],
                dialect=conn.dialect,
                connection=conn,
                recorded_owners=OWNERS,
                **kw,
            )
    finally:
        engine.dispose()


def _rules(report: LintReport) -> set[str]:
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_rule_fires_on_the_unsafe_form(
    rule: str, shared_database: TestDatabase, tmp_path: Path
) -> None:
    backends, unsafe, _ = CASES[rule]
    report = lint_body(shared_database, tmp_path, unsafe)
    if shared_database.backend not in backends:  # a PostgreSQL lock rule, on MariaDB
        assert rule not in _rules(report), report.to_dict()
        return
    assert rule in _rules(report), report.to_dict()
    assert report.database is None  # the database was asked
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.revision == "r_case"
    assert finding.hint
    assert finding.note is None


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_rule_is_quiet_on_the_safe_form(
    rule: str, shared_database: TestDatabase, tmp_path: Path
) -> None:
    backends, _, safe = CASES[rule]
    if shared_database.backend not in backends:
        pytest.skip(f"{rule} is about {', '.join(backends)}")
    report = lint_body(shared_database, tmp_path, safe)
    assert rule not in _rules(report), report.to_dict()


def test_a_finding_names_revision_operation_owner_severity_and_fix(
    shared_database: TestDatabase, tmp_path: Path
) -> None:
    report = lint_body(shared_database, tmp_path, CASES["adding-required-column"][1])
    (finding,) = report.findings
    assert finding.to_dict() == {
        "rule": "adding-required-column",
        "severity": "error",
        "revision": "r_case",
        "operation": "add_column age on accounts",
        "table": "accounts",
        "services": ["users"],
        "message": "accounts.age is NOT NULL without a server default (about 1 rows): the "
        "ALTER fails on a table with rows, and the services' running code does not write it "
        "yet",
        "hint": "add the column nullable (or with a server_default), backfill it, then make "
        "it NOT NULL in a later revision",
        "allowed": False,
        "allowed_by": None,
        "note": None,
    }
    assert finding.severity is Severity.ERROR
    assert report.errors == (finding,)


def test_a_table_created_in_the_same_revision_is_new(
    shared_database: TestDatabase, tmp_path: Path
) -> None:
    body = (
        'op.create_table("fresh", sa.Column("id", sa.Integer(), primary_key=True), '
        'sa.Column("n", sa.Integer(), nullable=True))\n'
        'op.add_column("fresh", sa.Column("req", sa.Integer(), nullable=False))\n'
        'op.create_index("ix_fresh_n", "fresh", ["n"])'
    )
    report = lint_body(shared_database, tmp_path, body)
    assert report.findings == ()


def test_without_the_database_tables_are_assumed_to_exist_and_findings_say_so(
    shared_database: TestDatabase, tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    body = textwrap.indent(CASES["adding-required-column"][1], "    ")
    (versions / "r_case.py").write_text(REVISION.format(message="m", revision="r_case", body=body))
    script = ScriptDirectory(str(tmp_path), version_locations=[str(versions)])
    dialect = sa.make_url(shared_database.url).get_dialect()()
    report = lint_scripts(
        [script.get_revision("r_case")], dialect=dialect, unreachable="database not reachable"
    )
    (finding,) = report.findings
    assert finding.note == "database not reachable: assumed accounts exists"
    assert report.to_dict()["database_checked"] is False
    assert DatabaseFacts.unreachable("x").exists("accounts") is None


def test_set_not_null_is_judged_by_the_database_s_validated_checks(
    shared_database: TestDatabase, tmp_path: Path
) -> None:
    if shared_database.backend != "postgresql":
        pytest.skip("validated NOT NULL checks are read on PostgreSQL")
    versions = tmp_path / "versions"
    versions.mkdir()
    body = textwrap.indent(CASES["setting-not-null"][2], "    ")
    (versions / "r_case.py").write_text(REVISION.format(message="m", revision="r_case", body=body))
    script = ScriptDirectory(str(tmp_path), version_locations=[str(versions)])
    dialect = sa.make_url(shared_database.url).get_dialect()()
    blind = lint_scripts([script.get_revision("r_case")], dialect=dialect)
    assert _rules(blind) == {"setting-not-null"}  # the same revision, the database not asked
