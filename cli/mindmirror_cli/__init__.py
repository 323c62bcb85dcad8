"""The ``mindmirror`` command line."""
