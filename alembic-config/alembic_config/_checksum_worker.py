"""Revision checksums computed by a second process while the upgrade runs.

Hashing the syntax trees of the revisions an upgrade applies is work the
upgrade needs only when it stamps each one. When there is much source to hash
(a large initial schema, a long chain of revisions), a worker process of the
same interpreter (``python -m alembic_config._checksum_worker``) hashes the
files in the order they will be stamped, on another core, while this process
runs them; each checksum is waited for just before its stamp goes out. A
checksum the worker did not deliver (it could not start, stopped early, or
could not read a file) is computed here instead, so the values are the same
either way.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from alembic_config._source_checksums import file_checksum

logger = logging.getLogger(__name__)

# below this much source, starting a process costs more than hashing here
MIN_BYTES = 256 * 1024
_UNREADABLE = "-"


class RevisionChecksums(Mapping[str, str]):
    """Revision -> checksum of its file, computed on demand or delivered by a worker."""

    def __init__(self, paths: Mapping[str, Path], *, worker: bool = False) -> None:
        self._paths = dict(paths)
        self._order = list(self._paths)
        self._known: dict[str, str] = {}
        self._process: subprocess.Popen[str] | None = None
        self._delivered = 0
        if worker and self._order:
            self._process = _start_worker([self._paths[r] for r in self._order])

    @classmethod
    def for_run(cls, paths: Mapping[str, Path]) -> RevisionChecksums:
        """The checksums of the files in ``paths``, with a worker when there is enough to hash."""
        total = 0
        for path in paths.values():
            with contextlib.suppress(OSError):  # a missing file is reported when it is hashed
                total += path.stat().st_size
        return cls(paths, worker=total >= MIN_BYTES)

    def __getitem__(self, revision: str) -> str:
        if revision not in self._known:
            if revision not in self._paths:
                raise KeyError(revision)
            self._receive(revision)
            if revision not in self._known:
                self._known[revision] = file_checksum(self._paths[revision])
        return self._known[revision]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def _receive(self, revision: str) -> None:
        """Read the worker's answers up to ``revision``'s (they come in the order asked)."""
        process = self._process
        if process is None or process.stdout is None:
            return
        while revision not in self._known and self._delivered < len(self._order):
            line = process.stdout.readline()
            if not line:  # the worker stopped: what is left is computed here
                logger.debug("checksum worker stopped after %d files", self._delivered)
                self.close()
                return
            value = line.strip()
            if value != _UNREADABLE:
                self._known[self._order[self._delivered]] = value
            self._delivered += 1

    def close(self) -> None:
        """Stop the worker, if one is still running."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _start_worker(paths: list[Path]) -> subprocess.Popen[str] | None:
    if not sys.executable:
        return None
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "alembic_config._checksum_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
    except OSError as exc:
        logger.debug("checksum worker not started: %s", exc)
        return None
    assert process.stdin is not None
    try:
        # the worker reads every path before it writes anything: no pipe can fill up both ways
        process.stdin.write("".join(f"{path}\n" for path in paths))
        process.stdin.close()
    except OSError as exc:
        logger.debug("checksum worker did not take its files: %s", exc)
    return process


def main() -> int:
    """The worker: a checksum (or ``-``) per path read from stdin, one line each, in order."""
    paths = sys.stdin.read().splitlines()
    for path in paths:
        try:
            value = file_checksum(Path(path))
        except (OSError, SyntaxError, ValueError):  # the caller computes it and reports why
            value = _UNREADABLE
        sys.stdout.write(f"{value}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
