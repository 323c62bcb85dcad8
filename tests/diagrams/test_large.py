"""A 2,000-table schema (40 services x 50 tables) draws completely, and ``--service`` narrows it.

The timing is measured by hand and written down in docs/diagrams.md, not asserted here.
"""

from __future__ import annotations

from collections import Counter

import pytest
from alembic_config import Catalog
from mindmirror_cli.app import App
from mindmirror_cli.diagrams import build_erd, erd_dot, erd_mermaid, limits_exceeded
from mindmirror_cli.diagrams.dot import BOUNDED_LAYOUT

from tests.diagrams.conftest import Invoke
from tests.diagrams.parsers import ParsedErd, parse_dot, parse_mermaid
from tests.diagrams.synthetic import large_catalog, service_name, table_name

SERVICES, TABLES = 40, 50


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return large_catalog(SERVICES, TABLES)


def expected_keys(catalog: Catalog, tables: list[str]) -> Counter[tuple[str, str]]:
    return Counter(
        (key, fk.referred_table.key)
        for key in tables
        for fk in catalog.metadata.tables[key].foreign_key_constraints
    )


def check_whole(erd: ParsedErd, catalog: Catalog) -> None:
    assert len(erd.tables) == SERVICES * TABLES
    assert len(erd.groups) == SERVICES
    for s in range(SERVICES):
        assert sorted(erd.groups[service_name(s)]) == [table_name(s, t) for t in range(TABLES)]
    edges = Counter((e.source, e.target) for e in erd.edges)
    assert edges == expected_keys(catalog, list(catalog.metadata.tables))
    crossing = [e for e in erd.edges if e.dashed]
    assert len(crossing) == SERVICES * TABLES // 5
    assert all(e.label.startswith("peer_id (") for e in crossing)
    table = erd.tables[table_name(3, 10)]
    assert [c.name for c in table.columns] == [
        "id", "name", "created_at", "notes", "owner_id", "parent_id", "peer_id",
    ]  # fmt: skip


def test_2000_tables_render_to_mermaid(catalog: Catalog) -> None:
    erd = build_erd(catalog)
    source = erd_mermaid(erd)
    check_whole(parse_mermaid(source), catalog)
    assert limits_exceeded(source, erd) is not None


def test_2000_tables_render_to_dot(catalog: Catalog) -> None:
    check_whole(parse_dot(erd_dot(build_erd(catalog))), catalog)


def test_service_narrows_2000_tables_to_one_service_and_what_it_references(
    catalog: Catalog, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(App, "catalog", property(lambda _app: catalog))
    result = invoke("models", "erd", "--service", "svc07")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    erd = parse_mermaid(result.stdout)

    assert sorted(erd.groups["svc07"]) == [table_name(7, t) for t in range(TABLES)]
    assert sorted(erd.groups["svc08 (referenced)"]) == [
        table_name(8, t) for t in range(0, TABLES, 5)
    ]
    assert set(erd.groups) == {"svc07", "svc08 (referenced)"}
    edges = Counter((e.source, e.target) for e in erd.edges)
    assert edges == expected_keys(catalog, catalog.tables_of("svc07"))
    assert sum(edges.values()) == 49 + 48 + 10


def test_whole_mermaid_warns_that_renderers_will_refuse_it(
    catalog: Catalog, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(App, "catalog", property(lambda _app: catalog))
    result = invoke("models", "erd")
    assert result.exit_code == 0
    assert "characters (Mermaid renders at most 50,000)" in result.stderr
    assert "4,280 edges (Mermaid renders at most 500)" in result.stderr
    assert "narrow it with --service, or draw --format svg" in result.stderr


def test_large_dot_bounds_the_layout_and_small_dot_does_not(catalog: Catalog) -> None:
    bounded = f"    graph [{BOUNDED_LAYOUT}];"
    assert bounded in erd_dot(build_erd(catalog)).splitlines()
    assert bounded not in erd_dot(build_erd(catalog, ["svc07"])).splitlines()
