"""Lint revision scripts: pick them (pending, or a range), record them, ask the database."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from alembic_config._transactions import committed
from alembic_config.lint._allows import allowances
from alembic_config.lint._facts import DatabaseFacts
from alembic_config.lint._linter import LintInput, lint
from alembic_config.lint._model import LintReport

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.engine import Connection, Dialect

    from alembic_config._catalog import Catalog
    from alembic_config._gate import GateFinding
    from alembic_config._operations import RecordedRevision

logger = logging.getLogger(__name__)


def select_scripts(
    script: ScriptDirectory, selection: str | None, current: Sequence[str] | None
) -> list[Script]:
    """The scripts to lint, oldest first.

    ``selection`` is ``LOWER:UPPER`` (either side may be left out: ``base`` and
    ``heads``), or one revision; ``None`` means the pending ones: from
    ``current`` (the database's heads; ``None`` when it could not be read,
    then every revision) to the heads.
    """
    if selection is None:
        lower: Any = tuple(current) if current else "base"
        upper: Any = "heads"
    elif ":" in selection:
        lower_text, _, upper_text = selection.partition(":")
        lower, upper = lower_text or "base", upper_text or "heads"
    else:
        found = script.get_revision(selection)
        return [found] if found is not None else []
    return list(reversed(list(script.iterate_revisions(upper, lower))))


def _schemas(recorded: Iterable[RecordedRevision]) -> set[str | None]:
    return {getattr(op, "schema", None) for r in recorded for op in r.operations} | {None}


def database_facts(
    conn: Connection | None, recorded: Sequence[RecordedRevision], unreachable: str | None
) -> DatabaseFacts:
    """What the database says about the tables the revisions touch (or why it could not)."""
    if conn is None:
        return DatabaseFacts.unreachable(unreachable or "no database connection")
    return committed(conn, lambda: DatabaseFacts.read(conn, _schemas(recorded)))


def lint_recorded(
    recorded: Sequence[RecordedRevision],
    scripts: Sequence[Script],
    *,
    dialect: str,
    config: Config | None,
    facts: DatabaseFacts,
    owners: Mapping[str, tuple[str, ...]],
    gate: Iterable[GateFinding] = (),
    chained: bool = True,
) -> LintReport:
    """Lint recorded revisions with the project's and the revision files' allowances."""
    return lint(
        [LintInput.of(r) for r in recorded],
        dialect=dialect,
        facts=facts,
        owners=owners,
        allowances=allowances(config, scripts),
        gate=gate,
        chained=chained,
    )


def lint_scripts(
    scripts: Sequence[Script],
    *,
    dialect: Dialect,
    config: Config | None = None,
    connection: Connection | None = None,
    unreachable: str | None = None,
    catalog: Catalog | None = None,
    recorded_owners: Mapping[str, tuple[str, ...]] | None = None,
    chained: bool = False,
) -> LintReport:
    """Record ``scripts`` (oldest first) and lint them; the catalog adds the gate's findings.

    ``chained``: the scripts are the pending ones, about to run together (see
    :func:`~alembic_config.lint.lint`).
    """
    from alembic_config._gate import evaluate
    from alembic_config._operations import record_revision, recording_context

    context = recording_context(dialect)
    recorded = [record_revision(s, dialect, context=context) for s in scripts]
    owners = dict(recorded_owners or {})
    gate: list[GateFinding] = []
    if catalog is not None:
        owners.update(catalog.owners)
        gate = evaluate(recorded, catalog, dialect)
    facts = database_facts(connection, recorded, unreachable)
    return lint_recorded(
        recorded,
        scripts,
        dialect=dialect.name,
        config=config,
        facts=facts,
        owners=owners,
        gate=gate,
        chained=chained,
    )
