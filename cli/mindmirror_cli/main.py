"""The ``mindmirror`` command: the root group, its global options, and the one place errors exit."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from mindmirror_cli.app import App, Settings, configure_logging
from mindmirror_cli.commands import db, models, supabase
from mindmirror_cli.commands.db.state import doctor
from mindmirror_cli.exit_codes import ExitCode

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


JSON_WANTED = "mindmirror.json"


class MindmirrorGroup(click.Group):
    """The root group: converts every known error to its message and exit code, once.

    Under ``--json`` a failure is also the one JSON document on stdout
    (``{"error": {...}}``), unless the command printed its result document first.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        wanted = json_requested(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            if wanted:
                print_error_document(None, exc.exit_code, exc.format_message())
            raise
        ctx.meta[JSON_WANTED] = wanted
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        from mindmirror_cli.errors import CliError, classify, failure_traceback

        trace: str | None = None
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as exc:
            if not isinstance(exc, CliError):  # a usage error found by Click while parsing
                if ctx.meta.get(JSON_WANTED):
                    print_error_document(ctx.find_object(App), exc.exit_code, exc.format_message())
                raise
            app = ctx.find_object(App)
            failure = classify(exc, redact=app.redact if app else None)
        except Exception as exc:
            app = ctx.find_object(App)
            failure = classify(exc, redact=app.redact if app else None)
            if failure is None:
                raise
            trace = failure_traceback(exc)
        assert failure is not None
        app = ctx.find_object(App)
        if app is not None:
            app.output.error(failure.message)
            if trace:  # a revision's own Python error: its traceback with -v
                app.output.detail(trace)
        else:
            click.echo(f"error: {failure.message}", err=True)
        if ctx.meta.get(JSON_WANTED) or (app is not None and app.settings.json):
            print_error_document(app, int(failure.exit_code), failure.message)
        ctx.exit(int(failure.exit_code))


def json_requested(args: list[str]) -> bool:
    """Whether ``--json`` is among the arguments (before a ``--``)."""
    given = args[: args.index("--")] if "--" in args else args
    return "--json" in given


def print_error_document(app: App | None, exit_code: int, message: str) -> None:
    """The failure as ``{"error": {...}}`` on stdout, unless a result document was printed."""
    from mindmirror_cli.errors import Failure
    from mindmirror_cli.exit_codes import ExitCode

    output = app.output if app is not None else None
    if output is not None and output.printed_document:
        return
    code = ExitCode(exit_code) if exit_code in set(ExitCode) else ExitCode.USAGE
    document = {"error": Failure(message, code).to_dict() | {"exit_code": exit_code}}
    if output is not None:
        output.data(document)
    else:
        import json

        click.echo(json.dumps(document, indent=2))


def _finite(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and math.isnan(value):  # NaN passes every range comparison
        raise click.BadParameter("not a number of seconds", param=param)
    return value


@click.group(cls=MindmirrorGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--env",
    "env_name",
    metavar="NAME",
    envvar="MINDMIRROR_ENV",
    help="Load .env.NAME over .env (the environment still wins).",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="Database to use, over DATABASE_URL and sqlalchemy.url (shown masked, never stored).",
)
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="ALEMBIC_CONFIG",
    help="Alembic ini file [default: ./alembic.ini, else built-in defaults].",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="SERVICE",
    help="Leave a service out (repeatable); the way on when one fails to load.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0, max=86400),
    callback=_finite,
    metavar="SECONDS",
    envvar="ALEMBIC_CONFIG_LOCK_TIMEOUT",
    help="Wait at most this long for another migration to finish [default: 60].",
)
@click.option("-v", "--verbose", count=True, help="More detail (-vv for debug logs).")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors.")
@click.option("--json", "json_mode", is_flag=True, help="Print results as JSON on stdout.")
@click.option("--no-color", is_flag=True, envvar="NO_COLOR", help="Plain text, no colours.")
@click.version_option(package_name="mindmirror-cli", prog_name="mindmirror")
@click.pass_context
def cli(
    ctx: click.Context,
    env_name: str | None,
    database_url: str | None,
    config_path: Path | None,
    exclude: tuple[str, ...],
    lock_timeout: float | None,
    verbose: int,
    quiet: bool,
    json_mode: bool,
    no_color: bool,
) -> None:
    """Migrate one database shared by several services.

    Every service publishes its SQLAlchemy models under the entry-point group
    alembic_config.metadata; mindmirror finds them, merges them and runs
    Alembic with the environment shipped by alembic-config.

    \b
    Examples:
      mindmirror db upgrade
      mindmirror --env staging db status --json
      mindmirror models conflicts
    """
    verbosity = -1 if quiet else verbose
    configure_logging(verbosity)
    ctx.obj = App(
        Settings(
            config_path=config_path,
            env_name=env_name,
            database_url=database_url,
            exclude=exclude,
            lock_timeout=lock_timeout,
            verbosity=verbosity,
            json=json_mode,
            color=not no_color,
        )
    )


cli.add_command(db.db)
cli.add_command(supabase.supabase)
cli.add_command(models.models)
cli.add_command(doctor)


def main() -> None:
    """Run the command line (``python -m mindmirror_cli``)."""
    cli(prog_name="mindmirror")


__all__ = ["ExitCode", "cli", "main"]
