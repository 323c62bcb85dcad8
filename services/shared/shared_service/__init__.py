"""shared-service: the models every MindMirror service builds on, and database access.

The models live in :mod:`shared_service.models`; the engine, session factory and
``get_db`` in :mod:`shared_service.database`. Importing this package imports nothing else.
"""
