"""Script analysis decides ``requires_ai_inference`` from the script's syntax tree."""

from __future__ import annotations

import pytest
from agent_service.script_analysis import (
    ANALYZER_VERSION,
    analyze_script,
    is_inference_function,
)

NEEDS_INFERENCE = {
    "direct call": "ctx.generate('Say hello')",
    "ai_ prefix": "summary = ctx.ai_summarize(text)",
    "nested in another call": "ctx.set_variable('greeting', ctx.generate('Say hello'))",
    "inside a function": "def build():\n    return ctx.ai_classify('x')\n\nbuild()\n",
    "inside a lambda": "f = lambda t: ctx.generate(t)\n",
    "inside a comprehension": "out = [ctx.generate(p) for p in ('a', 'b')]\n",
    "inside a branch": "if ctx.get_variable('mood') == 'low':\n    ctx.generate('cheer up')\n",
    "context alias": "c = ctx\nc.generate('hi')\n",
    "function alias": "gen = ctx.generate\nctx.set_variable('x', gen('hi'))\n",
    "alias of an alias": "c = ctx\ng = c.ai_reply\nh = g\nh('hi')\n",
    "annotated alias": "gen: object = ctx.generate\ngen('hi')\n",
    "walrus alias": "if (g := ctx.generate):\n    g('hi')\n",
    "literal getattr": "getattr(ctx, 'generate')('hi')\n",
    "passed as a callback": "results = list(map(ctx.ai_translate, ['a', 'b']))\n",
    "computed getattr": "name = 'gen' + 'erate'\ngetattr(ctx, name)('hi')\n",
}

NO_INFERENCE = {
    "time module": "ctx.set_variable('time', ctx.get_current_time())",
    "plain python": "total = sum(range(10))\nctx.set_variable('total', total)\n",
    "word in a string": "ctx.set_variable('note', 'call ctx.generate later')\n",
    "word in a comment": "# ctx.generate('hi')\nctx.set_variable('a', 1)\n",
    "another object's generate": "report.generate('pdf')\nctx.set_variable('done', True)\n",
    "unused binding": "gen = ctx.generate\n",
    "non-inference getattr": "getattr(ctx, 'get_variable')('x')\n",
    "ai_ on another object": "model.ai_reply('x')\n",
}


@pytest.mark.parametrize("script", NEEDS_INFERENCE.values(), ids=NEEDS_INFERENCE.keys())
def test_scripts_that_need_inference(script: str) -> None:
    analysis = analyze_script(script)
    assert analysis.is_valid
    assert analysis.requires_ai_inference is True
    assert analysis.to_dict()["requires_ai_inference"] is True


@pytest.mark.parametrize("script", NO_INFERENCE.values(), ids=NO_INFERENCE.keys())
def test_scripts_that_need_no_inference(script: str) -> None:
    analysis = analyze_script(script)
    assert analysis.is_valid
    assert analysis.requires_ai_inference is False
    assert analysis.inference_uses == ()


def test_plain_script_report() -> None:
    report = analyze_script("ctx.set_variable('time', ctx.get_current_time())").to_dict()
    assert report == {
        "analyzer_version": ANALYZER_VERSION,
        "requires_ai_inference": False,
        "valid": True,
        "empty": False,
        "inference_functions": [],
        "inference_uses": [],
        "context_functions": ["get_current_time", "set_variable"],
        "variables_set": ["time"],
        "dynamic_context_access": False,
        "syntax_error": None,
    }


def test_inference_uses_name_the_function_line_and_call() -> None:
    script = (
        "c = ctx\n"
        "gen = c.generate\n"
        "ctx.set_variable('a', gen('x'))\n"
        "ctx.set_variable('b', ctx.ai_summarize('y'))\n"
        "handlers = [ctx.ai_classify]\n"
    )
    report = analyze_script(script).to_dict()
    assert report["inference_functions"] == ["ai_classify", "ai_summarize", "generate"]
    assert report["inference_uses"] == [
        {"function": "generate", "line": 3, "called": True},
        {"function": "ai_summarize", "line": 4, "called": True},
        {"function": "ai_classify", "line": 5, "called": False},
    ]
    assert report["variables_set"] == ["a", "b"]
    assert report["dynamic_context_access"] is False


def test_computed_getattr_is_reported_as_dynamic() -> None:
    report = analyze_script("getattr(ctx, name)('x')").to_dict()
    assert report["dynamic_context_access"] is True
    assert report["inference_uses"] == []
    assert report["requires_ai_inference"] is True


@pytest.mark.parametrize(
    ("script", "line"),
    [
        ("ctx.generate('unclosed'\n", 1),
        ("ctx.set_variable('a', 1)\nif True\n    ctx.generate('x')\n", 2),
        ("def broken(:\n    pass\n", 1),
    ],
)
def test_syntax_error_is_reported_not_raised(script: str, line: int) -> None:
    analysis = analyze_script(script)
    report = analysis.to_dict()
    assert analysis.is_valid is False
    assert report["valid"] is False
    assert report["requires_ai_inference"] is False
    assert report["syntax_error"]["line"] == line
    assert report["syntax_error"]["message"]
    assert isinstance(report["syntax_error"]["column"], int)


def test_source_with_a_nul_byte_is_a_syntax_problem() -> None:
    analysis = analyze_script("ctx.generate('a')\x00")
    assert analysis.is_valid is False
    assert analysis.requires_ai_inference is False


@pytest.mark.parametrize("script", [None, "", "   \n\t"])
def test_empty_script(script: str | None) -> None:
    report = analyze_script(script).to_dict()
    assert report["empty"] is True
    assert report["valid"] is True
    assert report["requires_ai_inference"] is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("generate", True),
        ("ai_reply", True),
        ("ai_", True),
        ("get_variable", False),
        ("gen", False),
    ],
)
def test_is_inference_function(name: str, expected: bool) -> None:
    assert is_inference_function(name) is expected
