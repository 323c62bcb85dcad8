"""A drift check compared in two processes: the other half of the tables on the other core.

Loading the models is done once, before the fork, so both processes share it;
each then reflects and compares its share of the tables
(``EnvironmentOptions.compare_share``). Only a clean result is taken from the
split: when either share drifts or the second process fails, the caller
compares everything in one process again, so what a drift looks like (its
diffs, their order, the code) never depends on the split.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

Share = tuple[int, int]
R = TypeVar("R")

_CLEAN, _DRIFT, _FAILED = 0, 1, 2


def can_fork() -> bool:
    """Whether this process may fork now: Linux, and no other thread running."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def clean_in_two_processes(
    compare: Callable[[Share], R], is_clean: Callable[[R], bool]
) -> R | None:
    """The first share's result when both shares are clean; None when either is not.

    ``compare(share)`` compares one share; a second process runs ``(1, 2)`` while
    this one runs ``(0, 2)``. An error of this process's share is raised (it
    would be raised for the whole comparison alike); the second process's
    output is discarded.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the second process; it reports only through its exit
        _second_process(lambda: is_clean(compare((1, 2))))
    try:
        result = compare((0, 2))
    except BaseException:
        _stop(pid)
        raise
    if not is_clean(result):
        _stop(pid)
        return None
    code = _wait(pid)
    if code != _CLEAN:
        logger.debug("the second share %s", "drifted" if code == _DRIFT else "failed")
        return None
    return result


def _second_process(clean: Callable[[], bool]) -> None:  # pragma: no cover - runs in the child
    code = _FAILED
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        code = _CLEAN if clean() else _DRIFT
    except BaseException:
        code = _FAILED
    finally:
        os._exit(code)  # no atexit handlers, finalizers or buffers of the parent's


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _stop(pid: int) -> None:
    """End the second process (it holds no lock: a comparison only reads) and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
