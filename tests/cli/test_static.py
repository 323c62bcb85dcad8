"""What the CLI's source may import and touch, read with ``ast``; what ``--help`` costs and says."""

from __future__ import annotations

import ast
import inspect
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from mindmirror_cli.main import cli

from tests.support.runner import MINDMIRROR
from tests.support.services import REPO

PACKAGE = REPO / "cli" / "mindmirror_cli"
SERVICE_PACKAGES = {"shared_service", "agent_service", "journal_service", "acfix"}
HEAVY_PACKAGES = {"sqlalchemy", "alembic", "rich"}
# the modules every invocation imports, --help included: heavy imports only inside functions
STARTUP_MODULES = [
    "__init__.py",
    "__main__.py",
    "main.py",
    "app.py",
    "output.py",
    "errors.py",
    "exit_codes.py",
    "supabase_checks.py",
    *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "commands").glob("*.py")),
]


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported_packages(node: ast.AST) -> Iterator[str]:
    """The top-level package of every import below ``node`` (dynamic ``import_module`` too)."""
    for item in ast.walk(node):
        if isinstance(item, ast.Import):
            yield from (alias.name.split(".")[0] for alias in item.names)
        elif isinstance(item, ast.ImportFrom) and item.level == 0 and item.module:
            yield item.module.split(".")[0]
        elif isinstance(item, ast.Call) and item.args:
            func = item.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = item.args[0]
            if name in {"import_module", "__import__"} and isinstance(first, ast.Constant):
                yield str(first.value).split(".")[0]


def adds_a_path(node: ast.AST) -> bool:
    """``site.addsitedir(...)`` or pytest's ``syspath_prepend``."""
    return isinstance(node, ast.Attribute) and node.attr in {"addsitedir", "syspath_prepend"}


def touches_sys_path(tree: ast.Module) -> list[int]:
    """Lines that read or change ``sys.path`` or ``PYTHONPATH``, or add a site directory."""
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            lines += [node.lineno for alias in node.names if alias.name == "path"]
        elif adds_a_path(node) or (
            isinstance(node, ast.Constant)
            and node.value == "PYTHONPATH"
            and id(node) not in docstrings
        ):
            lines.append(node.lineno)
    return sorted(lines)


def module_level_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    """Import statements that run when the module is imported (``if TYPE_CHECKING`` excluded)."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif isinstance(statement, ast.If):
            test = statement.test
            guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            )
            pending += statement.orelse if guarded else [*statement.body, *statement.orelse]
        elif isinstance(statement, ast.Try):
            pending += [*statement.body, *statement.orelse, *statement.finalbody]
            for handler in statement.handlers:
                pending += handler.body
        elif isinstance(statement, ast.With):
            pending += statement.body


def test_the_static_checks_see_what_they_look_for() -> None:
    sample = ast.parse(
        "import sys\nfrom typing import TYPE_CHECKING\nimport sqlalchemy\n"
        "if TYPE_CHECKING:\n    import rich\n"
        "def f():\n    import journal_service.models\n    print(sys.path)\n"
        "    importlib.import_module('acfix.users')\n    os.environ.get('PYTHONPATH')\n"
    )
    assert {"journal_service", "acfix"} <= set(imported_packages(sample))
    assert touches_sys_path(sample) == [8, 10]
    top = {alias.name for s in module_level_imports(sample) for alias in s.names}
    assert top == {"sys", "TYPE_CHECKING", "sqlalchemy"}


def test_nothing_imports_a_service_or_touches_sys_path() -> None:
    found = []
    for path in sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for package in set(imported_packages(tree)) & SERVICE_PACKAGES:
            found.append(f"{path.relative_to(REPO)} imports {package}")
        for line in touches_sys_path(tree):
            found.append(f"{path.relative_to(REPO)}:{line} touches sys.path or PYTHONPATH")
    assert found == []


@pytest.mark.parametrize("module", STARTUP_MODULES)
def test_startup_modules_import_no_heavy_package_at_top_level(module: str) -> None:
    path = PACKAGE / module
    tree = ast.parse(path.read_text(), filename=str(path))
    heavy = [
        f"{module}:{statement.lineno}"
        for statement in module_level_imports(tree)
        for package in imported_packages(statement)
        if package in HEAVY_PACKAGES
    ]
    assert heavy == []


# -- --help ----------------------------------------------------------------------------------------
def command_paths(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and group of the tree, with the words that reach it."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from command_paths(sub, (*path, name))


HELP_PROBE = """
import json, sys
from mindmirror_cli.main import cli
paths = json.loads(sys.argv[1])
for path in paths:
    try:
        cli.main([*path, "--help"], prog_name="mindmirror", standalone_mode=False)
    except SystemExit:
        pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"sqlalchemy", "alembic", "rich"})
print(json.dumps(heavy))
"""


def test_help_of_every_command_imports_no_heavy_package() -> None:
    paths = [list(path) for path, _ in command_paths(cli)]
    probe = subprocess.run(
        [sys.executable, "-c", HELP_PROBE, json.dumps(paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert probe.stdout.splitlines()[-1] == "[]"
    assert "Usage: mindmirror db upgrade" in probe.stdout


def test_console_script_help() -> None:
    done = subprocess.run(
        [str(MINDMIRROR), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.startswith("Usage: mindmirror [OPTIONS] COMMAND [ARGS]...")
    for group in ("db", "models", "supabase", "doctor"):
        assert f"\n  {group} " in done.stdout


def examples(command: click.Command) -> list[str]:
    """The example command lines of a command's help: indented lines after ``Example(s):``."""
    lines = inspect.cleandoc(command.help or "").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().startswith("Example")]
    found = []
    for line in lines[starts[0] + 1 :] if starts else []:
        if not line.startswith("  "):
            break
        found.append(line.strip())
    return found


@pytest.mark.parametrize(
    ("path", "command"),
    [pytest.param(p, c, id=" ".join(p) or "mindmirror") for p, c in command_paths(cli)],
)
def test_every_command_has_help_with_examples_that_parse(
    path: tuple[str, ...], command: click.Command
) -> None:
    assert command.help, f"{' '.join(path)} has no help text"
    assert "Example" in command.help
    shown = examples(command)
    assert shown, f"{' '.join(path)}: no example lines after 'Example'"
    for line in shown:
        words = shlex.split(line)
        words = words[: next((i for i, w in enumerate(words) if w in {">", "|"}), len(words))]
        assert words[0] == "mindmirror"
        reached = parse(words[1:])
        if not isinstance(command, click.Group):  # a group's examples reach its commands
            assert reached == path[-1], line


def parse(args: list[str]) -> str:
    """Parse ``args`` as the CLI would (UsageError for an unknown option); the command reached."""
    ctx = cli.make_context("mindmirror", list(args))
    command: click.Command = cli
    while isinstance(command, click.Group):
        # what Group.invoke resolves the subcommand from (protected_args is deprecated)
        rest = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        if not rest:
            break
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None
        assert name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command = sub
    return ctx.info_name or ""
