"""Behaviour of alembic-config met through the CLI that differs from DESIGN.md §2.

Each test states the expected behaviour and is marked ``xfail(strict=True)``:
when alembic-config is fixed it passes, and strict makes that fail until the
mark is removed.
"""

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


@pytest.mark.xfail(
    strict=True,
    reason="alembic-config: a foreign key to a table no selected service defines is neither a "
    "failure nor a conflict; the catalog says complete and SQLAlchemy fails later",
)
def test_dangling_foreign_key_makes_the_catalog_incomplete(
    sqlite_database: TestDatabase, make_cli: MakeCli
) -> None:
    # orders.user_id references users.id; the users service is not selected
    mm = make_cli("runner", sqlite_database.plain_url, services="orders")
    listed = expect(mm("models", "list", "--json")).json()
    assert listed["failures"] != []  # actual: [] (nothing tells that users is missing)
    refused = expect(mm("db", "check"), 3)
    assert refused.error.splitlines()[0] == INCOMPLETE


@pytest.mark.xfail(
    strict=True,
    reason="alembic-config: Catalog.tables_of calls a service that is installed but not "
    "selected 'unknown' and lists the loaded services as the installed ones",
)
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
    # actual: "unknown service(s): factory; installed services: orders, users"
    assert "not selected" in str(raised.value)
    assert "factory" in str(raised.value).split("installed services: ")[-1]
