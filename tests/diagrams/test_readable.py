"""A large service's ER diagram stays readable: wide tables list their keys only, keys leave their
column's row on the right and enter the referenced row on the left, labels sit at the edge's start.

Judged on the structure of the Mermaid, DOT and SVG output (docs/erd.png is the picture).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic_config import Catalog, load_all_models
from mindmirror_cli.diagrams import build_erd
from mindmirror_cli.diagrams.model import COLUMN_LIMIT, LARGE_DIAGRAM
from sqlalchemy import Table

from tests.diagrams.conftest import Invoke
from tests.diagrams.parsers import ParsedErd, parse_dot, parse_mermaid

Parser = Callable[[str], ParsedErd]
FORMATS = [
    pytest.param("mermaid", parse_mermaid, id="mermaid"),
    pytest.param("dot", parse_dot, id="dot"),
]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_all_models(services=["agent", "journal", "shared"])


def key_names(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.primary_key or c.foreign_keys]


def test_the_example_schema_is_large_enough_to_need_it(catalog: Catalog) -> None:
    tables = catalog.metadata.tables
    assert len(tables) > LARGE_DIAGRAM
    assert len(catalog.tables_of("shared")) >= 20
    referencing_users = {
        key for key, t in tables.items() for fk in t.foreign_keys if fk.column.table.key == "users"
    }
    assert len(referencing_users) >= 15, "users is the hub of the example schema"


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_wide_tables_list_their_keys_and_count_the_rest(
    invoke: Invoke, catalog: Catalog, fmt: str, parse: Parser
) -> None:
    result = invoke("models", "erd", "--format", fmt)
    assert result.exit_code == 0, result.output
    erd = parse(result.stdout)
    narrowed = 0
    for key, table in catalog.metadata.tables.items():
        drawn = erd.tables[key]
        names = [c.name for c in drawn.columns]
        if len(table.columns) > COLUMN_LIMIT:
            narrowed += 1
            assert names == key_names(table), key
            assert drawn.hidden == len(table.columns) - len(names), key
        else:
            assert names == [c.name for c in table.columns], key
            assert drawn.hidden == 0, key
    assert narrowed == 20
    title = result.stdout.splitlines()[0 if fmt == "mermaid" else 1]
    assert "; 20 tables show only their key columns" in title


def test_mermaid_and_dot_show_the_same_columns(invoke: Invoke) -> None:
    mermaid = parse_mermaid(invoke("models", "erd").stdout)
    dot = parse_dot(invoke("models", "erd", "--format", "dot").stdout)
    assert {k: (t.columns, t.hidden) for k, t in mermaid.tables.items()} == {
        k: (t.columns, t.hidden) for k, t in dot.tables.items()
    }


def test_every_key_runs_from_its_rows_right_side_to_the_referenced_rows_left_side(
    invoke: Invoke, catalog: Catalog
) -> None:
    source = invoke("models", "erd", "--format", "dot").stdout
    erd = parse_dot(source)
    assert len(erd.edges) == 41
    for edge in erd.edges:
        fk = next(
            fk
            for fk in catalog.metadata.tables[edge.source].foreign_key_constraints
            if ", ".join(fk.column_keys) == edge.label.split(" (")[0]
        )
        source_names = [c.name for c in erd.tables[edge.source].columns]
        target_names = [c.name for c in erd.tables[edge.target].columns]
        assert edge.attrs["source_port"] == f"o{source_names.index(fk.column_keys[0])}"
        assert edge.attrs["target_port"] == f"c{target_names.index(fk.elements[0].column.name)}"
    assert ":e -> " in source
    assert ":w [" in source


def test_only_keys_across_services_or_of_several_columns_carry_text_and_at_their_start(
    invoke: Invoke, catalog: Catalog
) -> None:
    erd = parse_dot(invoke("models", "erd", "--format", "dot").stdout)
    for edge in erd.edges:
        source, target = catalog.owners[edge.source][0], catalog.owners[edge.target][0]
        if source != target:
            assert edge.attrs["taillabel"] == f"{source} -> {target}", edge
        elif ", " in edge.label:
            assert edge.attrs["taillabel"] == edge.label, edge
        else:
            assert "taillabel" not in edge.attrs, edge
        assert "headlabel" not in edge.attrs


@pytest.mark.usefixtures("graphviz")
def test_the_svg_keeps_every_key_as_a_tooltip_and_every_count(
    invoke: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "erd.svg"
    assert invoke("models", "erd", "--format", "svg", "-o", str(target)).exit_code == 0
    root = ET.fromstring(target.read_bytes())  # noqa: S314 - Graphviz's output of our own DOT
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edges) == 41
    tooltips = sorted(a.get(f"{XLINK}title") or "" for g in edges for a in g.iter(f"{SVG}a"))
    dot = parse_dot(invoke("models", "erd", "--format", "dot").stdout)
    assert sorted(tooltips) == sorted(e.label for e in dot.edges)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert sum(1 for t in texts if t.endswith("more columns")) == 20


def test_a_small_diagram_lists_every_column(invoke: Invoke, catalog: Catalog) -> None:
    erd = parse_mermaid(invoke("models", "erd", "--service", "journal").stdout)
    assert len(erd.tables) <= LARGE_DIAGRAM
    users = catalog.metadata.tables["users"]
    assert len(users.columns) > COLUMN_LIMIT
    assert [c.name for c in erd.tables["users"].columns] == [c.name for c in users.columns]
    assert all(t.hidden == 0 for t in erd.tables.values())


@pytest.mark.parametrize(("fmt", "parse"), FORMATS)
def test_columns_all_and_keys_override_the_choice(
    invoke: Invoke, catalog: Catalog, fmt: str, parse: Parser
) -> None:
    every = parse(invoke("models", "erd", "--format", fmt, "--columns", "all").stdout)
    assert all(t.hidden == 0 for t in every.tables.values())
    keys = parse(
        invoke("models", "erd", "--service", "journal", "--format", fmt, "--columns", "keys").stdout
    )
    for key, drawn in keys.tables.items():
        table = catalog.metadata.tables[key]
        assert [c.name for c in drawn.columns] == key_names(table), key
        assert drawn.hidden == len(table.columns) - len(drawn.columns)


def test_build_erd_refuses_an_unknown_column_mode(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="columns must be one of auto, all, keys"):
        build_erd(catalog, columns="some")
