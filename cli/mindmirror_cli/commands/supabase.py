"""``mindmirror supabase``: the ``db`` commands plus the checks a Supabase database needs."""

from __future__ import annotations

import click

from mindmirror_cli.app import App
from mindmirror_cli.commands.db import COMMANDS
from mindmirror_cli.commands.options import rehomed


@click.group()
@click.pass_obj
def supabase(app: App) -> None:
    """The db commands for a Supabase database.

    Also warns about the transaction pooler (port 6543) and requires
    sslmode for remote hosts. postgres:// URLs are accepted.

    \b
    Example:
      mindmirror supabase upgrade
    """
    app.settings.supabase = True


for _command in COMMANDS:
    supabase.add_command(rehomed(_command, "supabase"))
