"""The schema corpus: real packages' models registered through small wrapper services.

Each wrapper under ``tests/fixtures/corpus`` is a distribution with one entry
point in ``alembic_config.metadata``; they are pip-installed once per run into
one folder. :func:`snapshot` describes a database through the inspector, so a
migrated database can be compared with one built by ``metadata.create_all()``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


@dataclass(frozen=True)
class CorpusService:
    """One wrapper service: its name, its wrapper folder, and the real packages it registers."""

    name: str
    wrapper: str
    packages: tuple[str, ...]
    backends: tuple[str, ...] = ("sqlite", "postgresql", "mariadb")
    schemas: tuple[str, ...] = ()


SERVICES = (
    CorpusService("celery_results", "corpus-celery", ("celery",)),
    CorpusService("mlflow_store", "corpus-mlflow", ("mlflow-skinny",)),
    CorpusService("optuna_storage", "corpus-optuna", ("optuna",)),
    CorpusService("apscheduler_jobs", "corpus-apscheduler", ("APScheduler",)),
    CorpusService("edge_cases", "corpus-edge", ()),
    CorpusService(
        "edge_postgresql",
        "corpus-edge-pg",
        (),
        backends=("postgresql",),
        schemas=("edge_archive",),
    ),
)

# a wrapper of models with errors, refused at discovery (not part of the round trip)
INVALID_WRAPPER = "corpus-invalid"


def install_corpus(target: Path) -> Path:
    """pip-install every wrapper (no dependencies: the real packages are dev dependencies)."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
            "--no-build-isolation", "--target", str(target),
            *(str(CORPUS / service.wrapper) for service in SERVICES),
            str(CORPUS / INVALID_WRAPPER),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def package_versions() -> list[str]:
    """``name version`` of every real package the corpus registers."""
    names = sorted({p for service in SERVICES for p in service.packages}, key=str.lower)
    return [f"{name} {importlib_metadata.version(name)}" for name in names]


def _type(column: dict[str, Any], dialect: sa.Dialect) -> str:
    return str(column["type"].compile(dialect=dialect))


def _sorted(items: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return sorted((tuple(_plain(item.get(key)) for key in keys) for item in items), key=repr)


# names MySQL and MariaDB choose for an unnamed foreign key: numbered in creation order
_SERVER_FK_NAME = re.compile(r".+_ibfk_\d+$")


def _foreign_keys(found: list[dict[str, Any]], dialect: sa.Dialect) -> list[dict[str, Any]]:
    if dialect.name == "sqlite":
        # SQLAlchemy reads SQLite's constraint names from the CREATE TABLE text and pairs two
        # foreign keys that differ only by name (mlflow declares such pairs) in no fixed way
        return [{**fk, "name": None} for fk in found]
    return [
        {**fk, "name": None} if fk.get("name") and _SERVER_FK_NAME.match(fk["name"]) else fk
        for fk in found
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    return value


def snapshot(
    conn: sa.Connection,
    *,
    ignore: frozenset[str] = frozenset(),
    schemas: tuple[str | None, ...] = (None,),
) -> dict[str, Any]:
    """Everything the inspector tells of a database's schema, in comparable form."""
    inspector = sa.inspect(conn)
    dialect = conn.dialect
    found: dict[str, Any] = {}
    for schema in schemas:
        for table in sorted(inspector.get_table_names(schema=schema)):
            if table in ignore:
                continue
            key = f"{schema}.{table}" if schema else table
            columns = inspector.get_columns(table, schema=schema)
            found[key] = {
                "columns": [
                    (
                        c["name"],
                        _type(c, dialect),
                        c["nullable"],
                        c.get("default"),
                        c.get("comment"),
                        _plain(c.get("computed")),
                        _plain(c.get("identity")),
                    )
                    for c in columns
                ],
                "primary key": _plain(inspector.get_pk_constraint(table, schema=schema)),
                "foreign keys": _sorted(
                    _foreign_keys(inspector.get_foreign_keys(table, schema=schema), dialect),
                    "name",
                    "constrained_columns",
                    "referred_table",
                    "referred_columns",
                    "options",
                ),
                "uniques": _sorted(
                    inspector.get_unique_constraints(table, schema=schema), "name", "column_names"
                ),
                "indexes": _sorted(
                    inspector.get_indexes(table, schema=schema), "name", "column_names", "unique"
                ),
                "checks": _sorted(
                    inspector.get_check_constraints(table, schema=schema), "name", "sqltext"
                ),
                "comment": inspector.get_table_comment(table, schema=schema).get("text")
                if dialect.supports_comments
                else None,
            }
        if dialect.supports_sequences:
            found[f"sequences {schema}"] = sorted(inspector.get_sequence_names(schema=schema))
    if dialect.name == "postgresql":
        found["enums"] = sorted(
            (e["schema"], e["name"], tuple(e["labels"])) for e in inspector.get_enums(schema="*")
        )
    return found


def differences(migrated: dict[str, Any], expected: dict[str, Any]) -> str:
    """Each aspect of each table where the migrated schema differs from ``create_all()``'s."""
    lines = []
    for key in sorted(set(migrated) | set(expected)):
        got, want = migrated.get(key), expected.get(key)
        if got == want:
            continue
        if not isinstance(got, dict) or not isinstance(want, dict):
            lines.append(f"{key}: migrated {got!r}, create_all {want!r}")
            continue
        for aspect in sorted(set(got) | set(want)):
            if got.get(aspect) != want.get(aspect):
                lines.append(
                    f"{key} {aspect}: migrated {got.get(aspect)!r}, create_all {want.get(aspect)!r}"
                )
    return "\n".join(lines)
