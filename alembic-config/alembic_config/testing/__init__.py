"""Checks of a service's models and migrations, for the service team's own pytest suite.

Installed with ``pip install 'alembic-config[testing]'`` (which brings
pytest-alembic); switched on by one line of pytest configuration naming the
service (its entry-point name in ``alembic_config.metadata``)::

    [tool.pytest.ini_options]
    alembic_config_service = "billing"

The suite then collects, next to ``tests/conftest.py``:

- ``test_models_load[billing]``: the entry point loads and registers tables;
- ``test_no_conflict[billing]``: no other installed service defines one of its
  tables, indexes, constraints or types differently, nor a different naming
  convention;
- ``test_single_head_revision``, ``test_upgrade``, ``test_model_definitions_match_ddl``
  and ``test_up_down_consistency``: pytest-alembic's own tests on the project's
  history (``alembic.ini``), comparing only the named services' tables;
- ``test_tables_round_trip[billing]``: upgrade to head creates every table of
  the service, a drift check finds nothing, downgrade to base removes them.

The database is the one ``DATABASE_URL`` names (it should be empty: every check
starts from and returns to base), else a SQLite file in the test's temporary
folder; override the ``alembic_config_engine`` fixture to hand in another.
Ini options: ``alembic_config_ini`` (default ``alembic.ini``) and
``alembic_config_tests_path`` (default ``tests/conftest.py``), both relative to
pytest's root folder.
"""
