"""``mindmirror supabase``: the seed's init|revision|upgrade|status|health, and the URL checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import MODE_PARAMS, SECONDS, expect, matches
from tests.support.databases import BOOKKEEPING, TestDatabase, table_names

POOLER_WARNING = (
    "warning: port 6543 is Supabase's transaction pooler: it breaks session state, advisory "
    "locks and prepared statements that migrations rely on; use the direct connection or the "
    "session pooler (port 5432) for migrations"
)
SSL_NOTE = "remote Supabase host: using sslmode=require"


def supabase_url(database: TestDatabase) -> str:
    """The test database as a Supabase dashboard shows it: ``postgres://``."""
    return database.plain_url.replace("postgresql://", "postgres://")


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_seed_flow(
    mode: str, postgresql_database: TestDatabase, make_cli: MakeCli, tmp_path: Path
) -> None:
    mm = make_cli(mode, supabase_url(postgresql_database))
    shown = f"postgresql+psycopg://postgres@127.0.0.1:5432/{postgresql_database.name}"

    fresh = tmp_path / "fresh"
    init = expect(mm("supabase", "init", str(fresh)))
    assert init.out_lines == [
        f"wrote {fresh / 'alembic.ini'}",
        f"wrote {fresh / '.env.example'}",
        f"wrote {fresh / 'migrations'}",  # a history of its own (test_init_history)
    ]

    made = expect(mm("supabase", "revision", "--autogenerate", "-m", "initial", "--rev-id", "s1"))
    assert made.out_lines == [f"wrote {mm.project / 'versions' / 's1_initial.py'}"]
    up = expect(mm("supabase", "upgrade"))
    assert matches(
        [
            re.escape(f"upgrading {shown} to head"),
            rf"  applied s1 \(initial\) in {SECONDS}",
            rf"upgraded 1 revision\(s\) in {SECONDS}; now at s1",
        ],
        up.err_lines,
    ), str(up)
    assert table_names(postgresql_database.url) == {"users", "orders", "invoices"} | BOOKKEEPING

    status = expect(mm("supabase", "status", "--check", "--json")).json()
    assert (status["database"], status["current"], status["at_head"]) == (shown, ["s1"], True)
    health = expect(mm("supabase", "health", "--json")).json()
    assert health["healthy"] is True
    assert health["database"] == shown
    # a local database: no pooler warning, no sslmode
    assert expect(mm("supabase", "doctor", "--json")).json()["warnings"] == []


@pytest.mark.parametrize(
    ("url", "shown", "stderr"),
    [
        (
            "postgres://u:pw@db.abc.supabase.co:6543/postgres",
            "postgresql+psycopg://u:***@db.abc.supabase.co:6543/postgres?sslmode=require",
            [POOLER_WARNING, SSL_NOTE],
        ),
        (
            "postgres://u:pw@db.abc.supabase.co:5432/postgres",
            "postgresql+psycopg://u:***@db.abc.supabase.co:5432/postgres?sslmode=require",
            [SSL_NOTE],
        ),
        (
            "postgresql://u:pw@db.abc.supabase.co/postgres?sslmode=verify-full",
            "postgresql+psycopg://u:***@db.abc.supabase.co/postgres?sslmode=verify-full",
            [],
        ),
        (
            "postgres://u:pw@localhost:6543/postgres",
            "postgresql+psycopg://u:***@localhost:6543/postgres",
            [POOLER_WARNING],
        ),
        (
            "sqlite:///local.db",
            "sqlite:///local.db",
            ["warning: Supabase runs PostgreSQL, but the URL is sqlite"],
        ),
    ],
    ids=["pooler-remote", "direct-remote", "sslmode-kept", "pooler-local", "not-postgres"],
)
def test_url_checks_without_connecting(
    url: str, shown: str, stderr: list[str], make_cli: MakeCli
) -> None:
    mm = make_cli()
    doctor = expect(mm("--database-url", url, "supabase", "doctor", "--json"))
    data = doctor.json()
    assert data["database_url"] == shown
    assert doctor.err_lines == stderr
    assert data["warnings"] == [
        line.removeprefix("warning: ") for line in stderr if "warning" in line
    ]
    # the plain db group checks nothing
    plain = expect(mm("--database-url", url, "doctor", "--json"))
    assert plain.err_lines == []
    assert "sslmode=require" not in plain.json()["database_url"] or "verify" in url


def test_status_on_a_remote_host_uses_tls_and_warns(make_cli: MakeCli) -> None:
    # 127.0.0.2 is not one of the local names: treated as remote, and nothing listens on it
    mm = make_cli()
    refused = expect(
        mm("--database-url", "postgres://u:pw@127.0.0.2:6543/db", "supabase", "status"), 4
    )
    assert refused.err_lines[:2] == [POOLER_WARNING, SSL_NOTE]
    assert refused.error.startswith(
        "error: cannot connect to postgresql+psycopg://u:***@127.0.0.2:6543/db?sslmode=require: "
    )
