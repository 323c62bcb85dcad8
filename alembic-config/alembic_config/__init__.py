"""alembic-config: one Alembic environment for every service sharing a database."""
