"""The Alembic environment for every service registered under ``alembic_config.metadata``.

The database URL comes from ``DATABASE_URL`` (or a ``.env`` found from the
working directory), else ``sqlalchemy.url`` in the ini file, else a SQLite file
``mindmirror.db`` in the working directory. Models are loaded only when
autogenerate or ``alembic check`` needs them, and only if every selected
service loaded without conflict. See ``alembic_config._environment``.
"""

from alembic import context

from alembic_config._environment import MigrationEnvironment, reporting_errors
from alembic_config._locations import check_version_locations
from alembic_config._scripts import load_revisions

environment = MigrationEnvironment(context.config)
environment.configure_logging()


def run_migrations_offline() -> None:
    """Emit the migration SQL for the URL's dialect (``--sql``) without connecting."""
    url = environment.url
    context.configure(
        url=url.url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **environment.configure_options(url.backend),
    )
    with environment.guarded(context.get_context()), context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection: the one handed in, or a new one from the URL."""
    with environment.connect() as connection:
        context.configure(
            connection=connection,
            **environment.configure_options(connection.dialect.name),
        )
        # the migration lock, the impact gate and, on MySQL/MariaDB, the partial-state marker
        with environment.guarded(context.get_context()) as proceed:
            if proceed:  # not when only the plan was asked for
                # each revision under short DDL lock timeouts, retried when blocked
                environment.run_migrations(context.get_context())


with reporting_errors():
    check_version_locations(context.config)  # before Alembic skips a broken location
    load_revisions(context.script)  # a broken revision file or graph: a message, not a traceback
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
