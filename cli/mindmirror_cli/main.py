"""Entry point of the ``mindmirror`` console script."""

import click


@click.group()
def cli() -> None:
    """Migrate one database shared by several services."""
