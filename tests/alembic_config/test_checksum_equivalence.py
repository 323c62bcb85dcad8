"""The fast checksum gives exactly the values the standard library's tree walk and dump give."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path
from typing import Any

import alembic
from alembic_config._source_checksums import source_checksum

TRICKY = '''
"""Module docstring."""
import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision: str | None = None


def upgrade() -> None:
    """Gone."""
    if True:
        def inner():
            "also gone"
            return ...
    try:
        class Local:
            """gone too"""
            x: int = 1
    except (ValueError, TypeError) as exc:
        def handler():
            """gone"""
    else:
        pass
    finally:
        lambda: None
    match revision:
        case "r1":
            async def later():
                """gone"""
                await op.f(yield_=None)
        case _:
            pass
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), comment=None)


def downgrade():
    "only a docstring"
'''


def _reference(source: str) -> str:
    class Normalized(ast.NodeTransformer):
        def _strip(self, node: Any) -> Any:
            body = node.body
            first = body[0] if body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
            return self.generic_visit(node)

        visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _strip

    tree = Normalized().visit(ast.parse(source))
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    rest = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
    parts = sorted(ast.dump(n) for n in imports) + [ast.dump(n) for n in rest]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_a_revision_with_every_kind_of_nested_definition() -> None:
    assert source_checksum(TRICKY) == _reference(TRICKY)


def test_every_module_of_alembic_and_of_this_repository() -> None:
    roots = [Path(alembic.__file__).parent, Path(__file__).parents[2] / "alembic-config"]
    files = [path for root in roots for path in sorted(root.rglob("*.py"))]
    assert len(files) > 100
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert source_checksum(source) == _reference(source), path
