"""``mindmirror models erd`` over the real services: every table, column and key, read back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic_config import Catalog, load_all_models
from mindmirror_cli.diagrams.style import CONTEXT, CROSS_SERVICE, MISSING
from sqlalchemy import Table

from tests.diagrams.conftest import Invoke
from tests.diagrams.parsers import ParsedColumn, ParsedErd, parse_dot, parse_mermaid

Parser = Callable[[str], ParsedErd]
FORMATS = [
    pytest.param("mermaid", parse_mermaid, id="mermaid"),
    pytest.param("dot", parse_dot, id="dot"),
]
REAL_SERVICES = ["agent", "journal", "shared"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The real services, loaded as the command loads them."""
    loaded = load_all_models(services=REAL_SERVICES)
    assert loaded.service_names() == REAL_SERVICES
    return loaded


def columns_of(table: Table) -> list[ParsedColumn]:
    """What the diagram must say about each column, straight from the metadata."""
    return [
        ParsedColumn(c.name, str(c.type), c.primary_key, bool(c.foreign_keys), bool(c.nullable))
        for c in table.columns
    ]


def keys_of(catalog: Catalog, tables: list[str]) -> Counter[tuple[str, str, str]]:
    """Every foreign key of ``tables``: (table, referenced table, referencing columns)."""
    return Counter(
        (key, fk.referred_table.key, ", ".join(fk.column_keys))
        for key in tables
        for fk in catalog.metadata.tables[key].foreign_key_constraints
    )


def crosses(catalog: Catalog, source: str, target: str) -> bool:
    return not set(catalog.owners[source]) & set(catalog.owners[target])


def edge_key(label: str) -> str:
    """The referencing columns of an edge label (without the ``(a -> b)`` of a crossing key)."""
    return label.split(" (", 1)[0]


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_every_table_column_and_foreign_key_is_drawn(
    invoke: Invoke, catalog: Catalog, fmt: str, parse: Parser
) -> None:
    result = invoke("models", "erd", "--format", fmt, "--columns", "all")
    assert result.exit_code == 0, result.output
    erd = parse(result.stdout)

    assert set(erd.tables) == set(catalog.metadata.tables)
    assert len(erd.tables) == 31
    assert {g: sorted(t) for g, t in erd.groups.items()} == {
        s: catalog.tables_of(s) for s in REAL_SERVICES
    }
    for key, table in catalog.metadata.tables.items():
        assert erd.tables[key].columns == columns_of(table), key
        assert erd.tables[key].conflict is None
    drawn = Counter((e.source, e.target, edge_key(e.label)) for e in erd.edges)
    assert drawn == keys_of(catalog, list(catalog.metadata.tables))
    assert sum(drawn.values()) == 41


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_keys_that_cross_services_are_dashed_and_name_both_services(
    invoke: Invoke, catalog: Catalog, fmt: str, parse: Parser
) -> None:
    erd = parse(invoke("models", "erd", "--format", fmt).stdout)
    crossing = [e for e in erd.edges if crosses(catalog, e.source, e.target)]
    assert {(e.source, e.target) for e in crossing} == {
        ("conversations", "users"),
        ("journal_attachments", "files"),
        ("journal_entries", "users"),
        ("journal_tags", "users"),
    }
    for index, edge in enumerate(erd.edges):
        source, target = catalog.owners[edge.source][0], catalog.owners[edge.target][0]
        if edge in crossing:
            assert edge.dashed, edge
            assert edge.label.endswith(f" ({source} -> {target})"), edge.label
            if fmt == "mermaid":
                assert f"stroke:{CROSS_SERVICE}" in erd.link_styles[index]
            else:
                assert edge.attrs["color"] == CROSS_SERVICE
        else:
            assert not edge.dashed, edge
            assert "->" not in edge.label
            assert index not in erd.link_styles


def test_mermaid_colours_each_service_apart(invoke: Invoke, catalog: Catalog) -> None:
    erd = parse_mermaid(invoke("models", "erd").stdout)
    fills = {}
    for service in REAL_SERVICES:
        (name,) = [
            c for c, members in erd.classes.items() if set(catalog.tables_of(service)) == members
        ]
        fills[service] = erd.class_defs[name].split(",")[0]
        assert erd.group_styles[service]["stroke"] in erd.class_defs[name]
    assert len(set(fills.values())) == 3, fills


def test_dot_colours_each_service_and_starts_keys_at_their_columns(
    invoke: Invoke, catalog: Catalog
) -> None:
    erd = parse_dot(invoke("models", "erd", "--format", "dot").stdout)
    assert len({erd.group_styles[s]["fillcolor"] for s in REAL_SERVICES}) == 3
    for edge in erd.edges:
        column = edge_key(edge.label).split(", ")[0]
        names = [c.name for c in erd.tables[edge.source].columns]
        assert edge.attrs["source_port"] == f"o{names.index(column)}", edge


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_service_narrows_to_its_tables_plus_the_tables_they_reference_greyed(
    invoke: Invoke, catalog: Catalog, fmt: str, parse: Parser
) -> None:
    result = invoke("models", "erd", "--service", "journal", "--format", fmt)
    assert result.exit_code == 0, result.output
    erd = parse(result.stdout)

    journal = catalog.tables_of("journal")
    assert sorted(erd.groups["journal"]) == journal
    assert sorted(erd.groups["shared (referenced)"]) == ["files", "users"]
    assert set(erd.groups) == {"journal", "shared (referenced)"}
    drawn = Counter((e.source, e.target, edge_key(e.label)) for e in erd.edges)
    assert drawn == keys_of(catalog, journal)
    users = erd.tables["users"]
    assert users.columns == columns_of(catalog.metadata.tables["users"])
    if fmt == "dot":
        assert users.colour == CONTEXT.text
        assert erd.group_styles["shared (referenced)"]["fillcolor"] == CONTEXT.fill
    else:
        (grey,) = [c for c, members in erd.classes.items() if members == {"files", "users"}]
        assert erd.class_defs[grey].startswith(f"fill:{CONTEXT.header},")


def test_several_services_can_be_asked_for(invoke: Invoke, catalog: Catalog) -> None:
    erd = parse_mermaid(
        invoke("models", "erd", "--service", "journal", "--service", "agent").stdout
    )
    assert set(erd.groups) == {"agent", "journal", "shared (referenced)"}
    assert sorted(erd.groups["shared (referenced)"]) == ["files", "users"]


def test_an_unknown_service_is_refused(invoke: Invoke) -> None:
    result = invoke("models", "erd", "--service", "nope")
    assert result.exit_code == 2
    assert "unknown service(s): nope" in result.stderr


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_a_key_to_a_table_no_loaded_service_defines_points_to_a_placeholder(
    invoke: Invoke, fmt: str, parse: Parser
) -> None:
    result = invoke("--exclude", "shared", "models", "erd", "--format", fmt)
    assert result.exit_code == 0, result.output
    erd = parse(result.stdout)
    assert sorted(erd.groups["not loaded"]) == ["files", "users"]
    assert erd.tables["users"].note == "not defined by any loaded service"
    assert erd.tables["users"].columns == []
    if fmt == "dot":
        assert erd.group_styles["not loaded"]["color"] == MISSING.stroke
    to_users = [e for e in erd.edges if e.target == "users"]
    assert {e.source for e in to_users} == {"conversations", "journal_entries", "journal_tags"}
    assert all(e.dashed and e.label.endswith(" -> ?)") for e in to_users)


def test_text_goes_to_a_file_with_output(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "schema.mmd"
    result = invoke("models", "erd", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text() == invoke("models", "erd").stdout
    assert f"wrote {target}: 31 tables of agent, journal, shared" in result.stderr


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_tables_whose_services_disagree_are_marked_conflict(
    invoke: Invoke, fixture_site: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, parse: Parser
) -> None:
    monkeypatch.syspath_prepend(str(fixture_site))
    monkeypatch.setenv("ALEMBIC_CONFIG_SERVICES", "chat_database,chat_api")
    result = invoke("models", "erd", "--format", fmt)
    assert result.exit_code == 0, result.output
    erd = parse(result.stdout)

    assert erd.groups == {
        "chat_database": ["personalities"],
        "chat_api + chat_database": ["conversations", "messages"],
    }
    assert erd.tables["conversations"].conflict == "chat_api, chat_database"
    assert erd.tables["messages"].conflict == "chat_api, chat_database"
    assert erd.tables["personalities"].conflict is None
    if fmt == "mermaid":
        assert erd.classes["conflict"] == {"conversations", "messages"}
        assert "stroke-width:4px" in erd.class_defs["conflict"]
