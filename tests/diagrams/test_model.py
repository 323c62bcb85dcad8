"""The diagram model and renderers on awkward schemas: schemas, quotes, markup, composite keys."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from alembic_config import Catalog, Service, ServiceState
from mindmirror_cli.diagrams import build_erd, erd_dot, erd_mermaid, render
from mindmirror_cli.diagrams.mermaid import identifiers

from tests.diagrams.parsers import parse_dot, parse_mermaid

ODD = 'we"ird <t> #1'


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    metadata = sa.MetaData()
    sa.Table(
        "log",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        schema="audit",
    )
    sa.Table("a_b", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        ODD,
        metadata,
        sa.Column('c"1', sa.String(10), primary_key=True),
        sa.Column("x", sa.Integer, nullable=False),
        sa.Column("y", sa.Integer),
        sa.Column("z", sa.Numeric(10, 2)),
        sa.ForeignKeyConstraint(["x", "y"], ["audit.log.id", "audit.log.part"]),
        sa.ForeignKeyConstraint(["z"], ["a_b.id"]),
    )
    owners = {"audit.log": ("audit",), "a_b": ("audit", "core"), ODD: ("core",)}
    services = tuple(
        Service(
            name,
            name,
            "1",
            "x:y",
            ServiceState.OK,
            tuple(k for k, o in owners.items() if name in o),
        )
        for name in ("audit", "core")
    )
    return Catalog(metadata, services, (), (), owners, ())


def test_odd_names_survive_mermaid(catalog: Catalog) -> None:
    erd = parse_mermaid(erd_mermaid(build_erd(catalog)))
    assert set(erd.tables) == {"audit.log", "a_b", ODD}
    assert erd.groups == {"audit": ["audit.log"], "core": [ODD], "audit + core": ["a_b"]}
    assert [c.name for c in erd.tables[ODD].columns] == ['c"1', "x", "y", "z"]
    assert erd.tables[ODD].columns[3].type == "NUMERIC(10, 2)"
    labels = {(e.source, e.target): (e.label, e.dashed) for e in erd.edges}
    assert labels == {
        (ODD, "audit.log"): ("x, y (core -> audit)", True),
        (ODD, "a_b"): ("z", False),
    }


def test_odd_names_survive_dot(catalog: Catalog) -> None:
    erd = parse_dot(erd_dot(build_erd(catalog)))
    assert set(erd.tables) == {"audit.log", "a_b", ODD}
    assert [c.name for c in erd.tables[ODD].columns] == ['c"1', "x", "y", "z"]
    assert {(e.source, e.target, e.label) for e in erd.edges} == {
        (ODD, "audit.log", "x, y (core -> audit)"),
        (ODD, "a_b", "z"),
    }


def test_graphviz_accepts_the_escaped_names(catalog: Catalog) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    svg = render(erd_dot(build_erd(catalog)), "svg")
    root = ET.fromstring(svg)  # noqa: S314 - Graphviz's output of our own DOT
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {ODD, "audit.log", 'c"1'} <= texts


def test_identifiers_stay_distinct() -> None:
    assert identifiers(["a.b", "a_b", "a-b", "end"], "t_") == {
        "a.b": "t_a_b",
        "a_b": "t_a_b_2",
        "a-b": "t_a_b_3",
        "end": "t_end",
    }


def test_a_table_shared_by_two_services_takes_no_single_colour(catalog: Catalog) -> None:
    erd = build_erd(catalog)
    shared = next(g for g in erd.groups if g.name == "audit + core")
    assert shared.colour == -1
    assert shared.services == ("audit", "core")
