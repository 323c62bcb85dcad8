"""Options and helpers shared by several commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mindmirror_cli.app import App
from mindmirror_cli.errors import BadInput

F = TypeVar("F", bound=Callable[..., Any])

pass_app = click.make_pass_decorator(App)

# what mindmirror_cli.diagrams draws; named here so that --help loads no diagram code
DIAGRAM_FORMATS = ("mermaid", "dot", "svg", "png")
# the groups that mount the migration commands
GROUPS = ("db", "supabase")


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        app = ctx.find_object(App)
        if app is not None:
            app.settings.json = True
            app.output.json_mode = True
    return value


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int | bool) -> int | bool:
    """``-q``/``-v`` after the command name, as before it: the last one given wins."""
    app = ctx.find_object(App)
    if not value or app is None:
        return value
    if param.name == "quiet":
        app.set_verbosity(-1)
    else:
        app.set_verbosity(max(app.settings.verbosity, 0) + int(value))
    return value


def output_options(function: F) -> F:
    """``--json``, ``-q`` and ``-v`` on a command, as on ``mindmirror`` itself."""
    function = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_set_verbosity,
        help="More detail (-vv for debug logs, Alembic's included).",
    )(function)
    function = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_verbosity,
        help="Only results and errors.",
    )(function)
    return click.option(
        "--json",
        "json_flag",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print the result as one JSON document on stdout (a failure too).",
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


def rehomed(command: click.Command, group: str) -> click.Command:
    """``command`` with the examples of its help typed as mounted under ``group``."""
    import copy

    def example(line: str) -> str:
        text = line.lstrip()
        words = text.split(" ")
        if words[0] != "mindmirror" or command.name not in words:
            return line
        at = words.index(command.name)
        if words[at - 1] in GROUPS:
            words[at - 1] = group
        else:  # mounted at the root too (doctor)
            words.insert(at, group)
        return line[: len(line) - len(text)] + " ".join(words)

    moved = copy.copy(command)
    moved.help = "\n".join(example(line) for line in (command.help or "").splitlines())
    return moved


def deliver_json(
    app: App, fmt: str, source: str, output: Path | None, facts: dict[str, Any]
) -> None:
    """A diagram under ``--json``: written to ``output`` (its path reported), else its source."""
    from mindmirror_cli.diagrams import deliver

    if output is not None:
        deliver(fmt, source, output)
    app.output.data(
        {
            "format": fmt,
            "path": str(output) if output is not None else None,
            "source": source if output is None else None,
            **facts,
        }
    )


def confirm_destructive(app: App, action: str, yes: bool) -> None:
    """Refuse in production unless allowed; ask, or refuse without a terminal and ``--yes``."""
    if app.production and not app.settings.allow_production:
        raise BadInput(
            f"refusing to {action}: this environment is marked production "
            f"({_production_source(app)}); pass --allow-production as well as --yes to proceed"
        )
    if yes:
        return
    if not sys.stdin.isatty():
        raise BadInput(
            f"refusing to {action} without confirmation: pass --yes (no terminal to ask)"
        )
    if not click.confirm(f"{action} on {app.url.masked}?", default=False, err=True):
        raise click.Abort


def _production_source(app: App) -> str:
    from alembic_config import PRODUCTION_ENV, PRODUCTION_NAMES

    if app.settings.env_name in PRODUCTION_NAMES:
        return f"--env {app.settings.env_name}"
    return PRODUCTION_ENV


# relative targets look like options: "downgrade -1"
