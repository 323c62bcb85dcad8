"""The checksum of a revision's source: what its code does, not how its text looks.

What is hashed is the module's syntax tree with docstrings left out and the
top-level imports in a fixed order. Comments, blank lines, quotes, line
wrapping and import order (a ``ruff format`` or isort run) do not change it;
an operation added, removed or changed does. Only the standard library is
imported here, so that a worker process (``_checksum_worker``) starts quickly.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from alembic_config._gc import collector_paused

ALGORITHM = "ast-sha256-1"

logger = logging.getLogger(__name__)

_DEFINITIONS = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _without_docstrings(tree: ast.Module) -> ast.Module:
    """Docstrings removed; the rest of the tree is what the code does."""
    _strip_statements([tree])
    return tree


def _strip_statements(nodes: list[Any]) -> None:
    """Strip the docstring of every definition among ``nodes`` and the statements they hold.

    Definitions are statements, and statements only sit in statement lists
    (bodies, ``else``/``finally`` blocks, handlers, match cases), so only those
    are walked, not every expression.
    """
    for node in nodes:
        if isinstance(node, _DEFINITIONS):
            body = node.body
            first = body[0] if body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], _HOLDERS):
                _strip_statements(value)


_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)


_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}


def _shown_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """A node class's fields, each with whether ``ast.dump`` leaves it out when it is None."""
    fields = _FIELDS.get(cls)
    if fields is None:
        names: tuple[str, ...] = getattr(cls, "_fields", ())
        fields = _FIELDS[cls] = tuple((name, getattr(cls, name, ...) is None) for name in names)
    return fields


def _dump(node: Any) -> str:
    """``ast.dump(node)`` as Python 3.11 and 3.12 write it, without its per-call overhead."""
    if isinstance(node, ast.AST):
        args = []
        for name, optional in _shown_fields(type(node)):
            try:
                value = getattr(node, name)
            except AttributeError:
                continue
            if value is None and optional:
                continue
            args.append(f"{name}={_dump(value)}")
        return f"{type(node).__name__}({', '.join(args)})"
    if isinstance(node, list):
        return f"[{', '.join(_dump(item) for item in node)}]"
    return repr(node)


# Python 3.13 changed what ast.dump leaves out; there the standard one is used
_OWN_DUMP = sys.version_info < (3, 13)


def _dump_node(node: ast.AST) -> str:
    return _dump(node) if _OWN_DUMP else ast.dump(node)


def source_checksum(source: str) -> str:
    """The checksum of a revision's source (see the module's docstring for what counts)."""
    # a syntax tree holds no reference cycles, yet building one allocates enough
    # objects to start collection after collection: a third of the time without them
    with collector_paused():
        tree = _without_docstrings(ast.parse(source))
        imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        rest = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
        parts = sorted(_dump_node(n) for n in imports)
        parts += [_dump_node(n) for n in rest]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def file_checksum(path: Path) -> str:
    """The checksum of the revision source in ``path``, from the cache when its bytes match.

    Hashing a large revision's syntax tree takes a while, so the result is kept
    where Python keeps the file's bytecode (``__pycache__``, or
    ``sys.pycache_prefix``), keyed on the SHA-256 of the file's bytes and
    named for this interpreter: the checksum is a function of those bytes
    alone, so a cached value is only ever used for the very bytes it was
    computed from. It is not written where Python would not write bytecode
    (``PYTHONDONTWRITEBYTECODE``, a read-only folder).
    """
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    cache = _cache_path(path)
    if cache is not None:
        try:
            key, cached_algorithm, value = cache.read_text(encoding="ascii").split()
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        else:
            if key == digest and cached_algorithm == ALGORITHM:
                return value
    value = source_checksum(data.decode("utf-8"))
    if cache is not None and not sys.dont_write_bytecode:
        _write_cache(cache, f"{digest} {ALGORITHM} {value}\n")
    return value


def _cache_path(path: Path) -> Path | None:
    from importlib.util import cache_from_source

    try:
        bytecode = cache_from_source(str(path))
    except (NotImplementedError, ValueError):  # no cache tag, or not a .py name
        return None
    return Path(bytecode).with_suffix(".checksum")


def _write_cache(cache: Path, text: str) -> None:
    temporary = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="ascii")
        os.replace(temporary, cache)
    except OSError as exc:  # an unwritable folder: the next run hashes again
        logger.debug("checksum cache not written to %s: %s", cache, exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
