"""The command groups of ``mindmirror``."""
