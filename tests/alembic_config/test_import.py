"""Importing ``alembic_config`` has no side effect, and its public names are exactly ``__all__``.

Each check runs in a fresh interpreter, so that nothing this test session already
imported hides an import made by ``alembic_config``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import alembic_config
import pytest

from tests.support.services import CLEAN, subprocess_env

# Records what importing (then using) alembic_config does: entry points read,
# sockets connected, modules imported, environment variables set.
PROBE = """
import importlib.metadata, json, os, socket, sys

entry_point_calls = []
connections = []
_entry_points = importlib.metadata.entry_points
_connect = socket.socket.connect


def recording_entry_points(*args, **kwargs):
    entry_point_calls.append(kwargs.get("group"))
    return _entry_points(*args, **kwargs)


def recording_connect(self, address):
    connections.append(repr(address))
    return _connect(self, address)


importlib.metadata.entry_points = recording_entry_points
socket.socket.connect = recording_connect


def snapshot():
    return {
        "database_url_set": "DATABASE_URL" in os.environ,
        "heavy_modules": sorted(m for m in ("sqlalchemy", "dotenv", "alembic") if m in sys.modules),
        "entry_point_calls": list(entry_point_calls),
        "connections": list(connections),
    }


import alembic_config

after_import = snapshot()
tables = sorted(alembic_config.metadata.tables)
after_metadata = snapshot()
print(json.dumps({
    "after_import": after_import,
    "tables": tables,
    "after_metadata": after_metadata,
    "dotenv_files": [str(p) for p in alembic_config.loaded_dotenv_files()],
}))
"""

# Resolves every public name, then star-imports them.
EXPORTS = """
import json
import alembic_config

resolved = {name: type(getattr(alembic_config, name)).__name__ for name in alembic_config.__all__}
namespace = {}
exec("from alembic_config import *", namespace)
print(json.dumps({"resolved": resolved, "star": sorted(set(namespace) - {"__builtins__"})}))
"""


def run_probe(script: str, cwd: Path, fixture_site: Path) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter in ``cwd``; it prints one JSON object."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env=subprocess_env(fixture_site, ALEMBIC_CONFIG_SERVICES=CLEAN),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def folder_with_dotenv(tmp_path: Path) -> Path:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=postgresql://someone:secret@127.0.0.1:5432/nowhere\n"
    )
    return tmp_path


def test_import_reads_no_dotenv_discovers_nothing_and_connects_nowhere(
    folder_with_dotenv: Path, fixture_site: Path
) -> None:
    report = run_probe(PROBE, folder_with_dotenv, fixture_site)

    assert report["after_import"] == {
        "database_url_set": False,
        "heavy_modules": [],
        "entry_point_calls": [],
        "connections": [],
    }


def test_metadata_access_discovers_and_still_reads_no_dotenv(
    folder_with_dotenv: Path, fixture_site: Path
) -> None:
    report = run_probe(PROBE, folder_with_dotenv, fixture_site)

    assert report["tables"] == ["invoices", "orders", "users"]
    after = report["after_metadata"]
    assert after["entry_point_calls"] == ["alembic_config.metadata"]
    assert after["database_url_set"] is False
    assert after["connections"] == []
    assert report["dotenv_files"] == []


def type_checking_names(init: Path) -> dict[str, str | None]:
    """Names declared in ``if TYPE_CHECKING:``: imported ones with their module, annotated ones."""
    tree = ast.parse(init.read_text())
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    names: dict[str, str | None] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("alembic_config."):
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module or "").removeprefix(
                    "alembic_config."
                )
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = None
    return names


def test_all_lists_exactly_the_names_declared_for_type_checkers() -> None:
    declared = type_checking_names(Path(alembic_config.__file__))

    assert len(alembic_config.__all__) == len(set(alembic_config.__all__))
    assert set(alembic_config.__all__) == set(declared)
    lazy = {name: f"alembic_config.{module}" for name, module in declared.items() if module}
    assert lazy == alembic_config._exports()


def test_every_name_in_all_resolves(tmp_path: Path, fixture_site: Path) -> None:
    report = run_probe(EXPORTS, tmp_path, fixture_site)

    assert sorted(report["resolved"]) == sorted(alembic_config.__all__)
    assert report["resolved"]["metadata"] == "MetaData"
    assert report["resolved"]["__version__"] == "str"
    assert report["star"] == sorted(alembic_config.__all__)


def test_dir_lists_every_public_name() -> None:
    assert set(alembic_config.__all__) <= set(dir(alembic_config))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError) as caught:
        _ = alembic_config.no_such_name

    assert str(caught.value) == "module 'alembic_config' has no attribute 'no_such_name'"
