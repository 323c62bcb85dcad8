"""Incomplete selections met through the CLI: a key to a table left out, a service left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import expect
from tests.support.databases import TestDatabase
from tests.support.services import fixture_entry_points

INCOMPLETE = (
    "error: refusing to check for drift: the merged metadata is incomplete or contradictory."
)


def test_dangling_foreign_key_makes_the_catalog_incomplete(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    # orders.user_id references users.id; the users service is not selected
    mm = make_cli("runner", sqlite_database.plain_url, services="orders")
    conflicts = expect(mm("models", "conflicts", "--json"), 3).json()["conflicts"]
    assert [(c["kind"], c["name"]) for c in conflicts] == [
        ("unresolved foreign key", "orders.user_id")
    ]
    refused = expect(mm("db", "check"), 3)
    assert refused.error.splitlines()[:2] == [
        INCOMPLETE,
        "  unresolved foreign key: orders.user_id of orders refers to a table no selected "
        "service defines",
    ]


def test_tables_of_an_unselected_service_says_it_is_not_selected(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic_config import UnknownServiceError, load_all_models

    monkeypatch.syspath_prepend(str(fixture_site))
    catalog = load_all_models(
        services="users,orders", entry_points=fixture_entry_points(fixture_site)
    )
    with pytest.raises(UnknownServiceError) as raised:
        catalog.tables_of("factory")
    assert str(raised.value).startswith("service(s) not selected: factory (installed, but left")
