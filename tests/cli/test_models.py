"""``mindmirror models list|tables|conflicts|fks``: text and JSON carry the same facts."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import MakeCli
from tests.cli.support import MODE_PARAMS, expect
from tests.support.runner import Outcome
from tests.support.services import SEED_004

# models list, tables, fks and erd show what loaded, then exit 3: the answer is incomplete
INCOMPLETE = (
    "error: the result is incomplete: service broken failed to load (fix it, or leave it out "
    "with --exclude broken)"
)
BROKEN_WARNING = (
    "warning: service broken failed to load, so its tables are missing here: ImportError: "
    "cannot import name 'Base' from 'acfix.missing_module' (see 'mindmirror models list')"
)


def rows(outcome: Outcome) -> list[list[str]]:
    """A table printed by the CLI, as cells (columns are separated by two spaces or more)."""
    return [re.split(r"\s{2,}", line.strip()) for line in outcome.out_lines if line.strip()]


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_list(mode: str, make_cli: MakeCli) -> None:
    mm = make_cli(mode, services="users,orders,factory,broken")
    listed_text = expect(mm("models", "list"), 3)
    assert listed_text.error == INCOMPLETE
    text = rows(listed_text)
    data = expect(mm("models", "list", "--json"), 3).json()

    assert text[0] == ["service", "distribution", "version", "tables", "state"]
    listed = {row[0]: row[1:] for row in text[1:]}
    assert {name: cells for name, cells in listed.items() if cells[-1] != "excluded"} == {
        "broken": [
            "alembic-config-fixtures", "1.0.0", "-",
            "FAILED: ImportError: cannot import name 'Base' from 'acfix.missing_module'",
        ],
        "factory": ["alembic-config-fixtures", "1.0.0", "1", "ok"],
        "orders": ["alembic-config-fixtures", "1.0.0", "1", "ok"],
        "users": ["alembic-config-fixtures", "1.0.0", "1", "ok"],
    }  # fmt: skip

    assert [s["name"] for s in data["services"]] == ["factory", "orders", "users"]
    assert data["services"][2] == {
        "name": "users",
        "distribution": "alembic-config-fixtures",
        "version": "1.0.0",
        "entry_point": "acfix.users:Base",
        "tables": ["users"],
    }
    assert [(f["name"], f["error"]) for f in data["failures"]] == [
        ("broken", "ImportError: cannot import name 'Base' from 'acfix.missing_module'")
    ]
    excluded = sorted(name for name, cells in listed.items() if cells[-1] == "excluded")
    assert sorted(data["excluded"]) == excluded
    assert {"users_copy", "chat_api", "chat_database"} <= set(excluded)


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_tables(mode: str, make_cli: MakeCli) -> None:
    mm = make_cli(mode)
    text = rows(expect(mm("models", "tables")))
    data = expect(mm("models", "tables", "--json")).json()

    assert text == [
        ["table", "service"],
        ["invoices", "factory"],
        ["orders", "orders"],
        ["users", "users, users_copy"],
    ]
    assert data == {
        "tables": {
            "invoices": ["factory"],
            "orders": ["orders"],
            "users": ["users", "users_copy"],
        },
        "failures": [],
    }
    only = expect(mm("models", "tables", "--service", "users_copy", "--json")).json()
    assert only["tables"] == {"users": ["users", "users_copy"]}
    unknown = expect(mm("models", "tables", "--service", "nosuch"), 2)
    assert unknown.error.startswith("error: unknown service(s): nosuch; installed services: ")
    assert "chat_api, chat_database" in unknown.error  # installed, though not selected
    unselected = expect(mm("models", "tables", "--service", "chat_api"), 2)
    assert unselected.error == (
        "error: service chat_api is installed but not selected (ALEMBIC_CONFIG_SERVICES, "
        "ALEMBIC_CONFIG_EXCLUDE or --exclude leave it out); selected: factory, orders, users, "
        "users_copy"
    )


def test_tables_warn_about_a_failed_service(make_cli: MakeCli) -> None:
    mm = make_cli(services="users,broken")
    text = expect(mm("models", "tables"), 3)
    assert text.err_lines == [BROKEN_WARNING, INCOMPLETE]
    data = expect(mm("models", "tables", "--json"), 3)
    assert data.err_lines == [BROKEN_WARNING, INCOMPLETE]
    assert [f["name"] for f in data.json()["failures"]] == ["broken"]


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_conflicts(mode: str, make_cli: MakeCli) -> None:
    clean = make_cli(mode)
    assert expect(clean("models", "conflicts")).err_lines == ["no conflicts"]
    assert expect(clean("models", "conflicts", "--json")).json() == {
        "conflicts": [],
        "failures": [],
    }

    mm = make_cli(mode, services=SEED_004)
    text = expect(mm("models", "conflicts"), 3)
    data = expect(mm("models", "conflicts", "--json"), 3)
    assert text.error == data.error == "error: 2 conflict(s) between services"
    # no duplicate of the conflicts in the log: the command shows them
    assert text.err_lines == ["error: 2 conflict(s) between services"]

    conflicts = data.json()["conflicts"]
    assert [(c["kind"], c["name"], c["services"]) for c in conflicts] == [
        ("table", "conversations", ["chat_api", "chat_database"]),
        ("table", "messages", ["chat_api", "chat_database"]),
    ]
    headlines = [line for line in text.out_lines if not line.startswith(" ")]
    assert headlines == [
        "table conflict: conversations is defined differently by chat_api, chat_database",
        "table conflict: messages is defined differently by chat_api, chat_database",
    ]
    details = [line.strip() for line in text.out_lines if line.startswith(" ")]
    shown = [
        f"{d['aspect']} {d['subject']}: "
        + ", ".join(f"{service}={value}" for service, value in d["values"].items())
        for c in conflicts
        for d in c["differences"]
    ]
    assert details == shown
    assert "nullable content: chat_api=NULL, chat_database=NOT NULL" in details


@pytest.mark.parametrize("mode", MODE_PARAMS)
def test_fks(mode: str, make_cli: MakeCli) -> None:
    mm = make_cli(mode)
    text = rows(expect(mm("models", "fks")))
    data = expect(mm("models", "fks", "--json")).json()

    assert text == [
        ["table.column", "service", "references", "owned by", "on delete"],
        ["invoices.order_id", "factory", "orders.id", "orders", "-"],
        ["orders.user_id", "orders", "users.id", "users, users_copy", "CASCADE"],
    ]
    assert data == {
        "foreign_keys": [
            {
                "table": "invoices",
                "column": "order_id",
                "service": "factory",
                "references": "orders.id",
                "referenced_service": "orders",
                "resolved": True,
                "ondelete": None,
            },
            {
                "table": "orders",
                "column": "user_id",
                "service": "orders",
                "references": "users.id",
                "referenced_service": "users, users_copy",
                "resolved": True,
                "ondelete": "CASCADE",
            },
        ],
        "failures": [],
    }


def test_fks_to_a_table_no_selected_service_defines(make_cli: MakeCli) -> None:
    mm = make_cli(services="orders")
    text = rows(expect(mm("models", "fks")))
    assert text[1] == ["orders.user_id", "orders", "users.id", "(no selected service)", "CASCADE"]
    (key,) = expect(mm("models", "fks", "--json")).json()["foreign_keys"]
    assert (key["referenced_service"], key["resolved"]) == (None, False)


def test_fks_none_crossing(make_cli: MakeCli) -> None:
    mm = make_cli(services="users")
    done = expect(mm("models", "fks"))
    assert (done.stdout, done.err_lines) == (
        "",
        ["no foreign key crosses from one service to another"],
    )
