"""Static analysis of advanced module scripts.

A module script talks to the runtime through one object, ``ctx``. Some of its
functions only read or write variables (``ctx.set_variable``,
``ctx.get_current_time``); others ask the language model for an inference
(``ctx.generate`` and every ``ctx.ai_*`` function). Whether a script needs
inference decides the stage it runs in, so the decision is made from the
script's syntax tree, never from a text search:

- a call to an inference function counts wherever it appears: nested in
  another call, in a function or lambda, in a comprehension;
- aliases are followed: ``c = ctx`` then ``c.generate(...)``,
  ``gen = ctx.generate`` then ``gen(...)``, ``getattr(ctx, "generate")(...)``;
- an inference function passed on without being called
  (``map(ctx.generate, prompts)``) counts too, since it will be called; a
  binding alone (``gen = ctx.generate`` with ``gen`` never used) does not;
- a ``getattr(ctx, name)`` whose name is not a literal cannot be decided, so
  it counts as inference (the safe side: the module runs where a model is
  available);
- words in strings and comments never count.

A script that does not parse cannot run at all. Its analysis reports the
syntax error (message, line, column) and ``requires_ai_inference`` is False:
no inference call can be proven, and the error is shown rather than raised so
that saving a module never fails because of its script.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

#: The name under which the runtime hands the context object to a script.
CONTEXT_NAME = "ctx"

#: Context functions that run an inference, besides every ``ai_*`` function.
INFERENCE_FUNCTIONS = frozenset({"generate"})

#: Bumped whenever the rules above change, so stored analyses can be refreshed.
ANALYZER_VERSION = 1


def is_inference_function(name: str) -> bool:
    """Whether ``ctx.<name>`` asks the language model for an inference."""
    return name in INFERENCE_FUNCTIONS or name.startswith("ai_")


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a script could not be parsed."""

    message: str
    line: int | None
    column: int | None


@dataclass(frozen=True)
class InferenceUse:
    """One place where a script uses an inference function."""

    function: str
    line: int
    called: bool


@dataclass(frozen=True)
class ScriptAnalysis:
    """What the analyzer found in one script."""

    inference_uses: tuple[InferenceUse, ...] = ()
    context_functions: frozenset[str] = frozenset()
    variables_set: tuple[str, ...] = ()
    dynamic_context_access: bool = False
    syntax_error: SyntaxProblem | None = None
    empty: bool = False

    @property
    def requires_ai_inference(self) -> bool:
        """True when the script uses an inference function or looks one up dynamically."""
        return bool(self.inference_uses) or self.dynamic_context_access

    @property
    def is_valid(self) -> bool:
        """True when the script parsed."""
        return self.syntax_error is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, stored in ``Module.script_analysis_metadata``."""
        return {
            "analyzer_version": ANALYZER_VERSION,
            "requires_ai_inference": self.requires_ai_inference,
            "valid": self.is_valid,
            "empty": self.empty,
            "inference_functions": sorted({use.function for use in self.inference_uses}),
            "inference_uses": [
                {"function": use.function, "line": use.line, "called": use.called}
                for use in self.inference_uses
            ],
            "context_functions": sorted(self.context_functions),
            "variables_set": list(self.variables_set),
            "dynamic_context_access": self.dynamic_context_access,
            "syntax_error": None
            if self.syntax_error is None
            else {
                "message": self.syntax_error.message,
                "line": self.syntax_error.line,
                "column": self.syntax_error.column,
            },
        }


def analyze_script(script: str | None) -> ScriptAnalysis:
    """Analyze ``script`` (Python source using ``ctx``); never raises for bad input."""
    if script is None or not script.strip():
        return ScriptAnalysis(empty=True)
    try:
        tree = ast.parse(script, mode="exec")
    except SyntaxError as exc:
        return ScriptAnalysis(syntax_error=SyntaxProblem(exc.msg, exc.lineno, exc.offset))
    except ValueError as exc:  # source containing NUL bytes
        return ScriptAnalysis(syntax_error=SyntaxProblem(str(exc), None, None))
    return _Analyzer(tree).run()


def _bindings(tree: ast.AST) -> list[tuple[list[str], ast.expr]]:
    """Every ``name = value`` binding of the tree (plain, annotated, walrus)."""
    found: list[tuple[list[str], ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            found.append((names, node.value))
        elif (
            isinstance(node, ast.AnnAssign | ast.NamedExpr)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            found.append(([node.target.id], node.value))
    return found


def _is_getattr_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
    )


def _string_constant(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Analyzer:
    """One pass over a parsed script; the module docstring states the rules."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.context_names = {CONTEXT_NAME}
        self.aliases: dict[str, str] = {}
        self.alias_values: set[int] = set()
        self._resolve_bindings(_bindings(tree))

    def _resolve_bindings(self, bindings: list[tuple[list[str], ast.expr]]) -> None:
        """Follow ``c = ctx`` and ``gen = ctx.generate`` (and chains of them) until stable."""
        changed = True
        while changed:
            changed = False
            for targets, value in bindings:
                if self._is_context(value):
                    new = set(targets) - self.context_names
                    self.context_names |= new
                    changed = changed or bool(new)
                    continue
                function = self._inference_function(value)
                if function is None:
                    continue
                self.alias_values.add(id(value))
                for target in targets:
                    if self.aliases.get(target) != function:
                        self.aliases[target] = function
                        changed = True

    def _is_context(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.context_names

    def _context_function(self, node: ast.expr) -> str | None:
        """The name in ``ctx.name`` or ``getattr(ctx, "name")``, else None."""
        if isinstance(node, ast.Attribute) and self._is_context(node.value):
            return node.attr
        if isinstance(node, ast.Call) and _is_getattr_call(node) and self._is_context(node.args[0]):
            return _string_constant(node.args[1])
        return None

    def _inference_function(self, node: ast.expr) -> str | None:
        """The inference function ``node`` denotes, directly or through an alias, else None."""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            return self.aliases.get(node.id)
        function = self._context_function(node)
        return function if function is not None and is_inference_function(function) else None

    def _is_dynamic_lookup(self, node: ast.expr) -> bool:
        """``getattr(ctx, name)`` with a name that is not a string literal."""
        return (
            isinstance(node, ast.Call)
            and _is_getattr_call(node)
            and self._is_context(node.args[0])
            and _string_constant(node.args[1]) is None
        )

    def run(self) -> ScriptAnalysis:
        """Walk the whole tree once and collect the findings."""
        calls = [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)]
        called = {id(call.func) for call in calls}
        uses: list[InferenceUse] = []
        context_functions: set[str] = set()
        dynamic = False
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.expr):
                continue
            dynamic = dynamic or self._is_dynamic_lookup(node)
            function = self._context_function(node)
            if function is not None:
                context_functions.add(function)
            inference = self._inference_function(node)
            if inference is not None and id(node) not in self.alias_values:
                uses.append(InferenceUse(inference, node.lineno, id(node) in called))
        uses.sort(key=lambda use: (use.line, use.function))
        return ScriptAnalysis(
            inference_uses=tuple(uses),
            context_functions=frozenset(context_functions),
            variables_set=self._variables_set(calls),
            dynamic_context_access=dynamic,
        )

    def _variables_set(self, calls: list[ast.Call]) -> tuple[str, ...]:
        """Names passed as literals to ``ctx.set_variable(name, value)``, in order of appearance."""
        names: list[str] = []
        for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
            if self._context_function(call.func) == "set_variable" and call.args:
                name = _string_constant(call.args[0])
                if name is not None:
                    names.append(name)
        return tuple(dict.fromkeys(names))
