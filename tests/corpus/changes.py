"""Model versions run through the shipped ``env.py`` by ``alembic.command``, one catalog each."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic_config._catalog import Catalog
from alembic_config._discovery import Service, ServiceState
from alembic_config._merge import merge_metadata
from alembic_config._options import OPTIONS_KEY, EnvironmentOptions

from tests.support.services import write_ini

SERVICE = "model_changes"


def catalog_of(metadata: sa.MetaData) -> Catalog:
    """A complete catalog holding one service, ``model_changes``, with these models."""
    merged = merge_metadata([(SERVICE, metadata)])
    info = Service(
        SERVICE, "corpus-tests", "1.0", "tests.corpus:models", ServiceState.OK, tuple(merged.owners)
    )
    return Catalog(merged.metadata, (info,), (), merged.conflicts, merged.owners, ())


@dataclass
class Project:
    """A folder with its own ini and versions, migrating one database."""

    folder: Path
    url: str

    def config(self, metadata: sa.MetaData) -> Config:
        """A Config for the shipped env.py comparing with ``metadata``."""
        config = Config(str(write_ini(self.folder)))
        options = EnvironmentOptions(
            database_url=self.url, catalog=catalog_of(metadata), skip_empty=True
        )
        config.attributes[OPTIONS_KEY] = options
        config.attributes["configure_logger"] = False
        return config

    def autogenerate(self, metadata: sa.MetaData, message: str) -> Path | None:
        """Autogenerate a revision; the new file, or ``None`` when nothing was written."""
        before = set(self.revisions())
        command.revision(self.config(metadata), message=message, autogenerate=True)
        written = sorted(set(self.revisions()) - before)
        return written[0] if written else None

    def upgrade(self, metadata: sa.MetaData) -> None:
        """Upgrade to head."""
        command.upgrade(self.config(metadata), "head")

    def downgrade(self, metadata: sa.MetaData, target: str) -> None:
        """Downgrade to ``target``."""
        command.downgrade(self.config(metadata), target)

    def check(self, metadata: sa.MetaData) -> None:
        """``alembic check``: raises when the database differs from the models."""
        command.check(self.config(metadata))

    def revisions(self) -> list[Path]:
        """The revision files, sorted."""
        return sorted((self.folder / "versions").glob("*.py"))


def body(path: Path, function: str = "upgrade") -> list[str]:
    """The statements of a revision function, one per line, comments and blanks dropped."""
    source = path.read_text()
    tree = ast.parse(source)
    (found,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    lines = source.splitlines()[found.body[0].lineno - 1 : found.end_lineno]
    kept = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    return [line for line in kept if not line.startswith('"""')]
