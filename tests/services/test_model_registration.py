"""Loading a service's entry point registers every table its package defines.

Each side runs in a fresh interpreter, so that nothing imported by one check (or by
other tests) can make a forgotten model module look registered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

SERVICES = {"agent": "agent_service", "journal": "journal_service", "shared": "shared_service"}

#: Load the service's entry point exactly as alembic_config does, and list its tables.
THROUGH_ENTRY_POINT = """
import json, sys
from importlib.metadata import entry_points

(entry_point,) = [e for e in entry_points(group="alembic_config.metadata") if e.name == sys.argv[1]]
target = entry_point.load()
print(json.dumps({"package": target.__module__, "tables": sorted(target.metadata.tables)}))
"""

#: Import every module of the package, then list the tables of every MetaData found in them.
THROUGH_EVERY_MODULE = """
import importlib, json, pkgutil, sys
from sqlalchemy import MetaData

package = importlib.import_module(sys.argv[1])
modules = [package] + [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
]
found = {}
for module in modules:
    for value in vars(module).values():
        metadata = value if isinstance(value, MetaData) else getattr(value, "metadata", None)
        if isinstance(metadata, MetaData):
            found[id(metadata)] = metadata
tables = sorted({name for metadata in found.values() for name in metadata.tables})
print(json.dumps({"modules": sorted(m.__name__ for m in modules), "metadata": len(found),
                  "tables": tables}))
"""


def _run(code: str, argument: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", code, argument], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize(("service", "package"), SERVICES.items())
def test_entry_point_registers_every_model(service: str, package: str) -> None:
    through_entry_point = _run(THROUGH_ENTRY_POINT, service)
    through_every_module = _run(THROUGH_EVERY_MODULE, package)

    assert through_entry_point["package"] == f"{package}.models.base"
    assert f"{package}.models" in through_every_module["modules"]
    assert through_every_module["metadata"] == 1, "one MetaData (one Base) per service"
    assert through_entry_point["tables"] == through_every_module["tables"]
    assert through_entry_point["tables"]


def test_services_table_counts() -> None:
    counts = {service: len(_run(THROUGH_ENTRY_POINT, service)["tables"]) for service in SERVICES}
    assert counts == {"agent": 6, "journal": 5, "shared": 20}
