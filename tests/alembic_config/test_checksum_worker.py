"""Checksums hashed by a worker process give the values hashing here gives, whatever happens."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from alembic_config import _checksum_worker
from alembic_config._checksum_worker import RevisionChecksums
from alembic_config._source_checksums import source_checksum

SOURCE = '''"""revision {n}"""
import sqlalchemy as sa
from alembic import op

revision = "r{n}"


def upgrade():
    op.add_column("t", sa.Column("c{n}", sa.Integer))
'''


def _files(tmp_path: Path, count: int) -> dict[str, Path]:
    files = {}
    for n in range(count):
        path = tmp_path / f"r{n}.py"
        path.write_text(SOURCE.format(n=n))
        files[f"r{n}"] = path
    return files


def _expected(files: dict[str, Path]) -> dict[str, str]:
    return {rev: source_checksum(path.read_text()) for rev, path in files.items()}


def test_the_worker_delivers_the_checksums_in_any_order_asked(tmp_path: Path) -> None:
    files = _files(tmp_path, 30)
    checksums = RevisionChecksums(files, worker=True)
    process = checksums._process
    assert process is not None
    try:
        asked = ["r29", "r0", *files]  # the last first: the worker's answers are read up to it
        assert {rev: checksums[rev] for rev in asked} == _expected(files)
    finally:
        checksums.close()
    assert process.poll() is not None  # stopped and waited for


def test_without_a_worker_the_values_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 5)
    monkeypatch.setattr(sys, "executable", "")
    checksums = RevisionChecksums(files, worker=True)
    assert checksums._process is None
    assert dict(checksums) == _expected(files)


def test_a_worker_that_stops_early_leaves_the_rest_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 10)
    checksums = RevisionChecksums(files, worker=True)
    assert checksums._process is not None
    checksums._process.kill()
    checksums._process.wait()
    try:
        assert dict(checksums) == _expected(files)
    finally:
        checksums.close()


def test_a_file_the_worker_cannot_hash_is_hashed_here_and_its_error_raised(
    tmp_path: Path,
) -> None:
    files = _files(tmp_path, 3)
    files["r1"].write_text("def upgrade(:\n")  # not Python
    checksums = RevisionChecksums(files, worker=True)
    try:
        assert checksums["r2"] == _expected({"r2": files["r2"]})["r2"]
        with pytest.raises(SyntaxError):
            checksums["r1"]
    finally:
        checksums.close()


def test_a_worker_starts_only_for_enough_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 3)
    assert RevisionChecksums.for_run(files)._process is None
    monkeypatch.setattr(_checksum_worker, "MIN_BYTES", 1)
    checksums = RevisionChecksums.for_run(files)
    try:
        assert checksums._process is not None
        assert dict(checksums) == _expected(files)
    finally:
        checksums.close()
