"""Discovery, selection, merging and conflicts, on real entry points of installed services."""

from __future__ import annotations

import logging
from importlib import metadata as importlib_metadata

import pytest
import sqlalchemy as sa
from alembic_config import (
    Catalog,
    UnknownServiceError,
    get_loaded_services,
    get_table_names,
    load_all_models,
)
from alembic_config._catalog import build_catalog

from tests.support.services import CLEAN, SEED_004

EntryPoints = list[importlib_metadata.EntryPoint]


def catalog_of(entry_points: EntryPoints, services: str) -> Catalog:
    return build_catalog(services=services, entry_points=entry_points, environ={})


def test_clean_services_merge_into_one_metadata(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, CLEAN)

    assert catalog.complete
    assert catalog.service_names() == ["factory", "orders", "users", "users_copy"]
    assert catalog.table_names() == ["invoices", "orders", "users"]
    assert dict(catalog.owners) == {
        "invoices": ("factory",),
        "orders": ("orders",),
        "users": ("users", "users_copy"),
    }
    users = catalog.metadata.tables["users"]
    assert users.info["alembic_config.service"] == "users"
    assert users.info["alembic_config.owners"] == ("users", "users_copy")


def test_foreign_keys_between_services_resolve_in_the_merged_metadata(
    entry_points: EntryPoints,
) -> None:
    metadata = catalog_of(entry_points, CLEAN).metadata

    (fk,) = metadata.tables["orders"].c.user_id.foreign_keys
    assert fk.column.table is metadata.tables["users"]
    assert [t.name for t in metadata.sorted_tables] == ["users", "orders", "invoices"]


def test_services_keep_their_own_metadata_untouched(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, CLEAN)
    from acfix.users import Base  # type: ignore[import-not-found]

    original = Base.metadata.tables["users"]
    assert original is not catalog.metadata.tables["users"]
    assert "alembic_config.service" not in original.info


def test_each_service_records_its_distribution_and_tables(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, CLEAN)

    by_name = {s.name: s for s in catalog.services}
    assert by_name["orders"].distribution == "alembic-config-fixtures"
    assert by_name["orders"].version == "1.0.0"
    assert by_name["orders"].entry_point == "acfix.orders:metadata"
    assert by_name["users_copy"].tables == ("users",)


SEED_004_COLUMNS = {
    "personality_id": {
        "chat_api": "missing",
        "chat_database": "Integer() NOT NULL REFERENCES personalities.id",
    },
    "persona_id": {"chat_api": "Integer() NULL", "chat_database": "missing"},
    "title": {"chat_api": "String(length=200) NULL", "chat_database": "missing"},
    "created_at": {"chat_api": "DateTime() NULL", "chat_database": "missing"},
    "updated_at": {"chat_api": "DateTime() NULL", "chat_database": "missing"},
    "started_at": {"chat_api": "missing", "chat_database": "DateTime() NULL"},
}


def test_seed_004_two_bases_are_reported_as_conflicts(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, SEED_004)

    assert not catalog.complete
    conflicts = {c.name: c for c in catalog.conflicts}
    assert sorted(conflicts) == ["conversations", "messages"]
    conversations = conflicts["conversations"]
    assert conversations.kind == "table"
    assert conversations.services == ("chat_api", "chat_database")
    columns = {d.subject: dict(d.values) for d in conversations.differences if d.aspect == "column"}
    assert columns == SEED_004_COLUMNS
    aspects = {(d.aspect, d.subject) for d in conversations.differences}
    assert ("foreign key", "personality_id") in aspects
    assert ("index", "ix_conversations_id") in aspects
    assert ("default", "conversation_data") in aspects


def test_seed_004_messages_conflict_names_each_difference(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, SEED_004)
    messages = next(c for c in catalog.conflicts if c.name == "messages")

    assert [d.describe() for d in messages.differences] == [
        "column file_attachments: chat_api=JSON() NULL, chat_database=missing",
        "column role: chat_api=String(length=20) NULL, chat_database=missing",
        "nullable content: chat_api=NULL, chat_database=NOT NULL",
        "nullable conversation_id: chat_api=NULL, chat_database=NOT NULL",
        "index ix_messages_id: chat_api=(id), chat_database=missing",
    ]


def test_conflict_description_is_readable(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, SEED_004)
    text = next(c for c in catalog.conflicts if c.name == "messages").describe()

    assert text.splitlines()[0] == (
        "table conflict: messages is defined differently by chat_api, chat_database"
    )


def test_a_service_whose_import_raises_is_recorded_and_others_load(
    entry_points: EntryPoints,
) -> None:
    catalog = catalog_of(entry_points, "users,broken,orders")

    assert catalog.service_names() == ["orders", "users"]
    (failure,) = catalog.failures
    assert failure.describe() == (
        "broken (alembic-config-fixtures 1.0.0, acfix.broken:Base) failed: ImportError: "
        "cannot import name 'Base' from 'acfix.missing_module'"
    )
    assert isinstance(failure.exception, ImportError)


@pytest.mark.parametrize(
    ("service", "error"),
    [
        (
            "not_metadata",
            "entry point not_metadata (alembic-config-fixtures 1.0.0, acfix.not_metadata:NAME) "
            "resolved to str, which is not a MetaData, an object with a .metadata MetaData "
            "(a declarative Base), or a callable returning one",
        ),
        (
            "bad_factory",
            "entry point bad_factory (alembic-config-fixtures 1.0.0, "
            "acfix.not_metadata:make_nothing) is a callable that returned NoneType, not a "
            "MetaData or an object with a .metadata MetaData",
        ),
    ],
)
def test_an_entry_point_that_gives_no_metadata_is_a_named_failure(
    entry_points: EntryPoints, service: str, error: str
) -> None:
    catalog = catalog_of(entry_points, service)

    assert [f.error for f in catalog.failures] == [error]
    assert catalog.failures[0].distribution == "alembic-config-fixtures"


def test_a_zero_argument_callable_is_accepted(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, "factory,orders,users")

    assert catalog.tables_of("factory") == ["invoices"]


def test_colliding_index_and_enum_names_are_conflicts(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, "users,orders,collide")

    assert [(c.kind, c.name, c.services) for c in catalog.conflicts] == [
        ("enum", "order_status", ("collide", "orders")),
        ("index", "ix_users_name", ("collide", "users")),
    ]
    enum = catalog.conflicts[0]
    assert enum.differences[0].values == (
        ("collide", "(open, closed) on accounts.status"),
        ("orders", "(new, paid, shipped) on orders.status"),
    )


def test_a_different_naming_convention_is_a_conflict(entry_points: EntryPoints) -> None:
    catalog = catalog_of(entry_points, "users,other_convention")

    (conflict,) = catalog.conflicts
    assert conflict.kind == "naming convention"
    assert conflict.services == ("other_convention", "users")
    # the service that differs, key by key, against the convention the others share
    by_key = {d.subject: dict(d.values) for d in conflict.differences}
    assert sorted(by_key) == ["ck", "fk", "ix", "pk", "uq"]
    assert by_key["ix"] == {
        "users": "ix_%(table_name)s_%(column_0_N_name)s",
        "other_convention": "index_%(column_0_label)s",
    }
    assert by_key["pk"] == {"users": "pk_%(table_name)s", "other_convention": "missing"}
    assert conflict.describe().splitlines()[0] == (
        "naming convention conflict: other_convention differs from users"
    )
    assert max(len(line) for line in conflict.describe().splitlines()) < 120


def test_deny_list_excludes_a_service(entry_points: EntryPoints) -> None:
    catalog = build_catalog(
        services="users,orders,broken", exclude=["broken"], entry_points=entry_points, environ={}
    )

    assert catalog.complete
    assert "broken" in catalog.excluded


def test_selection_comes_from_the_environment(entry_points: EntryPoints) -> None:
    environ = {
        "ALEMBIC_CONFIG_SERVICES": "users, orders,broken",
        "ALEMBIC_CONFIG_EXCLUDE": "broken",
    }
    catalog = build_catalog(entry_points=entry_points, environ=environ)

    assert catalog.service_names() == ["orders", "users"]
    assert catalog.complete


def test_naming_an_unknown_service_is_an_error(entry_points: EntryPoints) -> None:
    with pytest.raises(UnknownServiceError) as caught:
        build_catalog(services="users,userz", entry_points=entry_points, environ={})

    assert str(caught.value).startswith("unknown service(s): userz; installed services: ")
    assert caught.value.names == ("userz",)


def test_order_of_entry_points_changes_nothing(entry_points: EntryPoints) -> None:
    services = "users,orders,factory,users_copy,chat_database,chat_api,broken,collide"
    forward = build_catalog(services=services, entry_points=entry_points, environ={})
    backward = build_catalog(services=services, entry_points=entry_points[::-1], environ={})

    assert forward.to_dict() == backward.to_dict()
    assert [c.describe() for c in forward.conflicts] == [c.describe() for c in backward.conflicts]
    assert list(forward.metadata.tables) == list(backward.metadata.tables)


def test_debug_logging_lists_every_service_and_table(
    entry_points: EntryPoints, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="alembic_config"):
        catalog_of(entry_points, CLEAN)

    text = caplog.text
    assert (
        "service users (alembic-config-fixtures 1.0.0, acfix.users:Base): 1 tables: users" in text
    )
    assert "table invoices from service factory" in text
    assert "table users from service users, users_copy" in text


def test_seed_api_works_on_the_process_wide_catalog(
    entry_points: EntryPoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALEMBIC_CONFIG_SERVICES", "users,orders")
    catalog = load_all_models(entry_points=entry_points)
    import alembic_config

    assert get_loaded_services() == ["orders", "users"]
    assert get_table_names() == ["orders", "users"]
    assert alembic_config.metadata is catalog.metadata
    assert isinstance(alembic_config.metadata, sa.MetaData)
