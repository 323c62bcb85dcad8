"""The shape of the code: small modules, one typed hand-off to env.py, one naming convention."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "alembic-config" / "alembic_config"
CLI = REPO / "cli" / "mindmirror_cli"
MAX_MODULE_LINES = 350
# the string keys that EnvironmentOptions replaced, typed anywhere but the library itself
ATTRIBUTE_KEY = re.compile(r"""attributes\[\s*["']alembic_config\.""")


def package_modules(root: Path) -> list[Path]:
    """The package's Python modules, without the shipped revision files."""
    return sorted(p for p in root.rglob("*.py") if "versions" not in p.relative_to(root).parts)


@pytest.mark.parametrize("root", [LIBRARY, CLI], ids=["alembic_config", "mindmirror_cli"])
def test_no_module_is_longer_than_the_limit(root: Path) -> None:
    sizes = {p.relative_to(REPO): len(p.read_text().splitlines()) for p in package_modules(root)}

    too_long = {str(path): lines for path, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert too_long == {}, f"split these modules by job (at most {MAX_MODULE_LINES} lines)"


def test_only_the_library_reads_its_configuration_attributes() -> None:
    outside = [
        path
        for folder in ("cli", "services", "tests", "bench")
        for path in (REPO / folder).rglob("*.py")
        if ".venv" not in path.parts and ".nox" not in path.parts and path != Path(__file__)
    ]

    typed = sorted(str(p.relative_to(REPO)) for p in outside if ATTRIBUTE_KEY.search(p.read_text()))
    assert typed == [], "hand choices to env.py as alembic_config.EnvironmentOptions"


def test_the_example_services_take_the_shared_naming_convention() -> None:
    conventions = []
    for path in (REPO / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict) and any(
                isinstance(key, ast.Constant) and key.value in {"ix", "uq", "fk", "pk"}
                for key in node.keys
            ):
                conventions.append(f"{path.relative_to(REPO)}:{node.lineno}")

    assert conventions == [], "use alembic_config.NAMING_CONVENTION (or service_metadata())"
