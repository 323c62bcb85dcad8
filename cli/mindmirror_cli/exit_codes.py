"""The exit codes of every ``mindmirror`` command (DESIGN.md §5)."""

from enum import IntEnum


class ExitCode(IntEnum):
    """What a non-zero exit means, one code per failure class."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    CONFIGURATION = 3
    DATABASE_UNREACHABLE = 4
    LOCK_TIMEOUT = 5
    PARTIAL_STATE = 6
    REVISION_GRAPH = 7
    MIGRATION_FAILED = 8
    UNSAFE = 9
