"""Static rules over ``services/``: each service stands alone, found because it is installed."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
SERVICE_PACKAGES = {
    "agent": "agent_service",
    "journal": "journal_service",
    "shared": "shared_service",
}
SERVICE_DISTRIBUTIONS = {"agent-service", "journal-service", "shared-service", "mindmirror-cli"}


def forbidden_imports(source: str, own_package: str) -> list[str]:
    """Imports of another service, of the CLI, or of alembic_config's private modules."""
    others = set(SERVICE_PACKAGES.values()) - {own_package}
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if (
                parts[0] in others
                or parts[0] == "mindmirror_cli"
                or (parts[0] == "alembic_config" and any(p.startswith("_") for p in parts[1:]))
            ):
                found.append(name)
    return found


def _python_files(service: str) -> list[Path]:
    return sorted((SERVICES_DIR / service).rglob("*.py"))


def _all_files() -> list[Path]:
    return sorted(
        path
        for path in SERVICES_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def test_every_service_is_checked() -> None:
    assert sorted(p.name for p in SERVICES_DIR.iterdir() if p.is_dir()) == sorted(SERVICE_PACKAGES)
    for service in SERVICE_PACKAGES:
        assert len(_python_files(service)) >= 4


@pytest.mark.parametrize(("service", "package"), SERVICE_PACKAGES.items())
def test_no_service_imports_another_service_the_cli_or_private_modules(
    service: str, package: str
) -> None:
    offences = {
        str(path.relative_to(SERVICES_DIR)): found
        for path in _python_files(service)
        if (found := forbidden_imports(path.read_text(encoding="utf-8"), package))
    }
    assert offences == {}


def test_no_sys_path_anywhere_under_services() -> None:
    offenders = [
        str(path.relative_to(SERVICES_DIR))
        for path in _all_files()
        if "sys.path" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []


@pytest.mark.parametrize("service", SERVICE_PACKAGES)
def test_no_service_depends_on_another_service(service: str) -> None:
    project = tomllib.loads((SERVICES_DIR / service / "pyproject.toml").read_text())
    requirements = project["project"]["dependencies"]
    names = {re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower() for req in requirements}
    assert names & SERVICE_DISTRIBUTIONS == set()
    assert "sqlalchemy" in names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import agent_service", ["agent_service"]),
        (
            "from journal_service.models import JournalEntry",
            ["journal_service.models", "journal_service.models.JournalEntry"],
        ),
        ("import mindmirror_cli.main as m", ["mindmirror_cli.main"]),
        (
            "from alembic_config._urls import resolve_database_url",
            ["alembic_config._urls", "alembic_config._urls.resolve_database_url"],
        ),
        ("from alembic_config import _state", ["alembic_config._state"]),
        ("def f():\n    import agent_service.models\n", ["agent_service.models"]),
        ("from alembic_config import resolve_database_url", []),
        ("from shared_service.models import User", []),
        ("from . import models", []),
    ],
)
def test_forbidden_imports_detector(source: str, expected: list[str]) -> None:
    assert forbidden_imports(source, "shared_service") == expected
