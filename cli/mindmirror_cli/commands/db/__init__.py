"""``mindmirror db``: the migration workflow, one module per job."""

from __future__ import annotations

import click

from mindmirror_cli.commands.db.autogenerate import check, revision
from mindmirror_cli.commands.db.lint import lint
from mindmirror_cli.commands.db.migrate import downgrade, plan, stamp, upgrade
from mindmirror_cli.commands.db.project import generate_initial_migration, init
from mindmirror_cli.commands.db.repair import repair
from mindmirror_cli.commands.db.state import doctor, health, history, status
from mindmirror_cli.commands.db.verbs import VERBS
from mindmirror_cli.commands.options import rehomed


@click.group()
def db() -> None:
    """Migrate the database: revisions, upgrades, status and checks.

    \b
    Example:
      mindmirror db status
    """


COMMANDS = [
    init,
    revision,
    upgrade,
    plan,
    lint,
    downgrade,
    stamp,
    repair,
    status,
    history,
    check,
    health,
    doctor,
    generate_initial_migration,
]
COMMANDS += VERBS
for _command in COMMANDS:
    db.add_command(rehomed(_command, "db"))
