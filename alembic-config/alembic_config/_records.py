"""alembic-config's own records of one upgrade or downgrade: table owners and checksums.

Both tables are created on first use, filled for what a database held before
they existed, and kept up to date in the transaction that stamps each
revision, so they never disagree with the version table.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from alembic_config._catalog import Catalog
from alembic_config._checksum_worker import RevisionChecksums
from alembic_config._checksums import (
    checksum_insert,
    checksum_values,
    checksums_table,
    ensure_checksums_table,
    find_mismatches,
    forget_checksums,
    insert_checksum,
    read_checksums,
    record_checksums,
    unrecorded,
)
from alembic_config._ownership import (
    RecordedOwner,
    ensure_owners_table,
    forget_owners,
    owners_from_info,
    record_owners,
    table_key,
)
from alembic_config._planning import MigrationPlan, PlannedStep
from alembic_config._refusals import (
    ChecksumMismatchError,
)
from alembic_config._stamp_rows import StampRows
from alembic_config._transactions import committed

_TABLE_CHANGES = (ops.CreateTableOp, ops.RenameTableOp, ops.DropTableOp)


class RunRecords:
    """The owner and checksum rows one command writes, beside Alembic's version stamps."""

    def __init__(
        self,
        catalog: Callable[[], Catalog],
        loaded: Callable[[], Catalog | None],
        version_table: tuple[str, str | None],
    ) -> None:
        self._catalog = catalog
        self._loaded = loaded  # the catalog if something loaded it already, without loading it
        self._table, self._schema = version_table
        self._planned: dict[str, PlannedStep] = {}
        self._checksums = RevisionChecksums({})
        self._checksums_present = False
        # the checksum record as read before the upgrade (None: not read yet)
        self._recorded: dict[str, tuple[str, dt.datetime]] | None = None
        self._distributions: dict[str, str] | None = None
        self._stamp_rows: StampRows | None = None

    # -- before the first revision -------------------------------------------------------------
    def require_unedited(self, context: MigrationContext, conn: Connection) -> None:
        """Refuse an upgrade while an applied revision differs from its recorded checksum."""
        script = context.script
        if script is None:
            return
        heads = context.get_current_heads()
        # read once: preparing the upgrade records what is missing from the same rows
        self._recorded = committed(conn, lambda: read_checksums(conn, self._table, self._schema))
        mismatches = find_mismatches(
            conn, script, heads, self._table, self._schema, recorded=self._recorded
        )
        if mismatches:
            raise ChecksumMismatchError(mismatches)

    def prepare_upgrade(
        self, context: MigrationContext, conn: Connection, plan: MigrationPlan
    ) -> None:
        """Create both records on first use and fill them for what was applied before."""
        self._planned = {s.revision: s for s in plan.steps if s.direction == "upgrade"}
        self._prepare_owners(conn, plan)
        self._prepare_checksums(context, conn, plan)

    def prepare_downgrade(self, conn: Connection) -> None:
        """Note whether there are checksum rows to forget as revisions are reverted."""
        name = checksums_table(self._table).name
        self._checksums_present = committed(
            conn, lambda: inspect(conn).has_table(name, self._schema)
        )

    def _prepare_owners(self, conn: Connection, plan: MigrationPlan) -> None:
        created = committed(conn, lambda: ensure_owners_table(conn, self._table, self._schema))
        if not created or not plan.current:
            return
        # a database migrated before ownership was recorded: its tables' owners, from the models
        catalog = self._catalog()
        inspector = inspect(conn)
        schemas = {t.schema for t in catalog.metadata.tables.values()}
        existing = {
            table_key(name, s) for s in schemas for name in inspector.get_table_names(schema=s)
        }
        entries = [
            self._owner_record(key, owners, None)
            for key, owners in catalog.owners.items()
            if key in existing
        ]
        committed(conn, lambda: record_owners(conn, entries, self._table, self._schema))

    def _prepare_checksums(
        self, context: MigrationContext, conn: Connection, plan: MigrationPlan
    ) -> None:
        script = context.script
        pending = list(self._planned)

        def prepare() -> None:
            ensure_checksums_table(conn, self._table, self._schema)
            if script is not None and plan.current:
                before = unrecorded(
                    conn, script, plan.current, self._table, self._schema, recorded=self._recorded
                )
                record_checksums(conn, before, self._table, self._schema)
            # rows of revisions about to run (left by a stamp) go first: then one insert per step
            forget_checksums(conn, pending, self._table, self._schema)

        # hashed meanwhile, by a worker process when there is much to hash
        self._checksums = RevisionChecksums.for_run(
            {
                s.revision: Path(str(s.script.path))
                for s in self._planned.values()
                if s.script is not None
            }
        )
        committed(conn, prepare)
        if StampRows.supported(conn):  # each checksum goes out in its revision's stamp
            self._stamp_rows = StampRows(conn, self._table, self._schema)
            self._stamp_rows.attach()
            insert = checksum_insert(self._table, self._schema)
            for revision in self._checksums:
                values = functools.partial(self._checksum_values, revision)
                self._stamp_rows.add(revision, insert, values)

    def _checksum_values(self, revision: str) -> dict[str, Any]:
        return checksum_values(revision, self._checksums[revision])

    @contextmanager
    def sent_with_stamps(self) -> Iterator[None]:
        """The block in which checksums may ride on the version stamps (see ``_stamp_rows``)."""
        try:
            yield
        finally:
            self._checksums.close()
            if self._stamp_rows is not None:
                self._stamp_rows.detach()
                self._stamp_rows = None

    # -- in each revision's transaction --------------------------------------------------------
    def step_applied(self, step: Any, connection: Connection | None) -> None:
        """Record what the step just applied did, in the transaction that stamps it."""
        if connection is None or step.is_stamp:
            return
        if step.is_upgrade:
            planned = self._planned.get(step.up_revision_id or "")
            if planned is None:
                return
            self._record_step_owners(connection, planned)
            checksum = self._checksums.get(planned.revision)
            sent = self._stamp_rows is not None and self._stamp_rows.sent(planned.revision)
            if checksum is not None and not sent:
                insert_checksum(connection, planned.revision, checksum, self._table, self._schema)
        elif self._checksums_present:
            forget_checksums(connection, [step.up_revision_id], self._table, self._schema)

    def _record_step_owners(self, connection: Connection, planned: PlannedStep) -> None:
        """Record the owners of the tables a step created; forget those it dropped or renamed."""
        if planned.recorded is None or not any(
            isinstance(op, _TABLE_CHANGES) for op in planned.recorded.operations
        ):
            return
        created: list[RecordedOwner] = []
        gone: list[str] = []
        loaded = self._loaded()
        known = loaded.owners if loaded is not None else {}
        for operation in planned.recorded.operations:
            if isinstance(operation, ops.CreateTableOp | ops.RenameTableOp):
                if isinstance(operation, ops.RenameTableOp):
                    gone.append(table_key(operation.table_name, operation.schema))
                    name = operation.new_table_name
                    declared: tuple[str, ...] = ()
                else:
                    name = operation.table_name
                    declared = owners_from_info(operation.info)
                key = table_key(name, operation.schema)
                owners = declared or known.get(key, ())
                created.append(self._owner_record(key, owners, planned.revision))
            elif isinstance(operation, ops.DropTableOp):
                gone.append(table_key(operation.table_name, operation.schema))
        forget_owners(connection, gone, self._table, self._schema)
        record_owners(connection, created, self._table, self._schema)

    def _owner_record(
        self, key: str, services: Sequence[str], revision: str | None
    ) -> RecordedOwner:
        services = tuple(sorted(services))
        return RecordedOwner(key, services, self._service_distributions(services), revision)

    def _service_distributions(self, services: Sequence[str]) -> str:
        if self._distributions is None:
            from alembic_config._discovery import discover_services

            sources, _ = discover_services()
            self._distributions = {s.name: f"{s.distribution} {s.version}" for s in sources}
        return ", ".join(self._distributions[s] for s in services if s in self._distributions)
