"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mindmirror_cli.app import App

F = TypeVar("F", bound=Callable[..., Any])

pass_app = click.make_pass_decorator(App)

# what mindmirror_cli.diagrams draws; named here so that --help loads no diagram code
DIAGRAM_FORMATS = ("mermaid", "dot", "svg", "png")


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        app = ctx.find_object(App)
        if app is not None:
            app.settings.json = True
            app.output.json_mode = True
    return value


def json_option(function: F) -> F:
    """``--json``: print the result as one JSON document on stdout."""
    return click.option(
        "--json",
        "json_flag",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print the result as JSON on stdout.",
    )(function)


def _allow_production(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    app = ctx.find_object(App)
    if value and app is not None:
        app.settings.allow_production = True
    return value


def yes_option(function: F) -> F:
    """``--yes`` (do not ask) and ``--allow-production`` (for destructive commands)."""
    function = click.option(
        "--allow-production",
        is_flag=True,
        expose_value=False,
        callback=_allow_production,
        help="Allow this destructive command in an environment marked production.",
    )(function)
    return click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")(function)


def diagram_file_option(help_text: str) -> Callable[[F], F]:
    """``-o/--output FILE`` for a command that draws a diagram (required for svg and png)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE",
        help=help_text,
    )
