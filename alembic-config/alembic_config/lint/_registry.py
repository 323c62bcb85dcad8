"""Every lint rule, by its stable id."""

from __future__ import annotations

from alembic_config.lint import _columns, _constraints, _revisions, _tables
from alembic_config.lint._model import Rule, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING
POSTGRESQL = frozenset({"postgresql"})

RULES: tuple[Rule, ...] = (
    Rule(
        "adding-required-column",
        ERROR,
        "A NOT NULL column without a server default cannot be added to a table with rows, "
        "and the code running now does not fill it.",
        "add the column nullable (or with a server_default), backfill it, then make it "
        "NOT NULL in a later revision",
        _columns.adding_required_column,
    ),
    Rule(
        "index-without-concurrently",
        ERROR,
        "CREATE INDEX blocks writes to the table until the index is built.",
        "create it with postgresql_concurrently=True inside "
        "'with op.get_context().autocommit_block():' (autogenerate writes this form)",
        _constraints.index_without_concurrently,
        POSTGRESQL,
    ),
    Rule(
        "unique-constraint-on-existing-table",
        ERROR,
        "ADD CONSTRAINT ... UNIQUE builds its index while writes to the table wait.",
        "build a unique index concurrently first (op.create_index(..., unique=True, "
        "postgresql_concurrently=True) in an autocommit block), then attach it: "
        "ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX index_name",
        _constraints.unique_constraint,
        POSTGRESQL,
    ),
    Rule(
        "column-type-change",
        ERROR,
        "Changing a column's type rewrites (or checks) every row under an exclusive lock.",
        "add a new column, backfill it in batches, switch the services over, then drop the old one",
        _columns.column_type_change,
    ),
    Rule(
        "constraint-without-not-valid",
        ERROR,
        "Adding a validated foreign key or CHECK scans the table while writes wait.",
        "add it with postgresql_not_valid=True, then "
        "'ALTER TABLE t VALIDATE CONSTRAINT name' in an autocommit block (autogenerate "
        "writes this form)",
        _constraints.constraint_without_not_valid,
        POSTGRESQL,
    ),
    Rule(
        "setting-not-null",
        ERROR,
        "SET NOT NULL checks every row under an ACCESS EXCLUSIVE lock.",
        "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ "
        "uses the validated check and skips the scan), then drop the check",
        _columns.setting_not_null,
        POSTGRESQL,
    ),
    Rule(
        "drop-table",
        WARNING,
        "Dropping a table breaks any deployed code that still reads it.",
        "first deploy every service without the table, then drop it",
        _tables.drop_table,
    ),
    Rule(
        "rename-table",
        WARNING,
        "Renaming a table breaks any deployed code that uses the old name.",
        "create the new table (or a view under the old name), move the services, then drop "
        "the old one",
        _tables.rename_table,
    ),
    Rule(
        "drop-column",
        WARNING,
        "Dropping a column breaks any deployed code that still reads it.",
        "first deploy every service without the column, then drop it",
        _columns.drop_column,
    ),
    Rule(
        "rename-column",
        WARNING,
        "Renaming a column breaks any deployed code that uses the old name.",
        "add the new column, write both, move the readers, then drop the old one",
        _columns.rename_column,
    ),
    Rule(
        "breaks-other-service",
        ERROR,
        "The revision drops or narrows what another service's models still map or refer to.",
        "deploy the services that no longer use the object first (the upgrade refuses this "
        "unless --allow-breaking SERVICE)",
        _tables.breaks_other_service,
    ),
    Rule(
        "enum-value-removed",
        ERROR,
        "Removing or renaming an enum value breaks rows and code that still use it.",
        "add the new value, move the rows and the services to it, and keep the old value",
        _columns.enum_value_removed,
    ),
    Rule(
        "ddl-several-services",
        WARNING,
        "One revision changing several services' tables ties their rollouts together.",
        "split it into one revision per owning service",
        _revisions.several_services,
    ),
    Rule(
        "data-with-ddl",
        WARNING,
        "Writing rows in the revision that changes the schema holds the DDL's locks meanwhile.",
        "move the data change into a revision of its own (batched for large tables)",
        _revisions.data_with_ddl,
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
